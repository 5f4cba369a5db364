"""Storing a check-in once per Slack request, even when Slack retries it."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from bot.services import Services
from storage.checkins import add_checkin, checkin_by_request_key
from storage.customers import customer_by_id
from storage.models import CheckIn, Customer


class CustomerGone(LookupError):
    """The customer was deleted between choosing and saving."""


def save_checkin(
    services: Services, checkin: CheckIn, *, customer_id: int, key: str
) -> tuple[CheckIn, Customer]:
    """Store `checkin` under request `key`; a retry of the same request gets the stored one back."""
    team_id = checkin.team_id
    checkin.request_key = key
    try:
        with services.database.transaction() as session:
            existing = checkin_by_request_key(team_id, key, session=session)
            customer = customer_by_id(
                team_id, existing.customer_id if existing else customer_id, session=session
            )
            if customer is None:
                raise CustomerGone(customer_id)
            if existing is not None:
                return existing, customer
            add_checkin(checkin, customer=customer, session=session, now=services.clock())
            session.flush()
            return checkin, customer
    except IntegrityError:
        # The same request committed first on another thread or machine: answer with its row.
        with services.database.session() as session:
            stored = checkin_by_request_key(team_id, key, session=session)
            if stored is None:
                raise
            customer = customer_by_id(team_id, stored.customer_id, session=session)
            if customer is None:
                raise CustomerGone(customer_id) from None
            return stored, customer
