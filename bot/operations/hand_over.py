"""Hand a customer over to its real owner, from the digest's "Not my customer"."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.operations.actor import Actor
from bot.operations.digest_controls import Refused, refusal
from bot.rules.facts import CustomerFacts
from bot.services import Services
from storage.customers import customer_by_id, hand_over_customer
from storage.owners import ensure_owners

logger = logging.getLogger("holdfast.digest")


@dataclass(frozen=True)
class MayHandOver:
    customer_name: str


@dataclass(frozen=True)
class HandedOver:
    """The customer, now `new_owner`'s (`kept`: the actor named themselves, nothing changed)."""

    customer: CustomerFacts
    new_owner: str
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
        if new_owner == actor.user_id:
            return HandedOver(customer, new_owner, kept=True)
        hand_over_customer(customer, new_owner, now=services.clock(), session=session)
        ensure_owners([(actor.team_id, new_owner)], session=session)
    logger.info("customer %s handed from %s to %s", customer_id, actor.user_id, new_owner)
    return HandedOver(customer, new_owner)
