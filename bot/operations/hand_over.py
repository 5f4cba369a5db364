"""Hand a customer over to another owner: from the digest's "Not my customer", or the edit form."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from bot.operations.actor import Actor
from bot.operations.digest_controls import Refused, refusal
from bot.rules.edits import Field
from bot.rules.facts import CheckInEntry, CustomerFacts
from bot.services import Services
from storage.changes import FieldChange, record_changes
from storage.checkins import latest_checkins
from storage.customers import customer_by_id, hand_over_customer
from storage.models import Customer
from storage.owners import ensure_owners

logger = logging.getLogger("holdfast.digest")


@dataclass(frozen=True)
class MayHandOver:
    customer_name: str


@dataclass(frozen=True)
class HandedOver:
    """The customer, now `new_owner`'s (`kept`: the actor named themselves, nothing changed), with
    its last conversation and the actor's `today`, for the new owner's message."""

    customer: CustomerFacts
    new_owner: str
    today: date
    last: CheckInEntry | None = None
    kept: bool = False


def may_hand_over(services: Services, actor: Actor, customer_id: int) -> MayHandOver | Refused:
    """Whether the actor may hand the customer over (they own it)."""
    with services.database.session() as session:
        customer = customer_by_id(actor.team_id, customer_id, session=session)
        refused = refusal(customer, actor)
        if refused is not None or customer is None:
            return refused or Refused()
        return MayHandOver(customer.name)


def give(customer: Customer, new_owner: str, actor: Actor, *, now: datetime, session: Session) -> None:
    """Make `new_owner` (whom the caller checked may own customers) the owner, with an Owner row and a
    line in the customer's history; the caller commits."""
    assert customer.id is not None  # a stored customer
    old = customer.owner_user_id
    hand_over_customer(customer, new_owner, now=now, session=session)
    ensure_owners([(actor.team_id, new_owner)], session=session)
    change = FieldChange(Field.OWNER, old, new_owner)
    record_changes(
        actor.team_id, customer.id, [change], by=actor.user_id, source="slack", now=now, session=session
    )
    logger.info("customer %s handed from %s to %s", customer.id, old, new_owner)


def handed_over(services: Services, actor: Actor, customer: Customer, now: datetime) -> HandedOver:
    """What the new owner is told of a customer `give` handed over (once committed)."""
    with services.database.reader() as reader:
        last = next(iter(latest_checkins(customer.id or 0, reader=reader, limit=1)), None)
    return HandedOver(customer, customer.owner_user_id, actor.today(now), last)


def hand_over(services: Services, actor: Actor, customer_id: int, new_owner: str) -> HandedOver | Refused:
    """Give the actor's customer to `new_owner` (who the caller checked may own customers)."""
    with services.database.transaction() as session:
        customer = customer_by_id(actor.team_id, customer_id, session=session)
        refused = refusal(customer, actor)
        if refused is not None or customer is None:
            return refused or Refused()
        now = services.clock()
        if new_owner == actor.user_id:
            return HandedOver(customer, new_owner, actor.today(now), kept=True)
        give(customer, new_owner, actor, now=now, session=session)
    return handed_over(services, actor, customer, now)
