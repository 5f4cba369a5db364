"""Mark a customer lost or inactive (its nudges stop; a lost one records why), or active again.

Only its owner may (as for the digest's controls: `refusal`). Each change is a `status` line in the
customer's history, with the why as its note.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.operations.actor import Actor
from bot.operations.digest_controls import Refused, refusal
from bot.rules.edits import status_mistakes
from bot.rules.limits import clean_text
from bot.rules.vocabulary import Inactive
from bot.services import Services
from storage.changes import record_changes
from storage.customer_edits import mark_inactive as store_inactive
from storage.customer_edits import reactivate as store_active
from storage.customers import customer_by_id


@dataclass(frozen=True)
class StatusForm:
    """What the lost / inactive form asks about: the customer, and the actor's today (the default day)."""

    customer_id: int
    name: str
    kind: Inactive
    today: date


@dataclass(frozen=True)
class StatusChanged:
    customer_name: str
    status: Inactive | None  # None: active again


@dataclass(frozen=True)
class StatusNotChanged:
    """Nothing stored: field (`why`, `on`) → what to fix."""

    mistakes: dict[str, str]


def status_form(services: Services, actor: Actor, customer_id: int, kind: Inactive) -> StatusForm | Refused:
    """The form to mark the customer `kind`, or why the actor may not."""
    with services.database.session() as session:
        customer = customer_by_id(actor.team_id, customer_id, session=session)
        refused = refusal(customer, actor)
        if refused is not None or customer is None:
            return refused or Refused()
        return StatusForm(customer_id, customer.name, kind, actor.today(services.clock()))


def mark_inactive(
    services: Services, actor: Actor, customer_id: int, kind: Inactive, *, why: str, on: date | None
) -> StatusChanged | StatusNotChanged | Refused:
    """Stop the customer's nudges: lost (why required) or inactive since `on`, by the actor."""
    now = services.clock()
    why = clean_text(why).strip()
    mistakes = status_mistakes(kind, why=why, on=on, today=actor.today(now))
    if mistakes:
        return StatusNotChanged(mistakes)
    assert on is not None  # checked above
    with services.database.transaction() as session:
        customer = customer_by_id(actor.team_id, customer_id, session=session)
        refused = refusal(customer, actor)
        if refused is not None or customer is None or customer.id is None:
            return refused or Refused()
        change = store_inactive(customer, kind, on=on, why=why, now=now, session=session)
        record_changes(
            actor.team_id,
            customer.id,
            [change],
            by=actor.user_id,
            source="slack",
            now=now,
            session=session,
            note=why or None,
        )
        return StatusChanged(customer.name, kind)


def reactivate(services: Services, actor: Actor, customer_id: int) -> StatusChanged | Refused:
    """Nudge the customer again, by the actor."""
    now = services.clock()
    with services.database.transaction() as session:
        customer = customer_by_id(actor.team_id, customer_id, session=session)
        refused = refusal(customer, actor)
        if refused is not None or customer is None or customer.id is None:
            return refused or Refused()
        change = store_active(customer, now=now, session=session)
        record_changes(
            actor.team_id, customer.id, [change], by=actor.user_id, source="slack", now=now, session=session
        )
        return StatusChanged(customer.name, None)
