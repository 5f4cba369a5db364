"""Queries for the daily digest: what planning reads, the owners, and the nudge ledger.

Each function takes the session as a keyword and never commits; the caller owns the transaction.
The ledger protocol (claim, send, mark) is explained in `bot.nudge_job`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, NamedTuple, get_type_hints

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.types import NullType
from sqlmodel import Session, col, select

from bot.rules.vocabulary import Change, Verdict
from storage.enums import DigestStatus
from storage.models import Customer, NudgeDigest, Owner


class CustomerRow(NamedTuple):
    """The columns planning reads: a light stand-in for `Customer` (it satisfies `CustomerFacts`).

    A tuple, not an ORM object: planning reads every active customer, and this is the cheap shape.
    Only what the nudge rules and the digest read (no expectation: that is health's).
    """

    id: int
    team_id: str
    owner_user_id: str
    name: str
    arr: float | None
    active: bool
    cadence_days: int | None
    customer_since: date | None
    renewal_date: date | None
    original_reason: str | None
    current_reason: str | None
    snoozed_until: date | None
    last_checkin_on: date | None
    last_verdict: Verdict | None
    last_verdict_on: date | None
    reason_confirmed_on: date | None
    concern_on: date | None
    last_changes_on: date | None
    next_step: str | None
    next_step_due: date | None
    last_changes: Sequence[Change] = ()


class _Decoded(dict[Any, Any]):
    """Raw column values to Python ones, each distinct value decoded once (NULL reads as `null`).

    A book has a few thousand distinct days, verdicts and change lists among millions of cells: one
    dict lookup each beats SQLAlchemy's per-cell result processors, and equal values share one object.
    """

    def __init__(self, decode: Callable[[Any], Any], null: Any = None) -> None:
        super().__init__({None: null})
        self._decode = decode

    def __missing__(self, raw: Any) -> Any:
        value = self[raw] = self._decode(raw)
        return value


def _date(raw: str | date) -> date:
    """SQLite hands dates over as ISO text, psycopg as dates."""
    return raw if isinstance(raw, date) else date.fromisoformat(raw)


def _changes(raw: str) -> tuple[Change, ...]:
    return tuple(Change(value) for value in json.loads(raw or "[]"))


# Each decoded column: how to decode a value, and what NULL reads as.
_DECODERS: dict[str, tuple[Callable[[Any], Any], Any]] = {
    "last_verdict": (Verdict, None),
    "last_changes": (_changes, ()),
} | {name: (_date, None) for name, kind in get_type_hints(CustomerRow).items() if kind == date | None}
_SELECTED = [name for name in CustomerRow._fields if name != "active"]  # only active rows are read


def _planning_column(name: str) -> Any:
    column = getattr(Customer, name)
    if name == "last_changes":  # JSON: read as its text on both backends; most are empty, read as NULL
        return sa.func.nullif(sa.cast(column, sa.Text), "[]").label(name)
    # Columns decoded here are read raw, past SQLAlchemy's result processing.
    return sa.type_coerce(column, NullType()).label(name) if name in _DECODERS else column


_PLANNING_COLUMNS = [_planning_column(name) for name in _SELECTED]
_CHUNK = 10_000
_DIGESTS: sa.Table = NudgeDigest.__table__  # type: ignore[attr-defined]
_OWNERS: sa.Table = Owner.__table__  # type: ignore[attr-defined]


def planning_customers(*, session: Session, owner_user_id: str | None = None) -> list[CustomerRow]:
    """Every active customer (of one owner, if given), as light rows, in one query.

    Decoded column by column (`_Decoded`), not cell by cell, a chunk of rows at a time (so the raw rows
    never all sit in memory next to the decoded ones): planning reads the whole book.
    """
    query = sa.select(*_PLANNING_COLUMNS).where(col(Customer.active).is_(True))
    if owner_user_id is not None:
        query = query.where(col(Customer.owner_user_id) == owner_user_id)
    decoders = {name: _Decoded(decode, null).__getitem__ for name, (decode, null) in _DECODERS.items()}
    customers: list[CustomerRow] = []
    for chunk in session.connection().execute(query).partitions(_CHUNK):
        columns: dict[str, Iterable[Any]] = dict(zip(_SELECTED, zip(*chunk, strict=True), strict=True))
        for name, decoded in decoders.items():
            columns[name] = map(decoded, columns[name])
        columns["active"] = [True] * len(chunk)
        values = zip(*(columns[name] for name in CustomerRow._fields), strict=True)
        customers.extend(map(CustomerRow._make, values))
    return customers


class OwnerRow(NamedTuple):
    """What planning reads about an owner: a light stand-in for `Owner`."""

    team_id: str
    user_id: str
    tz: str
    paused_until: date | None
    deactivated: bool


_OWNER_COLUMNS = [getattr(Owner, name) for name in OwnerRow._fields]


def planning_owners(*, session: Session) -> list[OwnerRow]:
    """Every owner, as light rows (planning reads them all)."""
    return [OwnerRow._make(row) for row in session.connection().execute(sa.select(*_OWNER_COLUMNS))]


def owner_pairs_with_customers(*, session: Session) -> set[tuple[str, str]]:
    """(team, user) of everyone who owns an active customer."""
    query = (
        sa.select(col(Customer.team_id), col(Customer.owner_user_id))
        .where(col(Customer.active).is_(True))
        .distinct()
    )
    return {(team, user) for team, user in session.connection().execute(query)}


def _insert(session: Session, table: Any) -> Any:
    """An INSERT that can skip rows violating a unique constraint, on either backend."""
    dialect = session.connection().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def ensure_owners(pairs: Iterable[tuple[str, str]], *, session: Session) -> int:
    """Add an `Owner` row (time zone not yet known) for every (team, user) without one; returns how many."""
    known = {(o.team_id, o.user_id) for o in session.exec(select(Owner)).all()}
    missing = sorted(set(pairs) - known)
    if not missing:
        return 0
    statement = _insert(session, _OWNERS).on_conflict_do_nothing(index_elements=["team_id", "user_id"])
    session.execute(
        statement,
        [{"team_id": t, "user_id": u, "tz": "UTC", "deactivated": False} for t, u in missing],
    )
    return len(missing)


def all_owners(*, session: Session) -> Sequence[Owner]:
    return session.exec(select(Owner).order_by(col(Owner.team_id), col(Owner.user_id))).all()


def owner_by_user(team_id: str, user_id: str, *, session: Session) -> Owner | None:
    return session.exec(select(Owner).where(Owner.team_id == team_id, Owner.user_id == user_id)).first()


def owners_to_refresh(now: datetime, max_age: timedelta, *, session: Session) -> Sequence[Owner]:
    """Owners whose Slack time zone was never read, or not for `max_age`."""
    query = select(Owner).where(
        sa.or_(col(Owner.tz_refreshed_at).is_(None), col(Owner.tz_refreshed_at) <= now - max_age)
    )
    return session.exec(query.order_by(col(Owner.id))).all()


class ClaimRefused(StrEnum):
    """Why a runner may not send an owner's digest now."""

    ALREADY_SENT = "already sent"
    IN_PROGRESS = "being sent by another runner"
    GAVE_UP = "failed too often today"


@dataclass(frozen=True)
class Claim:
    """A runner's hold on one owner's digest for one day; `attempts` > 1 means an earlier try may have
    reached Slack."""

    digest_id: int
    attempts: int
    channel: str | None
    runner: str


def claim_digest(
    *,
    team_id: str,
    owner_user_id: str,
    local_day: date,
    customer_ids: list[int],
    runner: str,
    now: datetime,
    lease: timedelta,
    max_attempts: int | None,
    session: Session,
) -> Claim | ClaimRefused:
    """Claim the owner's digest for `local_day`: insert the ledger row, or take over a failed one or a
    claimed one whose lease expired. Only one of any number of concurrent callers gets a `Claim`."""
    values = {
        "team_id": team_id,
        "owner_user_id": owner_user_id,
        "local_day": local_day,
        "status": DigestStatus.CLAIMED,
        "claimed_by": runner,
        "claimed_at": now,
        "attempts": 1,
        "customer_ids": customer_ids,
    }
    table = _DIGESTS
    inserted = session.execute(
        _insert(session, table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["team_id", "owner_user_id", "local_day"])
        .returning(table.c.id)
    ).scalar()
    if inserted is not None:
        return Claim(int(inserted), 1, None, runner)
    row = session.execute(
        sa.select(table.c.id, table.c.status, table.c.attempts, table.c.claimed_at, table.c.channel).where(
            table.c.team_id == team_id,
            table.c.owner_user_id == owner_user_id,
            table.c.local_day == local_day,
        )
    ).one()
    status = DigestStatus(row.status)
    if status == DigestStatus.SENT:
        return ClaimRefused.ALREADY_SENT
    if status == DigestStatus.CLAIMED and row.claimed_at > now - lease:
        return ClaimRefused.IN_PROGRESS
    if max_attempts is not None and row.attempts >= max_attempts:
        return ClaimRefused.GAVE_UP
    # Conditional on what we read: of two runners taking over at once, only one matches.
    taken = session.execute(
        sa.update(table)
        .where(table.c.id == row.id, table.c.status == row.status, table.c.attempts == row.attempts)
        .values(
            status=DigestStatus.CLAIMED,
            claimed_by=runner,
            claimed_at=now,
            attempts=row.attempts + 1,
            customer_ids=customer_ids,
        )
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        return ClaimRefused.IN_PROGRESS
    return Claim(int(row.id), int(row.attempts) + 1, row.channel, runner)


def mark_sent(digest_id: int, *, channel: str, ts: str, now: datetime, session: Session) -> None:
    """The digest is in Slack: record where, whoever holds the claim now (the message exists)."""
    table = _DIGESTS
    session.execute(
        sa.update(table)
        .where(table.c.id == digest_id)
        .values(status=DigestStatus.SENT, channel=channel, message_ts=ts, sent_at=now, error=None)
    )


def mark_failed(claim: Claim, *, error: str, channel: str | None, session: Session) -> bool:
    """Record why sending failed, unless another runner has taken the claim over since."""
    table = _DIGESTS
    result = session.execute(
        sa.update(table)
        .where(
            table.c.id == claim.digest_id,
            table.c.status == DigestStatus.CLAIMED,
            table.c.claimed_by == claim.runner,
            table.c.attempts == claim.attempts,
        )
        .values(status=DigestStatus.FAILED, error=error[:2000], channel=channel)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def sent_digest_keys(days: Iterable[date], *, session: Session) -> set[tuple[str, str, date]]:
    """(team, owner, day) of the digests already sent on `days`."""
    wanted = sorted(set(days))
    if not wanted:
        return set()
    query = sa.select(
        col(NudgeDigest.team_id), col(NudgeDigest.owner_user_id), col(NudgeDigest.local_day)
    ).where(col(NudgeDigest.local_day).in_(wanted), col(NudgeDigest.status) == DigestStatus.SENT)
    return {(t, o, d) for t, o, d in session.connection().execute(query)}


def digest_by_id(digest_id: int, *, session: Session) -> NudgeDigest | None:
    return session.get(NudgeDigest, digest_id)
