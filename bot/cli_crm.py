"""`holdfast crm sync`: customers from the CRM (HubSpot), and check-ins written back as notes."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bot.crm import CrmAuthError, CrmError
from bot.crm_job import CrmJob, slack_owners
from bot.operations.crm_sync import queue_imported, sync_companies
from bot.services import Services
from bot.slack_users import SlackLookupError

crm_app = typer.Typer(help="The CRM sync (HubSpot).", no_args_is_help=True, rich_markup_mode="rich")


@crm_app.command("sync")
def sync_command(
    team: Annotated[
        str | None,
        typer.Option(
            "--team",
            help="Workspace ID, like T0123ABCD. Default: SLACK_TEAM_ID, else asked of Slack.",
            show_default=False,
        ),
    ] = None,
    full: Annotated[
        bool,
        typer.Option("--full", help="Read every company again, not only those changed since the last sync."),
    ] = False,
    notes_for_imported: Annotated[
        bool,
        typer.Option(
            "--notes-for-imported",
            help="Also write the imported check-ins (import-checkins) to HubSpot as notes, each once.",
        ),
    ] = False,
) -> None:
    """Add and update customers from HubSpot's companies, then write the check-ins waiting to go out
    to each company's timeline as notes.

    Only companies changed since the last sync are read (--full: all). Owners are HubSpot owners'
    e-mail addresses, looked up in Slack. A company archived in HubSpot makes its customer inactive.
    A company that cannot be a customer (no owner in Slack, a bad value) is skipped and listed;
    nothing is deleted. An interrupted sync resumes where it stopped.
    """
    from bot import cli  # the command line registers this sub-app, so it is read once `cli` is

    settings = cli.settings_or_exit()
    if settings.hubspot_token is None:
        cli.fail("the CRM sync needs HUBSPOT_TOKEN: a HubSpot private app's access token", cli.EXIT_USAGE)
    if settings.slack_bot_token is None:
        cli.fail("the CRM sync needs SLACK_BOT_TOKEN, to find each owner in Slack by e-mail", cli.EXIT_USAGE)
    team_id = cli.team_or_exit(team, settings)
    database = cli.database_or_exit(settings)
    services = Services(settings, database)
    job = CrmJob(services)
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=cli.err_console,
        transient=True,
    )
    try:
        with progress:
            task = progress.add_task("Reading HubSpot companies", total=None)

            def on_page(done: int, total: int | None) -> None:
                progress.update(task, completed=done, total=max(total or 0, done))

            report = sync_companies(
                services,
                job.crm,
                team_id=team_id,
                owners=slack_owners(settings, team_id),
                full=full,
                on_page=on_page,
            )
            queued = (
                queue_imported(services, team_id=team_id, source=job.crm.name) if notes_for_imported else 0
            )
            progress.update(task, description="Writing notes to HubSpot", completed=0, total=None)
            notes = job.send_notes()
    except CrmAuthError as exc:
        cli.fail(str(exc), cli.EXIT_USAGE)
    except CrmError as exc:
        cli.fail(f"the sync stopped: {exc}. Run it again to go on from where it stopped.")
    except SlackLookupError as exc:
        cli.fail(f"the sync stopped: {exc}. Run it again to go on from where it stopped.")
    finally:
        database.dispose()
    lines = [
        f"Synced HubSpot into {team_id}: {report.read} companies read; {report.added} customers added, "
        f"{report.updated} updated, {report.unchanged} unchanged, {report.archived} made inactive (archived "
        f"in HubSpot), {len(report.skipped)} skipped; {report.owners_added} new owners.",
        *(f"Skipped HubSpot company {s.record_id} ({s.name or 'no name'}): {s.why}" for s in report.skipped),
        f"Notes: {notes.written} check-ins written to HubSpot"
        + (f" ({queued} imported check-ins queued)" if notes_for_imported else "")
        + (f", {notes.found} found written already" if notes.found else "")
        + (f", {len(notes.failed)} failed (tried again by the next sync)" if notes.failed else "")
        + ".",
        f"HTTP requests to HubSpot: {job.crm.requests}.",
    ]
    cli.say_all(lines)
