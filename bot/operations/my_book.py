"""List my book: the acting owner's customers, in the digest's order (the priority rule)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.operations.actor import Actor
from bot.operations.key_accounts import KeyCutoffs
from bot.rules.facts import CardFacts
from bot.rules.key_accounts import is_key
from bot.rules.nudges import DueReason, book_order, describe
from bot.services import Services
from storage.customers import customers_of_owner


@dataclass(frozen=True)
class Book:
    """Each customer with why it is due (none when it is not, most urgent first), highest priority
    first, on `today`."""

    rows: list[tuple[CardFacts, tuple[DueReason, ...]]]
    today: date
    key_ids: frozenset[int] = frozenset()


def my_book(services: Services, cutoffs: KeyCutoffs, actor: Actor) -> Book:
    """The actor's customers in the workspace, ordered as their digest orders them."""
    today = actor.today(services.clock())
    policy = services.settings.policy()
    with services.database.session() as session:
        customers = customers_of_owner(actor.team_id, actor.user_id, session=session)
    cutoff = cutoffs(actor.team_id) if customers else None
    key_ids = {c.id for c in customers if c.id is not None and is_key(c.arr, c.active, cutoff)}
    rows: list[tuple[CardFacts, tuple[DueReason, ...]]] = [
        (
            due.customer,
            describe(due.kinds, due.customer, today=today, policy=policy, is_key=due.customer.id in key_ids),
        )
        for due in book_order(customers, today=today, policy=policy, key_ids=key_ids)
    ]
    return Book(rows, today, frozenset(key_ids))
