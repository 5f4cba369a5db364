"""The customer chosen in the check-in form, and the reason the form reminds the owner of."""

from __future__ import annotations

from dataclasses import dataclass

from bot.operations.actor import Actor
from bot.rules.nudges import reason_text
from bot.services import Services
from storage.customers import customer_by_id


@dataclass(frozen=True)
class Chosen:
    customer_id: int
    name: str
    reason: str | None


def chosen_customer(services: Services, actor: Actor, customer_id: int | None) -> Chosen | None:
    """The workspace's customer `customer_id` with its reason; None when none is chosen or it is gone."""
    if customer_id is None:
        return None
    with services.database.session() as session:
        customer = customer_by_id(actor.team_id, customer_id, session=session)
    if customer is None or customer.id is None:
        return None
    return Chosen(customer.id, customer.name, reason_text(customer))
