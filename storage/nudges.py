"""Queries for the daily digest: what planning reads, and the nudge ledger (owners: `storage.owners`).

Each function takes the session as a keyword and never commits; the caller owns the transaction.
The ledger protocol (claim, send, mark) is explained in `bot.nudge_job`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple, get_type_hints

import sqlalchemy as sa
from sqlalchemy.types import NullType
from sqlmodel import Session, col

from bot.rules.vocabulary import Change, Verdict
from storage.bulk import CUSTOMER, batched
from storage.ledger import Claim, ClaimRefused, claim_row, mark_row_failed, mark_row_sent, refusal
from storage.models import Customer, NudgeDigest, Owner
from storage.sql import scanned


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
_OWNERS_PER_QUERY = 1_000
_DIGESTS: sa.Table = NudgeDigest.__table__  # type: ignore[attr-defined]


def planning_customers(
    *, session: Session, team_id: str | None = None, owner_user_ids: Collection[str] | None = None
) -> list[CustomerRow]:
    """Every active customer (of one workspace, and of some owners in it, if given), as light rows.

    Decoded column by column (`_Decoded`), not cell by cell, a chunk of rows at a time (so the raw rows
    never all sit in memory next to the decoded ones): planning may read the whole book.
    """
    query = sa.select(*_PLANNING_COLUMNS).where(col(Customer.active).is_(True))
    if team_id is not None:
        # The whole workspace is most of the table: scanned, not searched (`storage.sql.scanned`);
        # some owners' customers come through the (team, owner, active) index.
        team = CUSTOMER.c.team_id if owner_user_ids is not None else scanned(CUSTOMER.c.team_id)
        query = query.where(team == team_id)
    queries = [query]
    if owner_user_ids is not None:
        owner = col(Customer.owner_user_id)
        queries = [
            query.where(owner.in_(some)) for some in batched(sorted(owner_user_ids), _OWNERS_PER_QUERY)
        ]
    decoders = {name: _Decoded(decode, null).__getitem__ for name, (decode, null) in _DECODERS.items()}
    customers: list[CustomerRow] = []
    for each in queries:
        for chunk in session.connection().execute(each).partitions(_CHUNK):
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
    digest_hour: int | None
    digest_weekdays: str | None


def planning_owners(*, session: Session) -> dict[tuple[str, str], OwnerRow | None]:
    """Everyone who owns an active customer, by (team, user), with their row (None: no row yet).

    Cheap at any book size: the distinct owners come from the (team, owner) index, and each is
    checked for one active customer by an index search that stops at the first.
    """
    owners = (
        sa.select(col(Customer.team_id).label("team_id"), col(Customer.owner_user_id).label("user_id"))
        .distinct()
        .subquery()
    )
    has_active = (
        sa.select(sa.literal(1))
        .where(
            col(Customer.team_id) == owners.c.team_id,
            col(Customer.owner_user_id) == owners.c.user_id,
            col(Customer.active).is_(True),
        )
        .exists()
    )
    row = [col(getattr(Owner, name)) for name in OwnerRow._fields[2:]]
    query = (
        sa.select(owners.c.team_id, owners.c.user_id, col(Owner.id), *row)
        .outerjoin(
            Owner, sa.and_(col(Owner.team_id) == owners.c.team_id, col(Owner.user_id) == owners.c.user_id)
        )
        .where(has_active)
    )
    return {
        (team, user): None if owner_id is None else OwnerRow(team, user, *rest)
        for team, user, owner_id, *rest in session.connection().execute(query)
    }


_DIGEST_KEY = ("team_id", "owner_user_id", "local_day")


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
    key = {"team_id": team_id, "owner_user_id": owner_user_id, "local_day": local_day}
    return claim_row(
        _DIGESTS,
        key,
        runner=runner,
        now=now,
        lease=lease,
        max_attempts=max_attempts,
        session=session,
        values={"customer_ids": customer_ids},
    )


def mark_sent(digest_id: int, *, channel: str, ts: str, now: datetime, session: Session) -> None:
    """The digest is in Slack: record where, whoever holds the claim now (the message exists)."""
    mark_row_sent(_DIGESTS, digest_id, channel=channel, ts=ts, now=now, session=session)


def mark_failed(claim: Claim, *, error: str, channel: str | None, session: Session) -> bool:
    """Record why sending failed, unless another runner has taken the claim over since."""
    return mark_row_failed(_DIGESTS, claim, error=error, channel=channel, session=session)


def claim_refusals(
    keys: Iterable[tuple[str, str, date]],
    *,
    now: datetime,
    lease: timedelta,
    max_attempts: int | None,
    session: Session,
) -> dict[tuple[str, str, date], ClaimRefused]:
    """Of these (team, owner, local day) digests, those `claim_digest` would refuse at `now`, and why.

    A read, so only a hint: another runner may claim or send a digest just after; the claim decides.
    """
    wanted = set(keys)
    owners_by_team: dict[str, set[str]] = defaultdict(set)
    for team_id, owner_user_id, _ in wanted:
        owners_by_team[team_id].add(owner_user_id)
    days = sorted({day for _, _, day in wanted})
    table = _DIGESTS
    columns = [*(table.c[name] for name in _DIGEST_KEY), table.c.status, table.c.claimed_at, table.c.attempts]
    refusals = {}
    for team_id, owners in sorted(owners_by_team.items()):
        for some in batched(sorted(owners), _OWNERS_PER_QUERY):  # searches of the ledger's unique index
            query = sa.select(*columns).where(
                table.c.team_id == team_id, table.c.owner_user_id.in_(some), table.c.local_day.in_(days)
            )
            for *key, status, claimed_at, attempts in session.execute(query):
                refused = refusal(
                    status, claimed_at, attempts, now=now, lease=lease, max_attempts=max_attempts
                )
                if tuple(key) in wanted and refused is not None:
                    refusals[team_id, key[1], key[2]] = refused
    return refusals


def digest_by_id(digest_id: int, *, session: Session) -> NudgeDigest | None:
    return session.get(NudgeDigest, digest_id)
