"""Record whether a customer's reason still holds, answered under a logged check-in."""

from __future__ import annotations

from dataclasses import dataclass

from bot.operations.actor import Actor
from bot.rules.nudges import reason_text
from bot.rules.vocabulary import Verdict
from bot.services import Services
from storage.checkins import checkin_by_id
from storage.checkins import record_verdict as store_verdict
from storage.customers import customer_by_id


@dataclass(frozen=True)
class Question:
    """The customer a check-in was with, and their reason as it stands (asked about)."""

    customer_name: str
    reason: str | None


@dataclass(frozen=True)
class Recorded:
    """The verdict recorded for the customer, with the reason it is about (the new one, if changed)."""

    customer_name: str
    verdict: Verdict
    reason: str | None


def question(services: Services, actor: Actor, checkin_id: int) -> Question | None:
    """What the new-reason form asks about; None when the check-in or its customer is gone."""
    with services.database.session() as session:
        checkin = checkin_by_id(actor.team_id, checkin_id, session=session)
        customer = customer_by_id(actor.team_id, checkin.customer_id, session=session) if checkin else None
    return None if customer is None else Question(customer.name, reason_text(customer))


def record_verdict(
    services: Services, actor: Actor, checkin_id: int, verdict: Verdict, new_reason: str | None = None
) -> Recorded | None:
    """Set the check-in's verdict and fold it into its customer; None when the check-in is gone."""
    with services.database.transaction() as session:
        checkin = checkin_by_id(actor.team_id, checkin_id, session=session)
        customer = customer_by_id(actor.team_id, checkin.customer_id, session=session) if checkin else None
        if checkin is None or customer is None:
            return None
        before = reason_text(customer)
        store_verdict(
            checkin, verdict, customer=customer, session=session, new_reason=new_reason, now=services.clock()
        )
        shown = new_reason if verdict == Verdict.CHANGED else before
        return Recorded(customer.name, verdict, shown)
