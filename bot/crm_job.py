"""The CRM jobs of `holdfast serve` (and `holdfast crm sync`): the company sync, and the notes outbox
that writes each check-in to its company's timeline.

The sync runs every `CRM_SYNC_MINUTES` (`bot.operations.crm_sync`); both jobs are off when no
`HUBSPOT_TOKEN` is set (see `bot.scheduler`).

Each check-in once, across processes and crashes
------------------------------------------------
A check-in logged in Slack on a customer synced from the CRM adds a `CrmNote` row in the same
transaction (`bot.operations.log_checkin`); `holdfast crm sync --notes-for-imported` adds one for each
imported check-in not queued yet. A failure to write never touches the Slack reply: the outbox is
emptied here, every `NOTES_INTERVAL`.
1. **Claim.** For each claimable note (pending, failed, or claimed with the lease `LEASE` run out;
   tried fewer than `MAX_ATTEMPTS` times), one `UPDATE … WHERE id = … AND <claimable>` sets it
   `claimed` under a token unique to this claim and counts it an attempt; the runner whose update
   changed the row owns it (SQLite lets one writer in at a time; PostgreSQL re-checks the `WHERE`
   on a row another transaction has just claimed, and skips it). The claim is committed before the
   CRM is called.
2. **Check.** A note tried before may have been written by that attempt (the CRM took it, then the
   runner died or the answer was lost). Its body carries a word unique to the check-in
   (`bot.crm.notes.marker`), so the CRM's note search is asked first; a note found is only recorded.
   The search index lags by seconds, so the lease (far longer) is what keeps a crashed attempt's
   note from being written again.
3. **Write**, then **mark** `sent` with the CRM's note id. The client waits out 429s and retries
   what was never sent, but never sends a note again itself after a 5xx or a lost answer: that comes
   back to the next run, through the check. A CRM error marks the note `failed` (claim released,
   retried next run, at most `MAX_ATTEMPTS` times); a refused token puts it back untouched and stops
   the run; a note whose customer is no longer linked to the CRM is `dropped`.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from bot.access import for_one_run
from bot.claiming_job import ClaimingJob
from bot.crm import CrmAuthError, CrmError, CrmSource, make_source
from bot.crm.notes import note_draft
from bot.operations.crm_sync import Owners, SyncReport, sync_companies
from bot.services import Services
from bot.settings import Settings
from bot.slack_client import make_web_client
from bot.slack_users import SlackLookupError, resolve_team_id, user_ids_by_email
from storage.crm import claim_note, mark_note_failed, mark_note_sent, notes_due, release_note

logger = logging.getLogger("holdfast.crm")

LEASE = timedelta(minutes=15)
MAX_ATTEMPTS = 5
NOTES_INTERVAL = timedelta(minutes=1)
NOTES_PER_RUN = 500


def slack_owners(settings: Settings, team_id: str) -> Owners:
    """Owners looked up in Slack with the bot token (by e-mail), and checked against the access rule."""
    client = make_web_client(settings)
    return Owners(
        team_id, lambda emails: user_ids_by_email(client, emails), for_one_run(settings, client).denial
    )


@dataclass
class NotesReport:
    written: int = 0
    found: int = 0  # written by an earlier attempt; now recorded
    taken: int = 0  # claimed by another runner first
    failed: list[str] = field(default_factory=list)
    dropped: int = 0


class CrmJob(ClaimingJob):
    """The sync and the notes outbox for one process."""

    def __init__(
        self,
        services: Services,
        crm: CrmSource | None = None,
        *,
        owners: Callable[[str], Owners] | None = None,
        runner: str | None = None,
        lease: timedelta = LEASE,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> None:
        super().__init__(services, runner=runner, lease=lease, max_attempts=max_attempts)
        self.crm = crm or make_source(services.settings)
        self.owners = owners or (lambda team_id: slack_owners(services.settings, team_id))
        self._team_id: str | None = None

    def team_id(self) -> str:
        if self._team_id is None:
            self._team_id = resolve_team_id(None, self.services.settings, make_web_client)
        return self._team_id

    def sync(self) -> SyncReport | None:
        """One scheduled sync; a CRM failure is logged in one line and the next run tries again."""
        team_id = self.team_id()
        try:
            report = sync_companies(self.services, self.crm, team_id=team_id, owners=self.owners(team_id))
        except (CrmError, SlackLookupError) as exc:
            logger.error("CRM sync stopped (the next run goes on from where it stopped): %s", exc)
            return None
        for skipped in report.skipped:
            logger.warning(
                "CRM sync skipped %s %s (%s): %s", report.source, skipped.record_id, skipped.name, skipped.why
            )
        logger.info(
            "CRM sync: %d read, %d added, %d updated, %d unchanged, %d made inactive, %d skipped",
            report.read,
            report.added,
            report.updated,
            report.unchanged,
            report.archived,
            len(report.skipped),
        )
        return report

    def send_notes(self) -> NotesReport:
        """One run of the outbox (see the module docstring); a refused token raises `CrmAuthError`."""
        database = self.services.database
        now = self.services.clock()
        with database.session() as session:
            due = notes_due(
                now=now,
                lease=self.lease,
                max_attempts=self.max_attempts,
                limit=NOTES_PER_RUN,
                session=session,
            )
        report = NotesReport()
        for note_id in due:
            if self._stopping.is_set():
                break
            claim = f"{self.runner}:{uuid.uuid4().hex[:8]}"
            with database.transaction() as session:
                row = claim_note(
                    note_id,
                    claim=claim,
                    now=now,
                    lease=self.lease,
                    max_attempts=self.max_attempts,
                    session=session,
                )
            if row is None:
                report.taken += 1
                continue
            if row.company_id is None:
                with database.transaction() as session:
                    mark_note_failed(
                        note_id,
                        claim=claim,
                        error=f"not linked to {row.source} any more",
                        dropped=True,
                        session=session,
                    )
                report.dropped += 1
                continue
            draft = note_draft(row)
            try:
                found = self.crm.find_note(draft) if row.attempts > 1 else None
                note_ref = found or self.crm.write_note(draft)
            except CrmAuthError:
                with database.transaction() as session:
                    release_note(note_id, claim=claim, session=session)
                raise
            except CrmError as exc:
                logger.warning("note for check-in %s not written: %s", row.checkin_id, exc)
                with database.transaction() as session:
                    mark_note_failed(note_id, claim=claim, error=str(exc), session=session)
                report.failed.append(str(exc))
                continue
            with database.transaction() as session:
                mark_note_sent(note_id, note_ref=note_ref, now=self.services.clock(), session=session)
            if found:
                report.found += 1
            else:
                report.written += 1
        if due:
            logger.info(
                "CRM notes: %d written, %d found written already, %d failed, %d dropped",
                report.written,
                report.found,
                len(report.failed),
                report.dropped,
            )
        return report

    def run_notes(self) -> None:
        """The scheduled outbox run: a refused token is logged in one line."""
        try:
            self.send_notes()
        except CrmAuthError as exc:
            logger.error("CRM notes stopped: %s", exc)
