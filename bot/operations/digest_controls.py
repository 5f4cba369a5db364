"""What an owner may do to a customer from their digest: who may act, and the shared refusal."""

from __future__ import annotations

from dataclasses import dataclass

from bot.operations.actor import Actor
from storage.models import Customer


@dataclass(frozen=True)
class Refused:
    """Nothing changed: the customer is gone (`owner` None) or now owned by `owner`."""

    customer_name: str | None = None
    owner: str | None = None


def refusal(customer: Customer | None, actor: Actor) -> Refused | None:
    """Why the actor may not act on `customer` from their digest, or None when they may."""
    if customer is None:
        return Refused()
    if customer.owner_user_id != actor.user_id:
        return Refused(customer.name, customer.owner_user_id)
    return None
