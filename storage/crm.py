"""The one door for the CRM sync's rows: each workspace's cursor, the link from a customer to its CRM
record, and the notes outbox (`CrmNote`) with its claim and marks.

Each function takes the session as a keyword and never commits; the caller owns the transaction.
The outbox protocol (claim, send, mark) is explained in `bot.crm_job`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from bot.rules.vocabulary import Change, Expectation, Verdict
from storage.bulk import CHECKIN, CUSTOMER, OWNER, batched
from storage.customers import IMPORTED_COLUMNS, CustomerFields
from storage.models import CheckIn, CrmCursor, CrmNote, NoticeStatus
from storage.owners import insert_skipping_duplicates

NOTES: sa.Table = CrmNote.__table__  # type: ignore[attr-defined]
# The check-in's columns a note is written from (besides its date and when it was logged).
_CHECKIN_FIELDS = (
    "author_user_id",
    "spoke_with",
    "note",
    "verdict",
    "new_reason",
    "expectation",
    "changes",
    "next_step",
    "next_step_due",
)


# -- the cursor -------------------------------------------------------------------------------
def cursor_of(team_id: str, source: str, *, session: Session) -> CrmCursor | None:
    query = select(CrmCursor).where(CrmCursor.team_id == team_id, CrmCursor.source == source)
    return session.exec(query).first()


def save_cursor(
    team_id: str,
    source: str,
    modified_at: datetime | None,
    record_id: str | None,
    *,
    now: datetime,
    session: Session,
) -> None:
    """Set where the workspace's sync from `source` stands."""
    cursor = cursor_of(team_id, source, session=session) or CrmCursor(team_id=team_id, source=source)
    cursor.modified_at = modified_at
    cursor.record_id = record_id
    cursor.updated_at = now
    session.add(cursor)


# -- customers linked to CRM records ----------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Match:
    """A stored customer a CRM record may be: its id, the record it is linked to, its fields."""

    customer_id: int
    crm_id: str | None
    fields: CustomerFields


def matches(
    team_id: str, source: str, crm_ids: Collection[str], name_keys: Collection[str], *, session: Session
) -> tuple[dict[str, Match], dict[str, Match]]:
    """The customers linked to these records (by record id), and those with these names (by name key)."""
    columns = [CUSTOMER.c.id, CUSTOMER.c.name_key, CUSTOMER.c.crm_source, CUSTOMER.c.crm_id]
    select_ = sa.select(*columns, *(CUSTOMER.c[c] for c in IMPORTED_COLUMNS))
    # Two queries, each on its unique index (SQLite scans the workspace for an OR of the two).
    linked = select_.where(
        CUSTOMER.c.team_id == team_id, CUSTOMER.c.crm_source == source, CUSTOMER.c.crm_id.in_(sorted(crm_ids))
    )
    named = select_.where(CUSTOMER.c.team_id == team_id, CUSTOMER.c.name_key.in_(sorted(name_keys)))
    by_id: dict[str, Match] = {}
    by_key: dict[str, Match] = {}
    connection = session.connection()
    for row in [*connection.execute(linked).mappings(), *connection.execute(named).mappings()]:
        if row["name_key"] in by_key:
            continue
        record = row["crm_id"] if row["crm_source"] == source else None
        match = Match(row["id"], record, CustomerFields(**{c: row[c] for c in IMPORTED_COLUMNS}))
        by_key[row["name_key"]] = match
        if record is not None:
            by_id[record] = match
    return by_id, by_key


def linked_ids(team_id: str, source: str, crm_ids: Collection[str], *, session: Session) -> set[str]:
    """Which of these records are linked to a customer of the workspace."""
    query = sa.select(CUSTOMER.c.crm_id).where(
        CUSTOMER.c.team_id == team_id, CUSTOMER.c.crm_source == source, CUSTOMER.c.crm_id.in_(sorted(crm_ids))
    )
    return set(session.connection().execute(query).scalars())


def link_customers(team_id: str, source: str, links: Iterable[tuple[str, str]], *, session: Session) -> None:
    """Link each customer (by name key) to its CRM record: `(name_key, crm_id)` pairs."""
    statement = (
        sa.update(CUSTOMER)
        .where(CUSTOMER.c.team_id == team_id, CUSTOMER.c.name_key == sa.bindparam("key"))
        .values(crm_source=source, crm_id=sa.bindparam("record"))
    )
    for chunk in batched({"key": key, "record": record} for key, record in links):
        session.connection().execute(statement, chunk)


# -- the notes outbox -------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class NoteRow:
    """A claimed note as the sender reads it: the check-in, its customer's record, its author."""

    id: int
    team_id: str
    source: str
    attempts: int
    checkin_id: int
    company_id: str | None  # None: the customer is no longer linked to a record of `source`
    customer_name: str
    occurred_on: date
    logged_at: datetime  # when the note was queued: as the check-in was logged, for one from Slack
    author_user_id: str | None
    author_email: str | None
    author_name: str | None
    spoke_with: str | None
    note: str
    verdict: Verdict
    new_reason: str | None
    expectation: Expectation
    changes: tuple[Change, ...]
    next_step: str | None
    next_step_due: date | None


def add_crm_note(checkin: CheckIn, source: str, *, now: datetime, session: Session) -> CrmNote:
    """Queue the stored `checkin` to be written to `source` as a note."""
    assert checkin.id is not None
    note = CrmNote(team_id=checkin.team_id, checkin_id=checkin.id, source=source, created_at=now)
    session.add(note)
    return note


def queue_imported_notes(team_id: str, source: str, *, now: datetime, session: Session) -> int:
    """Queue every imported check-in on a customer linked to `source` that is not queued yet."""
    already = sa.select(NOTES.c.id).where(NOTES.c.checkin_id == CHECKIN.c.id, NOTES.c.source == source)
    rows = (
        sa.select(
            CHECKIN.c.team_id,
            CHECKIN.c.id,
            sa.literal(source),
            sa.literal(NoticeStatus.PENDING.value),
            sa.literal(0),
            sa.literal(now, NOTES.c.created_at.type),
        )
        .join(CUSTOMER, CUSTOMER.c.id == CHECKIN.c.customer_id)
        .where(
            CHECKIN.c.team_id == team_id,
            CHECKIN.c.source != "slack",
            CUSTOMER.c.crm_source == source,
            CUSTOMER.c.crm_id.is_not(None),
            ~sa.exists(already),
        )
    )
    insert = insert_skipping_duplicates(NOTES, ["checkin_id", "source"], session=session)
    statement = insert.from_select(
        ["team_id", "checkin_id", "source", "status", "attempts", "created_at"], rows
    )
    return len(session.connection().execute(statement.returning(NOTES.c.id)).all())


def _claimable(*, now: datetime, lease: timedelta, max_attempts: int) -> sa.ColumnElement[bool]:
    """Notes a runner may take at `now`: pending, failed, or claimed with the lease run out; and
    tried fewer than `max_attempts` times."""
    return sa.and_(
        sa.or_(
            NOTES.c.status.in_([NoticeStatus.PENDING, NoticeStatus.FAILED]),
            sa.and_(NOTES.c.status == NoticeStatus.CLAIMED, NOTES.c.claimed_at <= now - lease),
        ),
        NOTES.c.attempts < max_attempts,
    )


def notes_due(
    *, now: datetime, lease: timedelta, max_attempts: int, limit: int, session: Session
) -> list[int]:
    """The ids of claimable notes, oldest first: a hint (another runner may claim them first)."""
    query = (
        sa.select(NOTES.c.id)
        .where(_claimable(now=now, lease=lease, max_attempts=max_attempts))
        .order_by(NOTES.c.created_at, NOTES.c.id)
        .limit(limit)
    )
    return list(session.connection().execute(query).scalars())


def claim_note(
    note_id: int, *, claim: str, now: datetime, lease: timedelta, max_attempts: int, session: Session
) -> NoteRow | None:
    """Take the note under `claim` (a token unique to this claim) and read it; None when it is not
    claimable (another runner took it). Of runners claiming at once, one gets it."""
    taken = session.connection().execute(
        sa.update(NOTES)
        .where(NOTES.c.id == note_id, _claimable(now=now, lease=lease, max_attempts=max_attempts))
        .values(status=NoticeStatus.CLAIMED, claimed_by=claim, claimed_at=now, attempts=NOTES.c.attempts + 1)
    )
    if not taken.rowcount:
        return None
    query = (
        sa.select(
            NOTES.c.id,
            NOTES.c.team_id,
            NOTES.c.source,
            NOTES.c.attempts,
            NOTES.c.checkin_id,
            CUSTOMER.c.name.label("customer_name"),
            CUSTOMER.c.crm_source,
            CUSTOMER.c.crm_id,
            CHECKIN.c.occurred_on,
            NOTES.c.created_at.label("logged_at"),
            *(CHECKIN.c[name] for name in _CHECKIN_FIELDS),
            OWNER.c.email.label("author_email"),
            OWNER.c.display_name.label("author_name"),
        )
        .join(CHECKIN, CHECKIN.c.id == NOTES.c.checkin_id)
        .join(CUSTOMER, CUSTOMER.c.id == CHECKIN.c.customer_id)
        .outerjoin(
            OWNER, sa.and_(OWNER.c.team_id == NOTES.c.team_id, OWNER.c.user_id == CHECKIN.c.author_user_id)
        )
        .where(NOTES.c.id == note_id)
    )
    row = dict(session.connection().execute(query).mappings().one())
    crm_source, crm_id = row.pop("crm_source"), row.pop("crm_id")
    changes = tuple(Change(change) for change in row.pop("changes") or ())
    return NoteRow(**row, changes=changes, company_id=crm_id if crm_source == row["source"] else None)


def mark_note_sent(note_id: int, *, note_ref: str, now: datetime, session: Session) -> None:
    """The note is in the CRM as `note_ref`, whoever holds its claim now."""
    session.connection().execute(
        sa.update(NOTES)
        .where(NOTES.c.id == note_id)
        .values(status=NoticeStatus.SENT, note_id=note_ref, sent_at=now, error=None)
    )


def mark_note_failed(
    note_id: int, *, claim: str, error: str, dropped: bool = False, session: Session
) -> None:
    """Release the claim with why writing failed (or, `dropped`, never to be written), unless another
    runner has taken the note since."""
    session.connection().execute(
        sa.update(NOTES)
        .where(NOTES.c.id == note_id, NOTES.c.claimed_by == claim, NOTES.c.status == NoticeStatus.CLAIMED)
        .values(status=NoticeStatus.DROPPED if dropped else NoticeStatus.FAILED, error=error[:2000])
    )


def release_note(note_id: int, *, claim: str, session: Session) -> None:
    """Give the claimed note back untried (the CRM refused the token, not the note)."""
    session.connection().execute(
        sa.update(NOTES)
        .where(NOTES.c.id == note_id, NOTES.c.claimed_by == claim, NOTES.c.status == NoticeStatus.CLAIMED)
        .values(status=NoticeStatus.PENDING, attempts=NOTES.c.attempts - 1, claimed_by=None, claimed_at=None)
    )
