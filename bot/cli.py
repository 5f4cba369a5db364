"""The `holdfast` command line."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, NoReturn

import typer
from rich.console import Console

from bot.settings import Settings, SettingsError, load_settings
from storage.db import Database, open_database
from storage.types import utcnow

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
def demo() -> None:
    """Show Holdfast on a sample portfolio: no Slack and no configuration needed."""
    from bot.demo import run_demo

    settings = settings_or_exit()
    run_demo(console, utcnow().date(), settings.policy(), settings.digest_max_customers)


@app.command()
def serve() -> None:
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
    fail("serving Slack is not built yet (issue 3)", EXIT_USAGE)


@app.command()
def nudge(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the digests; send and record nothing, ask Slack nothing.")
    ] = False,
    day: Annotated[
        str | None,
        typer.Option(
            "--date", metavar="YYYY-MM-DD", help="Plan this day for every owner (default: their today)."
        ),
    ] = None,
    owner: Annotated[str | None, typer.Option("--owner", metavar="U…", help="Only this Slack user.")] = None,
) -> None:
    """Send today's digests now to every owner with nudges, whatever their local hour (at most one a day)."""
    from bot.digest_text import digest_lines
    from bot.nudge_job import NudgeJob, Outcome
    from bot.services import Services
    from storage.nudges import all_owners

    try:
        on = date.fromisoformat(day) if day else None
    except ValueError:
        fail(f"--date must be a date as YYYY-MM-DD, not {day!r}", EXIT_USAGE)
    if owner is not None and not re.fullmatch(r"[UW][A-Z0-9]+", owner):
        fail(f"--owner must be a Slack user ID such as U0123ABCD, not {owner!r}", EXIT_USAGE)
    settings = settings_or_exit()
    if not dry_run and settings.slack_bot_token is None:
        fail(
            "sending digests needs SLACK_BOT_TOKEN; `holdfast nudge --dry-run` shows them without Slack",
            EXIT_USAGE,
        )
    database = database_or_exit(settings)
    report = NudgeJob(Services(settings, database)).run(force=True, day=on, owner=owner, dry_run=dry_run)
    with database.session() as session:
        names = {(o.team_id, o.user_id): o.display_name for o in all_owners(session=session)}
    database.dispose()

    def label(team_id: str, user_id: str) -> str:
        name = names.get((team_id, user_id))
        return f"{name} ({user_id})" if name and name != user_id else user_id

    def say(line: str = "") -> None:
        console.print(line, markup=False, highlight=False, soft_wrap=True)

    if dry_run:
        say("Dry run: nothing was sent or recorded.")
        for plan in report.plans:
            say()
            for line in digest_lines(plan, owner_label=label(plan.team_id, plan.owner_user_id)):
                say(line)
    else:
        for delivery in sorted(report.deliveries, key=lambda d: (d.plan.team_id, d.plan.owner_user_id)):
            plan = delivery.plan
            detail = f" ({delivery.detail})" if delivery.detail else ""
            who = label(plan.team_id, plan.owner_user_id)
            say(f"{who}: {delivery.outcome.value}{detail}, {plan.total} due")
    if not report.plans:
        say("No digests due.")
    for facts, why in report.skipped:
        reason = "deactivated in Slack" if why.value == "deactivated" else why.value
        say(f"Skipped {label(facts.team_id, facts.user_id)}: {reason}")
    if any(d.outcome == Outcome.FAILED for d in report.deliveries):
        raise typer.Exit(EXIT_FAILURE)


def main() -> None:
    """Console-script entry point."""
    app()
