"""Look up a customer: by what someone typed, or by id (a button); the card's data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.operations.actor import Actor
from bot.operations.find_customer import find_customer
from bot.operations.key_accounts import KeyCutoffs
from bot.rules.facts import CardFacts, CheckInEntry
from bot.rules.health import Health, health
from bot.rules.key_accounts import is_key
from bot.services import Services
from storage.checkins import latest_checkins
from storage.customers import customer_by_id
from storage.fast_read import Reader

CARD_CHECKINS = 3


@dataclass(frozen=True)
class Card:
    """What a customer's card shows: the customer, its latest check-ins and its health, on `today`."""

    customer: CardFacts
    latest: list[CheckInEntry]
    health: Health
    today: date


@dataclass(frozen=True)
class LookUp:
    """The card of the customer found, or the close names to offer (`too_long`: cannot be a name)."""

    card: Card | None
    suggestions: tuple[tuple[int, str], ...] = ()
    too_long: bool = False


def _card(services: Services, cutoffs: KeyCutoffs, actor: Actor, customer: CardFacts, reader: Reader) -> Card:
    today = actor.today(services.clock())
    key = is_key(customer.arr, customer.active, cutoffs(actor.team_id))
    state = health(customer, today=today, policy=services.settings.policy(), is_key=key)
    latest = latest_checkins(customer.id or 0, reader=reader, limit=CARD_CHECKINS)
    return Card(customer, latest, state, today)


def look_up(services: Services, cutoffs: KeyCutoffs, actor: Actor, query: str) -> LookUp:
    """The card of the customer `query` names (or the only one containing it), else close names."""
    with services.database.reader() as reader:
        found = find_customer(actor.team_id, query, reader=reader)
        if found.customer is not None:
            return LookUp(_card(services, cutoffs, actor, found.customer, reader))
    return LookUp(None, found.suggestions, found.too_long)


def card_by_id(services: Services, cutoffs: KeyCutoffs, actor: Actor, customer_id: int) -> Card | None:
    """The card of the workspace's customer `customer_id`; None when it no longer exists."""
    with services.database.session() as session:
        customer = customer_by_id(actor.team_id, customer_id, session=session)
        if customer is None:
            return None
        return _card(services, cutoffs, actor, customer, Reader.of(session))
