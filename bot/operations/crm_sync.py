"""`holdfast crm sync` (and the scheduled sync): customers from a CRM, through the import operation.

Each page of companies the CRM gives (in cursor order, `bot.crm.CrmSource.companies`) is imported
by `bot.operations.import_book.import_crm_records` (the customers file's validation; a bad record
is skipped with its id and why) and the cursor moved past it **in the same transaction**: a sync
stopped at any point (killed, or the CRM refusing) resumes from the last page stored, with nothing
lost and nothing written twice (a record read again matches the customer linked to it).

Owners: a company's owner is a HubSpot owner's e-mail address, looked up in Slack once per run
(outside the write transaction); a company whose owner has no Slack user, no e-mail or is not
allowed to use Holdfast is skipped and reported. As the cursor moves on, a skipped company comes
back once it changes in the CRM, or with `holdfast crm sync --full`.

Archived companies linked to a customer make it inactive (never deleted); others are left alone.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field

from bot.crm import Company, CrmSource, Cursor
from bot.operations.import_book import CrmImport, EmailResolver, OwnerCheck, RecordSkipped, import_crm_records
from bot.services import Services
from storage.crm import cursor_of, linked_ids, queue_imported_notes, save_cursor

# Told (companies read so far, the CRM's estimate of the total or None) after each page.
OnPage = Callable[[int, int | None], None]


class Owners:
    """E-mail addresses looked up in Slack once each, and each Slack user's access checked once, so
    the write transactions ask Slack nothing."""

    def __init__(self, team_id: str, resolve_emails: EmailResolver, check_owner: OwnerCheck | None) -> None:
        self.team_id = team_id
        self._resolve = resolve_emails
        self.check_owner = check_owner
        self._found: dict[str, str] = {}
        self._asked: set[str] = set()

    def prepare(self, emails: Collection[str]) -> None:
        new = {email.lower() for email in emails if email} - self._asked
        if not new:
            return
        found = self._resolve(sorted(new))
        self._found.update(found)
        self._asked |= new
        if self.check_owner is not None:
            for user_id in set(found.values()):
                self.check_owner(self.team_id, user_id)

    def __call__(self, emails: Collection[str]) -> Mapping[str, str]:
        self.prepare(emails)
        return {email: self._found[email] for email in emails if email in self._found}


@dataclass
class SyncReport:
    """What a sync did: customers added, updated, unchanged, made inactive (archived in the CRM),
    and the companies skipped with why; the HTTP requests it made."""

    source: str
    team_id: str
    read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    archived: int = 0
    owners_added: int = 0
    skipped: list[RecordSkipped] = field(default_factory=list)
    requests: int = 0

    def add(self, result: CrmImport, skipped: list[RecordSkipped]) -> None:
        self.added += result.added
        self.updated += result.updated
        self.unchanged += result.unchanged
        self.owners_added += result.owners_added
        self.skipped.extend(skipped + result.skipped)


def _split(companies: list[Company]) -> tuple[list[tuple[str, Mapping[str, str]]], list[RecordSkipped]]:
    """The companies to import, and those skipped already (no usable owner)."""
    rows = [(c.record_id, c.cells) for c in companies if c.problem is None]
    skipped = [RecordSkipped(c.record_id, c.cells.get("name", ""), c.problem) for c in companies if c.problem]
    return rows, skipped


def _store(
    services: Services,
    crm: CrmSource,
    rows: list[tuple[str, Mapping[str, str]]],
    *,
    team_id: str,
    owners: Owners,
    cursor: Cursor | None = None,
) -> CrmImport:
    """Create and update the customers of `rows` in one transaction, with the cursor they bring the
    sync to (when given) stored in the same one, so a sync killed between pages resumes after the
    last page stored."""
    owners.prepare([cells.get("owner", "") for _, cells in rows])
    now = services.clock()
    with services.database.transaction() as session:
        result = import_crm_records(
            rows,
            source=crm.name,
            team_id=team_id,
            resolve_emails=owners,
            check_owner=owners.check_owner,
            today=now.date(),
            now=now,
            session=session,
        )
        if cursor is not None:
            save_cursor(team_id, crm.name, cursor.modified_at, cursor.record_id, now=now, session=session)
    return result


def sync_companies(
    services: Services,
    crm: CrmSource,
    *,
    team_id: str,
    owners: Owners,
    full: bool = False,
    on_page: OnPage | None = None,
) -> SyncReport:
    """Bring the workspace's customers up to date with the CRM's companies, from the stored cursor
    (from the start with `full`); see the module docstring."""
    database = services.database
    report = SyncReport(crm.name, team_id)
    with database.session() as session:
        stored = None if full else cursor_of(team_id, crm.name, session=session)
    since = Cursor(stored.modified_at, stored.record_id) if stored else Cursor()
    for page in crm.companies(since):
        rows, skipped = _split(page.companies)
        result = _store(services, crm, rows, team_id=team_id, owners=owners, cursor=page.cursor)
        report.read += len(page.companies)
        report.add(result, skipped)
        if on_page is not None:
            on_page(report.read, page.total)
    for companies in crm.archived():
        with database.session() as session:
            known = linked_ids(team_id, crm.name, [c.record_id for c in companies], session=session)
        rows, skipped = _split([c for c in companies if c.record_id in known])
        if not rows and not skipped:
            continue
        result = _store(services, crm, rows, team_id=team_id, owners=owners)
        report.archived += result.made_inactive
        report.owners_added += result.owners_added
        report.updated += result.updated - result.made_inactive
        report.unchanged += result.unchanged
        report.skipped.extend(skipped + result.skipped)
    report.requests = crm.requests
    return report


def queue_imported(services: Services, *, team_id: str, source: str) -> int:
    """Queue every imported check-in on a customer synced from `source` to be written there as a note
    (once: those queued before are not queued again); how many were queued."""
    with services.database.transaction() as session:
        return queue_imported_notes(team_id, source, now=services.clock(), session=session)
