"""Check-ins: storing them, and folding each into its customer's latest state.

`apply_checkin` is pure (no session, no clock). Every derived field keeps the date it came from,
so applying check-ins in any order gives the same state, and importing history never overwrites a
newer fact.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlmodel import Session, col, func, select

from storage.enums import Expectation, Verdict
from storage.models import CheckIn, Customer
from storage.types import utcnow


def _newer(candidate: date, current: date | None) -> bool:
    return current is None or candidate >= current


def apply_checkin(customer: Customer, checkin: CheckIn) -> None:
    """Update `customer`'s denormalised state with `checkin` (which may be older than what it has)."""
    on = checkin.occurred_on
    if _newer(on, customer.last_checkin_on):
        customer.last_checkin_on = on
        customer.last_checkin_by = checkin.author_user_id
    if checkin.verdict != Verdict.NOT_ASKED and _newer(on, customer.last_verdict_on):
        customer.last_verdict = checkin.verdict
        customer.last_verdict_on = on
        customer.last_verdict_by = checkin.author_user_id
    if checkin.verdict == Verdict.HOLDS and _newer(on, customer.reason_confirmed_on):
        customer.reason_confirmed_on = on
    if checkin.verdict == Verdict.CHANGED and checkin.new_reason and _newer(on, customer.current_reason_on):
        customer.current_reason = checkin.new_reason
        customer.current_reason_on = on
    if checkin.expectation != Expectation.UNKNOWN and _newer(on, customer.last_expectation_on):
        customer.last_expectation = checkin.expectation
        customer.last_expectation_on = on
    if checkin.changes and _newer(on, customer.last_changes_on):
        customer.last_changes = list(checkin.changes)
        customer.last_changes_on = on
    concerning = checkin.verdict in (Verdict.WEAKENED, Verdict.CHANGED) or bool(checkin.changes)
    if concerning and _newer(on, customer.concern_on):
        customer.concern_on = on
    if checkin.next_step and _newer(on, customer.next_step_on):
        customer.next_step = checkin.next_step
        customer.next_step_due = checkin.next_step_due
        customer.next_step_on = on


def add_checkin(
    checkin: CheckIn, *, customer: Customer, session: Session, now: datetime | None = None
) -> CheckIn:
    """Store `checkin` for `customer` and update the customer's state; the caller commits."""
    checkin.customer_id = customer.id  # type: ignore[assignment]
    checkin.team_id = customer.team_id
    session.add(checkin)
    apply_checkin(customer, checkin)
    customer.updated_at = now or utcnow()
    session.add(customer)
    return checkin


def latest_checkins(
    customer_id: int, *, session: Session, limit: int = 3, offset: int = 0
) -> Sequence[CheckIn]:
    """A customer's check-ins, newest first."""
    query = (
        select(CheckIn)
        .where(CheckIn.customer_id == customer_id)
        .order_by(col(CheckIn.occurred_on).desc(), col(CheckIn.id).desc())
        .offset(offset)
        .limit(limit)
    )
    return session.exec(query).all()


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
    now: datetime | None = None,
) -> CheckIn:
    """Set the reason verdict of a stored check-in and fold it into the customer; the caller commits."""
    checkin.verdict = verdict
    if verdict == Verdict.CHANGED and new_reason:
        checkin.new_reason = new_reason
    session.add(checkin)
    apply_checkin(customer, checkin)
    customer.updated_at = now or utcnow()
    session.add(customer)
    return checkin
