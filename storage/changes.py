"""The one door for `CustomerChange` rows: a customer's field-by-field history.

Each function takes the session as a keyword and never commits; the caller owns the transaction.
Values are stored as text, the way a person reads them in the history (`bot.rules.edits.as_text`:
dates ISO, amounts plain).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, func, select

from storage.bulk import batched
from storage.models import CustomerChange


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field's old and new value, as text (None: empty)."""

    field: str
    old: str | None
    new: str | None


def record_changes(
    team_id: str,
    customer_id: int,
    changes: Iterable[FieldChange],
    *,
    by: str | None,
    source: str,
    now: datetime,
    session: Session,
    note: str | None = None,
) -> list[CustomerChange]:
    """Add a history row for each change whose value really differs; return the rows added."""
    rows = [
        CustomerChange(
            team_id=team_id,
            customer_id=customer_id,
            changed_at=now,
            changed_by=by,
            source=source,
            field=change.field,
            old_value=change.old,
            new_value=change.new,
            note=note,
        )
        for change in changes
        if change.old != change.new
    ]
    session.add_all(rows)
    return rows


def changes_of(
    team_id: str, customer_id: int, *, session: Session, limit: int | None = None
) -> Sequence[CustomerChange]:
    """The customer's changes, newest first (the first `limit`, when given)."""
    query = (
        select(CustomerChange)
        .where(CustomerChange.team_id == team_id, CustomerChange.customer_id == customer_id)
        .order_by(CustomerChange.changed_at.desc(), CustomerChange.id.desc())  # type: ignore[attr-defined,union-attr]
        .limit(limit)
    )
    return session.exec(query).all()


def change_count(team_id: str, customer_id: int, *, session: Session) -> int:
    query = (
        select(func.count())
        .select_from(CustomerChange)
        .where(CustomerChange.team_id == team_id, CustomerChange.customer_id == customer_id)
    )
    return int(session.exec(query).one())


def add_change_rows(rows: Iterable[CustomerChange], *, session: Session) -> None:
    """Store many history rows at once (an import), in chunks."""
    for chunk in batched(rows):
        session.add_all(chunk)
