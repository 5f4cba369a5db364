"""Check-ins: storing them, and folding each into its customer's latest state.

`apply_checkin` is pure (no session, no clock). Every derived field keeps the date it came from,
so applying check-ins in any order gives the same state, and importing history never overwrites a
newer fact.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from operator import attrgetter
from typing import Protocol

from sqlalchemy import RowMapping, String, bindparam, cast, insert, or_, update
from sqlalchemy import select as core_select
from sqlmodel import Session, func, select

from bot.rules.facts import CheckInEntry, CheckInFacts
from bot.rules.limits import clean_text
from bot.rules.vocabulary import Change, Expectation, Verdict
from storage.bulk import CHECKIN, CHUNK, CUSTOMER, execute_many
from storage.customer_edits import learn_reason
from storage.fast_read import FastQuery, Reader
from storage.models import CheckIn, Customer


class CheckInFields(CheckInFacts, Protocol):
    """Everything a stored check-in holds besides bookkeeping."""

    @property
    def customer_id(self) -> int: ...
    @property
    def spoke_with(self) -> str | None: ...
    @property
    def note(self) -> str: ...


class CheckInState(Protocol):
    """A customer's latest state from its check-ins: a `Customer`, or just those columns."""

    last_checkin_on: date | None
    last_checkin_by: str | None
    last_verdict: Verdict | None
    last_verdict_on: date | None
    last_verdict_by: str | None
    reason_confirmed_on: date | None
    current_reason: str | None
    current_reason_on: date | None
    current_reason_theme: str | None
    last_expectation: Expectation | None
    last_expectation_on: date | None
    last_changes: list[Change]
    last_changes_on: date | None
    concern_on: date | None
    next_step: str | None
    next_step_due: date | None
    next_step_on: date | None


def _newer(candidate: date, current: date | None) -> bool:
    return current is None or candidate >= current


def apply_checkin(customer: CheckInState, checkin: CheckInFacts) -> None:
    """Update `customer`'s denormalised state with `checkin` (which may be older than what it has)."""
    on, by, verdict, changes = checkin.occurred_on, checkin.author_user_id, checkin.verdict, checkin.changes
    if _newer(on, customer.last_checkin_on):
        customer.last_checkin_on = on
        customer.last_checkin_by = by
    if verdict != Verdict.NOT_ASKED and _newer(on, customer.last_verdict_on):
        customer.last_verdict = verdict
        customer.last_verdict_on = on
        customer.last_verdict_by = by
    if verdict == Verdict.HOLDS and _newer(on, customer.reason_confirmed_on):
        customer.reason_confirmed_on = on
    if verdict == Verdict.CHANGED and checkin.new_reason:
        learn_reason(customer, checkin.new_reason, checkin.new_reason_theme, on)
    if checkin.expectation != Expectation.UNKNOWN and _newer(on, customer.last_expectation_on):
        customer.last_expectation = checkin.expectation
        customer.last_expectation_on = on
    if changes and _newer(on, customer.last_changes_on):
        customer.last_changes = list(changes)
        customer.last_changes_on = on
    concerning = verdict in (Verdict.WEAKENED, Verdict.CHANGED) or bool(changes)
    if concerning and _newer(on, customer.concern_on):
        customer.concern_on = on
    if checkin.next_step and _newer(on, customer.next_step_on):
        customer.next_step = checkin.next_step
        customer.next_step_due = checkin.next_step_due
        customer.next_step_on = on


# A check-in's free-text columns: cleaned of control characters on every write (the last line of
# defence: the surfaces clean and check them first), so SQLite and PostgreSQL store the same text.
TEXT_COLUMNS = ("note", "spoke_with", "new_reason", "next_step")


def _clean_texts(checkin: CheckIn) -> None:
    for name in TEXT_COLUMNS:
        value = getattr(checkin, name)
        if value:
            setattr(checkin, name, clean_text(value))


def add_checkin(checkin: CheckIn, *, customer: Customer, session: Session, now: datetime) -> CheckIn:
    """Store `checkin` for `customer` and update the customer's state; the caller commits."""
    _clean_texts(checkin)
    checkin.customer_id = customer.id  # type: ignore[assignment]
    checkin.team_id = customer.team_id
    session.add(checkin)
    apply_checkin(customer, checkin)
    customer.updated_at = now
    session.add(customer)
    return checkin


_ENTRY_COLUMNS = [CHECKIN.c[entry.name] for entry in fields(CheckInEntry)]
_LATEST = FastQuery(
    core_select(*_ENTRY_COLUMNS)
    .where(CHECKIN.c.customer_id == bindparam("customer_id"))
    .order_by(CHECKIN.c.occurred_on.desc(), CHECKIN.c.id.desc())
    .offset(bindparam("offset"))
    .limit(bindparam("limit")),
    lambda values: CheckInEntry(*values),
)


def latest_checkins(
    customer_id: int, *, reader: Reader, limit: int = 3, offset: int = 0
) -> list[CheckInEntry]:
    """A customer's check-ins, newest first."""
    return _LATEST.all(reader, customer_id=customer_id, offset=offset, limit=limit)


# A check-in is the same as one already stored when these agree (with its customer): imports skip it.
CheckInKey = tuple[date, str | None, str]


@dataclass(slots=True)
class StoredCheckInState:
    """The `CheckInState` columns of one customer, without the rest of the row."""

    last_checkin_on: date | None = None
    last_checkin_by: str | None = None
    last_verdict: Verdict | None = None
    last_verdict_on: date | None = None
    last_verdict_by: str | None = None
    reason_confirmed_on: date | None = None
    current_reason: str | None = None
    current_reason_on: date | None = None
    current_reason_theme: str | None = None
    last_expectation: Expectation | None = None
    last_expectation_on: date | None = None
    last_changes: list[Change] = field(default_factory=list)
    last_changes_on: date | None = None
    concern_on: date | None = None
    next_step: str | None = None
    next_step_due: date | None = None
    next_step_on: date | None = None


STATE_COLUMNS = tuple(f.name for f in fields(StoredCheckInState))
# A customer's check-in state as a tuple, in STATE_COLUMNS order (works on a Customer too).
state_values = attrgetter(*STATE_COLUMNS)
_CHANGES_AT = STATE_COLUMNS.index("last_changes")
INSERTED_COLUMNS = (
    "customer_id",
    "occurred_on",
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


def checkin_states(
    team_id: str, customer_ids: Collection[int], *, session: Session
) -> dict[int, StoredCheckInState]:
    """The check-in state of these customers, in one query.

    Only customers with some state are read: the others (every customer, on a first import) start
    from the empty state.
    """
    has_state = or_(
        *(CUSTOMER.c[name].is_not(None) for name in STATE_COLUMNS if name != "last_changes"),
        cast(CUSTOMER.c.last_changes, String) != "[]",
    )
    query = core_select(CUSTOMER.c.id, *(CUSTOMER.c[name] for name in STATE_COLUMNS)).where(
        CUSTOMER.c.team_id == team_id, has_state
    )
    states = {customer_id: StoredCheckInState() for customer_id in customer_ids}
    for customer_id, *values in session.connection().execute(query.execution_options(yield_per=CHUNK)):
        if customer_id in states:
            values[_CHANGES_AT] = [Change(change) for change in values[_CHANGES_AT] or ()]
            states[customer_id] = StoredCheckInState(*values)
    return states


def _saved_state(item: tuple[int, StoredCheckInState]) -> tuple[object, ...]:
    """A customer's id and state values, its changes as a tuple (one JSON value for equal lists)."""
    customer_id, state = item
    values = [customer_id, *state_values(state)]
    values[1 + _CHANGES_AT] = tuple(state.last_changes)
    return tuple(values)


def save_checkin_states(states: Mapping[int, StoredCheckInState], *, now: datetime, session: Session) -> None:
    """Write these customers' check-in state back, in bulk."""
    execute_many(
        update(CUSTOMER).where(CUSTOMER.c.id == bindparam("customer_id")),
        ("customer_id", *STATE_COLUMNS),
        map(_saved_state, states.items()),
        constants={"updated_at": now},
        session=session,
    )


def checkin_keys(
    team_id: str, customer_ids: Collection[int], *, session: Session
) -> dict[int, set[CheckInKey]]:
    """The keys of these customers' stored check-ins (one query), to skip a check-in stored already."""
    query = core_select(
        CHECKIN.c.customer_id, CHECKIN.c.occurred_on, CHECKIN.c.author_user_id, CHECKIN.c.note
    ).where(CHECKIN.c.team_id == team_id)
    keys: dict[int, set[CheckInKey]] = {}
    for customer_id, occurred_on, author, note in session.connection().execute(
        query.execution_options(yield_per=CHUNK)
    ):
        if customer_id in customer_ids:
            keys.setdefault(customer_id, set()).add((occurred_on, author, note))
    return keys


def insert_checkins(
    team_id: str, checkins: Iterable[CheckInFields], *, source: str, now: datetime, session: Session
) -> None:
    """Store check-ins in bulk, without touching their customers' state."""
    execute_many(
        insert(CHECKIN),
        INSERTED_COLUMNS,
        map(attrgetter(*INSERTED_COLUMNS), checkins),
        constants={"team_id": team_id, "source": source, "created_at": now},
        session=session,
    )


def checkin_rows(team_id: str, *, session: Session) -> Iterator[RowMapping]:
    """Every check-in of the workspace with its customer's name, by customer, date and entry order."""
    query = (
        core_select(CHECKIN, CUSTOMER.c.name.label("customer"))
        .join(CUSTOMER, CUSTOMER.c.id == CHECKIN.c.customer_id)
        .where(CHECKIN.c.team_id == team_id)
        .order_by(CUSTOMER.c.name_key, CHECKIN.c.occurred_on, CHECKIN.c.id)
    )
    yield from session.connection().execute(query.execution_options(yield_per=CHUNK)).mappings()


def checkin_by_request_key(team_id: str, request_key: str, *, session: Session) -> CheckIn | None:
    """The check-in a request already stored (a Slack retry carries the same key)."""
    query = select(CheckIn).where(CheckIn.team_id == team_id, CheckIn.request_key == request_key)
    return session.exec(query).first()


def checkin_by_id(team_id: str, checkin_id: int, *, session: Session) -> CheckIn | None:
    checkin = session.get(CheckIn, checkin_id)
    return checkin if checkin is not None and checkin.team_id == team_id else None


def checkin_count(customer_id: int, *, session: Session) -> int:
    query = select(func.count()).select_from(CheckIn).where(CheckIn.customer_id == customer_id)
    return int(session.exec(query).one())


def record_verdict(
    checkin: CheckIn,
    verdict: Verdict,
    *,
    customer: Customer,
    session: Session,
    new_reason: str | None = None,
    new_reason_theme: str | None = None,
    now: datetime,
) -> CheckIn:
    """Set the reason verdict of a stored check-in (a new reason with its theme) and fold it into the
    customer; the caller commits."""
    checkin.verdict = verdict
    if verdict == Verdict.CHANGED and new_reason:
        checkin.new_reason = clean_text(new_reason)
        checkin.new_reason_theme = new_reason_theme
    session.add(checkin)
    apply_checkin(customer, checkin)
    customer.updated_at = now
    session.add(customer)
    return checkin
