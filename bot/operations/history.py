"""A customer's check-in history, one page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.operations.actor import Actor
from bot.rules.facts import CheckInEntry
from bot.services import Services
from storage.checkins import checkin_count, latest_checkins
from storage.customers import customer_by_id
from storage.fast_read import Reader
from storage.models import Customer


@dataclass(frozen=True)
class HistoryPage:
    """Page `page` (from 0) of the customer's check-ins, newest first, of `total` in all."""

    customer: Customer
    checkins: list[CheckInEntry]
    page: int
    total: int
    today: date


def history_page(
    services: Services, actor: Actor, customer_id: int, page: int, *, page_size: int
) -> HistoryPage | None:
    """The page asked for (held within the pages there are); None when the customer no longer exists."""
    with services.database.session() as session:
        customer = customer_by_id(actor.team_id, customer_id, session=session)
        if customer is None or customer.id is None:
            return None
        total = checkin_count(customer.id, session=session)
        page = max(0, min(page, max(0, (total - 1) // page_size)))
        checkins = latest_checkins(
            customer.id, reader=Reader.of(session), limit=page_size, offset=page * page_size
        )
    return HistoryPage(customer, checkins, page, total, actor.today(services.clock()))
