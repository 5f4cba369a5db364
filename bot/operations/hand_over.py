"""Hand a customer over to its real owner, from the digest's "Not my customer"."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from bot.operations.actor import Actor
from bot.operations.digest_controls import Refused, refusal
from bot.rules.facts import CheckInEntry, CustomerFacts
from bot.services import Services
from storage.checkins import latest_checkins
from storage.customers import customer_by_id, hand_over_customer
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
        hand_over_customer(customer, new_owner, now=now, session=session)
        ensure_owners([(actor.team_id, new_owner)], session=session)
    logger.info("customer %s handed from %s to %s", customer_id, actor.user_id, new_owner)
    with services.database.reader() as reader:
        last = next(iter(latest_checkins(customer_id, reader=reader, limit=1)), None)
    return HandedOver(customer, new_owner, actor.today(now), last)
