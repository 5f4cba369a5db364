"""Changing a customer by hand: the edit form's fields, and marking it lost, inactive or active again;
and learning their reason now (`learn_reason`, which a changed check-in comes through too).

Each function sets the fields, stamps `updated_at`, keeps `active` False exactly when `inactive_kind`
is set, and returns what changed as its history records it (`storage.changes.record_changes`). None
commits: the operation owns the transaction. The owner changes through `hand_over_customer`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from sqlmodel import Session

from bot.rules.edits import ACTIVE, Field, as_text
from bot.rules.limits import clean_text
from bot.rules.nudges import reason_text
from bot.rules.themes import reason_theme
from bot.rules.vocabulary import Inactive
from storage.changes import FieldChange
from storage.models import Customer


class ReasonState(Protocol):
    """A customer's latest known reason, its theme and the day it was learned (a `Customer`, or just
    those columns)."""

    current_reason: str | None
    current_reason_on: date | None
    current_reason_theme: str | None


def learn_reason(customer: ReasonState, reason: str, theme: str | None, on: date) -> None:
    """Their reason now is `reason`, of `theme` (None: not set), learned on `on`, unless a reason learned
    later is known already (a reason learned the same day replaces it).

    The original reason stays as it was recorded (a check-in that says the reason changed, and the edit
    form, both come through here)."""
    if customer.current_reason_on is None or on >= customer.current_reason_on:
        customer.current_reason = reason
        customer.current_reason_on = on
        customer.current_reason_theme = theme


@dataclass(frozen=True, slots=True)
class EditedFields:
    """The edit form's fields, checked (`reason` None: no reason known, and none is set; `reason_theme`:
    the theme of the reason, a `bot.rules.themes` key or None)."""

    reason: str | None
    reason_theme: str | None
    since: date | None
    renewal: date | None
    arr: float | None
    cadence_days: int | None


def _edited(customer: Customer) -> dict[Field, str | None]:
    return {
        Field.REASON: reason_text(customer),
        Field.REASON_THEME: reason_theme(customer),
        Field.SINCE: as_text(customer.customer_since),
        Field.RENEWAL: as_text(customer.renewal_date),
        Field.ARR: as_text(customer.arr),
        Field.CADENCE: as_text(customer.cadence_days),
    }


def _stamp(customer: Customer, now: datetime, session: Session) -> None:
    customer.updated_at = now
    session.add(customer)


def edit_customer(
    customer: Customer, fields: EditedFields, *, today: date, now: datetime, session: Session
) -> list[FieldChange]:
    """Set the edited fields (a new reason as learned `today`, with its theme; the first one known becomes
    the original reason; a theme alone is the theme of the reason as it stands); return the fields that
    changed, old and new."""
    before = _edited(customer)
    reason = clean_text(fields.reason).strip() if fields.reason else None
    theme = fields.reason_theme if reason or reason_text(customer) else None
    if reason and reason != reason_text(customer):
        if customer.original_reason is None:
            customer.original_reason, customer.original_reason_on = reason, today
            customer.original_reason_theme = theme
        else:
            learn_reason(customer, reason, theme, today)
    elif customer.current_reason:
        customer.current_reason_theme = theme
    elif customer.original_reason:
        customer.original_reason_theme = theme
    customer.customer_since = fields.since
    customer.renewal_date = fields.renewal
    customer.arr = fields.arr
    customer.cadence_days = fields.cadence_days
    after = _edited(customer)
    changes = [
        FieldChange(field, before[field], after[field]) for field in before if before[field] != after[field]
    ]
    if changes:
        _stamp(customer, now, session)
    return changes


def status_of(customer: Customer) -> str:
    """`active`, or how it is inactive (`lost`, `inactive`), as history records the status."""
    return customer.inactive_kind.value if customer.inactive_kind else ACTIVE


def mark_inactive(
    customer: Customer, kind: Inactive, *, on: date, why: str | None, now: datetime, session: Session
) -> FieldChange:
    """Stop the customer's nudges: it is lost or inactive since `on`, for `why`."""
    old = status_of(customer)
    customer.active = False
    customer.inactive_kind = kind
    customer.inactive_on = on
    customer.inactive_why = (clean_text(why).strip() or None) if why else None
    _stamp(customer, now, session)
    return FieldChange(Field.STATUS, old, kind.value)


def reactivate(customer: Customer, *, now: datetime, session: Session) -> FieldChange:
    """Nudge the customer again: active, with no inactive kind, day or why."""
    old = status_of(customer)
    customer.active = True
    customer.inactive_kind = None
    customer.inactive_on = None
    customer.inactive_why = None
    _stamp(customer, now, session)
    return FieldChange(Field.STATUS, old, ACTIVE)
