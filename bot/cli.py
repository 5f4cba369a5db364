"""The `holdfast` command line."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from functools import partial
from pathlib import Path
from typing import Annotated, NamedTuple, NoReturn, TextIO, TypeVar

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from bot.access import for_one_run
from bot.backup import BackupError, backup_sqlite, sqlite_file
from bot.cli_crm import crm_app
from bot.operations.export_book import ExportError, export_workspace
from bot.operations.import_book import (
    CustomerImport,
    EmailResolver,
    ImportRejected,
    OnWrite,
    OwnerCheck,
    import_checkins,
    import_customers,
)
from bot.rules.edits import Field
from bot.rules.slack_ids import is_user_id
from bot.rules.themes import Themes
from bot.services import Services, system_clock
from bot.settings import Settings, SettingsError, load_settings
from bot.slack_client import make_web_client
from bot.slack_users import SlackLookupError, resolve_team_id, user_ids_by_email
from storage.db import Database, normalise_url, open_database

R = TypeVar("R")

app = typer.Typer(
    help="Holdfast: keep asking whether the reason each customer chose us still holds.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(crm_app, name="crm")

console = Console()
err_console = Console(stderr=True)

EXIT_FAILURE = 1
EXIT_USAGE = 2
# Files at least this big show a progress bar while they are read and written.
PROGRESS_MIN_BYTES = 1_000_000

TeamOption = Annotated[
    str | None,
    typer.Option(
        "--team",
        help="Workspace ID, like T0123ABCD. Default: SLACK_TEAM_ID, else asked of Slack (SLACK_BOT_TOKEN).",
        show_default=False,
    ),
]
DryRunOption = Annotated[
    bool, typer.Option("--dry-run", help="Check the whole file and say what would change; write nothing.")
]


def say(message: str) -> None:
    """Print a line to stdout, literally (user data may contain Rich markup)."""
    console.print(Text(message), highlight=False, soft_wrap=True)


def say_all(lines: list[str]) -> None:
    """Print many lines to stdout, literally: through Rich on a terminal, else as plain text in one write
    (Rich's cost per call would dominate a long report piped to a file)."""
    if console.is_terminal:
        console.print(Text("\n".join(lines)), highlight=False, soft_wrap=True)
    else:
        console.file.write("".join(f"{line}\n" for line in lines))
        console.file.flush()


def fail(message: str, code: int = EXIT_FAILURE, details: list[str] | None = None) -> NoReturn:
    """Print one clear line (then any details) to stderr and exit with `code`, no traceback."""
    err_console.print(Text.assemble(("holdfast: ", "bold red"), message), highlight=False, soft_wrap=True)
    for line in details or ():
        err_console.print(Text(f"  {line}"), highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def warn(message: str) -> None:
    """Print one warning line to stderr; the command goes on."""
    err_console.print(
        Text.assemble(("holdfast: warning: ", "bold yellow"), message), highlight=False, soft_wrap=True
    )


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


def team_or_exit(team: str | None, settings: Settings) -> str:
    """The workspace imports write to: --team, SLACK_TEAM_ID, or Slack's answer for the bot token."""
    try:
        return resolve_team_id(team, settings, make_web_client)
    except SlackLookupError as exc:
        fail(str(exc))


class ImportTarget(NamedTuple):
    """Where an import writes, and how it asks Slack about people (not at all without a bot token)."""

    team_id: str
    database: Database
    resolve_emails: EmailResolver | None
    check_owner: OwnerCheck | None
    themes: Themes


@contextmanager
def import_target(team: str | None) -> Iterator[ImportTarget]:
    """The workspace and database an import writes to (disposed of afterwards), or a clean exit."""
    settings = settings_or_exit()
    team_id = team_or_exit(team, settings)
    database = database_or_exit(settings)
    resolve_emails, check_owner = None, None
    if settings.slack_bot_token is not None:
        client = make_web_client(settings)
        resolve_emails = partial(user_ids_by_email, client)
        check_owner = for_one_run(settings, client).denial
    try:
        yield ImportTarget(team_id, database, resolve_emails, check_owner, settings.themes())
    finally:
        database.dispose()


def run_import(path: Path, run: Callable[[TextIO, OnWrite], R]) -> R:
    """Feed `path` to an import, with progress bars for big files and bad input as a clean exit 1."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
        disable=path.stat().st_size < PROGRESS_MIN_BYTES,
    ) as progress:
        writing = progress.add_task("Writing", visible=False, start=False)

        def on_write(done: int, total: int) -> None:
            progress.start_task(writing)
            progress.update(writing, completed=done, total=total, visible=True)

        try:
            with progress.open(
                path, "r", encoding="utf-8-sig", newline="", description=f"Reading {path.name}"
            ) as stream:
                return run(stream, on_write)
        except ImportRejected as exc:
            progress.stop()
            fail(f"{path.name}: {exc.summary}", details=[str(error) for error in exc.errors])
        except SlackLookupError as exc:
            progress.stop()
            fail(f"{path.name}: nothing was imported: {exc}")


CsvArgument = Annotated[
    Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="The CSV file (UTF-8, header row).")
]


def field_counts(result: CustomerImport) -> str | None:
    """The customers an import updates, counted by field (with the status moves); None for none."""
    counts = {field: str(count) for field, count in result.fields_changed.items()}
    if Field.STATUS in counts:
        counts[Field.STATUS] += f" ({result.made_inactive} made inactive, {result.reactivated} reactivated)"
    return ", ".join(f"{field} {count}" for field, count in counts.items()) or None


@app.command("import")
def import_command(path: CsvArgument, team: TeamOption = None, dry_run: DryRunOption = False) -> None:
    """Add or update customers from a CSV file: name,owner,reason,since,renewal_date,arr,cadence_days,active.

    Only name and owner are required. An owner is a Slack user ID or an e-mail address (looked up in Slack),
    of someone who may use Holdfast: with SLACK_BOT_TOKEN set, guests, external people and anyone outside
    the access group are bad rows.

    Dates are YYYY-MM-DD. active is true or false (yes/no, 1/0): false makes a customer inactive from
    today (a lost one stays lost), true makes it active again. Customers match by name, ignoring case;
    empty cells keep what is stored. Every change to a stored customer is kept in its history.

    Nothing is deleted, and any bad row rejects the whole file.
    """
    now = system_clock()
    with import_target(team) as (team_id, database, resolver, check_owner, themes):
        result = run_import(
            path,
            lambda stream, on_write: import_customers(
                stream,
                database=database,
                team_id=team_id,
                resolve_emails=resolver,
                today=now.astimezone().date(),  # the day where the command is run
                now=now,
                check_owner=check_owner,
                dry_run=dry_run,
                on_write=on_write,
                themes=themes,
            ),
        )
    if check_owner is None:
        warn(
            "owners were not checked with Slack (no SLACK_BOT_TOKEN); the digest job checks each owner "
            "before sending and skips anyone who may not use Holdfast"
        )
    inactive = f" ({result.added_inactive} inactive)" if result.added_inactive else ""
    if result.dry_run:
        say(
            f"Dry run: {path.name} is valid. It would add {result.added} customers{inactive} and update "
            f"{result.updated} ({result.unchanged} unchanged) in {team_id}. Nothing was written."
        )
    else:
        say(
            f"Imported {path.name} into {team_id}: {result.added} customers added{inactive}, "
            f"{result.updated} updated, {result.unchanged} unchanged; {result.owners_added} new owners."
        )
    counts = field_counts(result)
    if counts:
        say(f"{'Would change' if result.dry_run else 'Changed'}: {counts}.")


@app.command("import-checkins")
def import_checkins_command(
    path: CsvArgument, team: TeamOption = None, dry_run: DryRunOption = False
) -> None:
    """Add logged conversations from a CSV file: customer,date,author,note,verdict,expectation.

    Only customer and date are required. Optional columns carry the rest of a check-in:
    spoke_with, new_reason, changes (;-separated), next_step, next_step_due.

    Check-ins stored already (same customer, date, author and note) are skipped.

    Any bad row rejects the whole file.
    """
    now = system_clock()
    with import_target(team) as (team_id, database, resolver, _, _):
        result = run_import(
            path,
            lambda stream, on_write: import_checkins(
                stream,
                database=database,
                team_id=team_id,
                resolve_emails=resolver,
                now=now,
                dry_run=dry_run,
                on_write=on_write,
            ),
        )
    if result.dry_run:
        say(
            f"Dry run: {path.name} is valid. It would add {result.added} check-ins ({result.skipped} stored "
            f"already) and update {result.customers_updated} customers in {team_id}. Nothing was written."
        )
    else:
        say(
            f"Imported {path.name} into {team_id}: {result.added} check-ins added, {result.skipped} skipped "
            f"as stored already; {result.customers_updated} customers updated."
        )


@app.command("export")
def export_command(
    out: Annotated[
        Path, typer.Option("--out", file_okay=False, help="Directory to write into (created when missing).")
    ],
    team: Annotated[
        str | None,
        typer.Option(
            "--team",
            help="Workspace ID. Default: SLACK_TEAM_ID, else the only one stored.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Write customers.csv and checkins.csv (which the imports read back) and JSON files with every field."""
    settings = settings_or_exit()
    database = database_or_exit(settings)
    try:
        result = export_workspace(database, out, team or settings.slack_team_id)
    except (ExportError, OSError) as exc:
        fail(f"export failed: {exc}")
    finally:
        database.dispose()
    say(
        f"Exported {result.customers} customers and {result.checkins} check-ins"
        f"{f' of {result.team_id}' if result.team_id else ''} to {out}: "
        + ", ".join(file.name for file in result.files)
    )


@app.command("backup")
def backup_command(
    path: Annotated[Path, typer.Argument(help="Where to write the copy (a new file).", show_default=False)],
) -> None:
    """Copy the SQLite database to PATH, consistently, even while the bot runs (PostgreSQL: use pg_dump)."""
    settings = settings_or_exit()
    try:
        result = backup_sqlite(sqlite_file(normalise_url(settings.database_url)), path)
    except BackupError as exc:
        fail(str(exc))
    say(
        f"Backed up the database to {result.path} ({result.size:,} bytes: {result.customers} customers, "
        f"{result.checkins} check-ins)."
    )


@app.command()
def demo() -> None:
    """Show Holdfast on a sample portfolio: no Slack and no configuration needed."""
    from bot.demo import run_demo

    settings = settings_or_exit()
    run_demo(console, settings, system_clock())


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


@app.command()
def nudge(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the digests; send and record nothing, ask Slack nothing.")
    ] = False,
    day: Annotated[
        str | None,
        typer.Option(
            "--date",
            metavar="YYYY-MM-DD",
            help="With --dry-run: plan this day for every owner (default: their today).",
        ),
    ] = None,
    owner: Annotated[str | None, typer.Option("--owner", metavar="U…", help="Only this Slack user.")] = None,
) -> None:
    """Send today's digests now to every owner with nudges, whatever their local hour (at most one a day)."""
    from bot.nudge_job import NudgeJob, Outcome
    from handlers.views.digest_text import digest_lines
    from storage.owners import all_owners

    try:
        on = date.fromisoformat(day) if day else None
    except ValueError:
        fail(f"--date must be a date as YYYY-MM-DD, not {day!r}", EXIT_USAGE)
    if on is not None and not dry_run:
        fail("--date only plans (use it with --dry-run): digests are sent for each owner's today", EXIT_USAGE)
    if owner is not None and not is_user_id(owner):
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

    lines: list[str] = []
    say = lines.append

    if dry_run:
        say("Dry run: nothing was sent or recorded.")
        for plan in report.plans:
            say("")
            lines.extend(digest_lines(plan, owner_label=label(plan.team_id, plan.owner_user_id)))
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
    for refused in report.refused:
        customers = f"{refused.customers} customer" + (" needs" if refused.customers == 1 else "s need")
        say(
            f"Skipped {label(refused.team_id, refused.user_id)}: cannot use Holdfast ({refused.denial}); "
            f"{customers} a new owner"
        )
    say_all(lines)
    if any(d.outcome == Outcome.FAILED for d in report.deliveries):
        raise typer.Exit(EXIT_FAILURE)


from bot.cli_report import report  # noqa: E402 - it uses the helpers above

app.command("report")(report)


def main() -> None:
    """Console-script entry point."""
    app()
