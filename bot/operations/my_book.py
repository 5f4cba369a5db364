"""List my book: the acting owner's customers, most urgent first (the order the digest uses)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.operations.actor import Actor
from bot.operations.key_accounts import KeyCutoffs
from bot.rules.facts import CardFacts
from bot.rules.key_accounts import is_key
from bot.rules.nudges import DueReason, due_reasons, urgency_order
from bot.services import Services
from storage.customers import customers_of_owner


@dataclass(frozen=True)
class Book:
    """Each customer with why it is due (none when it is not), most urgent first, on `today`."""

    rows: list[tuple[CardFacts, tuple[DueReason, ...]]]
    today: date


def my_book(services: Services, cutoffs: KeyCutoffs, actor: Actor) -> Book:
    """The actor's customers in the workspace, ordered as their digest orders them."""
    today = actor.today(services.clock())
    policy = services.settings.policy()
    with services.database.session() as session:
        customers = customers_of_owner(actor.team_id, actor.user_id, session=session)
    cutoff = cutoffs(actor.team_id) if customers else None
    rows: list[tuple[CardFacts, tuple[DueReason, ...]]] = [
        (c, due_reasons(c, today=today, policy=policy, is_key=is_key(c.arr, c.active, cutoff)))
        for c in customers
    ]
    rows.sort(key=lambda row: urgency_order(row[0], row[1], today))
    return Book(rows, today)
