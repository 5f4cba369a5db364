"""The `holdfast` command line."""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn

import typer
from rich.console import Console

from bot.settings import Settings, SettingsError, load_settings
from storage.db import Database, open_database

app = typer.Typer(
    help="Holdfast: keep asking whether the reason each customer chose us still holds.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(db_app, name="db")

console = Console()
err_console = Console(stderr=True)

EXIT_FAILURE = 1
EXIT_USAGE = 2


def fail(message: str, code: int = EXIT_FAILURE) -> NoReturn:
    """Print one clear line to stderr and exit with `code`, no traceback."""
    err_console.print(f"[bold red]holdfast:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def settings_or_exit() -> Settings:
    """The settings, or exit 2 naming the malformed variable."""
    try:
        return load_settings()
    except SettingsError as exc:
        fail(str(exc), EXIT_USAGE)


def database_or_exit(settings: Settings) -> Database:
    """The configured database, brought up to the newest schema."""
    try:
        return open_database(settings.database_url)
    except Exception as exc:  # noqa: BLE001 - reported as one line; the cause is named
        fail(f"cannot open the database at DATABASE_URL ({type(exc).__name__}: {str(exc).splitlines()[0]})")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the database to the newest schema (every command does this on its own too)."""
    settings = settings_or_exit()
    database = database_or_exit(settings)
    database.dispose()
    console.print(f"Database is up to date: {database.url.render_as_string(hide_password=True)}")


@app.command()
def serve(
    host: str = typer.Option("0.0.0.0", help="Interface to listen on in HTTP mode."),  # noqa: S104
) -> None:
    """Run the bot: Socket Mode when SLACK_APP_TOKEN is set, otherwise HTTP on PORT."""
    settings = settings_or_exit()
    missing = [
        name
        for name, value in (
            ("SLACK_BOT_TOKEN", settings.slack_bot_token),
            ("SLACK_SIGNING_SECRET", settings.slack_signing_secret),
        )
        if value is None
    ]
    if missing:
        fail(
            f"Slack is not configured: set {' and '.join(missing)} (in the environment or .env; see "
            ".env.example), and SLACK_APP_TOKEN for Socket Mode. To try Holdfast without Slack, run "
            "`holdfast demo`.",
            EXIT_USAGE,
        )
    _serve(settings, host)


def _serve(settings: Settings, host: str) -> None:
    import logging
    import signal

    from bot.server import StartupError, run
    from bot.services import Services

    # Quiet until serving: a start-up failure is one line (below); then log to stderr.
    logging.basicConfig(handlers=[logging.NullHandler()], force=True)
    database = database_or_exit(settings)

    def on_ready(message: str) -> None:
        fmt = "%(asctime)s %(levelname)s %(name)s: %(message)s"
        logging.basicConfig(level=logging.INFO, format=fmt, force=True)
        console.print(message)

    def install_signals(stop: Callable[[], None]) -> None:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop())

    try:
        run(Services(settings, database), host=host, on_ready=on_ready, install_signals=install_signals)
    except StartupError as exc:
        fail(str(exc))
    console.print("Holdfast stopped.")


def main() -> None:
    """Console-script entry point."""
    app()
