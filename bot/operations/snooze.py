"""Snooze a customer's nudges for a while, from the owner's digest."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from bot.operations.actor import Actor
from bot.operations.digest_controls import Refused, refusal
from bot.rules.digest import SnoozePeriod, snooze_until
from bot.services import Services
from storage.customers import customer_by_id, snooze_customer
from storage.owners import owner_by_user


@dataclass(frozen=True)
class Snoozed:
    customer_name: str
    until: date
    today: date


def snooze(services: Services, actor: Actor, customer_id: int, period: SnoozePeriod) -> Snoozed | Refused:
    """Snooze the actor's customer for `period`, counted from the owner's today (their digest's day)."""
    now = services.clock()
    with services.database.transaction() as session:
        customer = customer_by_id(actor.team_id, customer_id, session=session)
        refused = refusal(customer, actor)
        if refused is not None or customer is None:
            return refused or Refused()
        owner = owner_by_user(actor.team_id, actor.user_id, session=session)
        today = replace(actor, tz=owner.tz if owner else actor.tz).today(now)
        until = snooze_until(today, period)
        snooze_customer(customer, until, now=now, session=session)
        return Snoozed(customer.name, until, today)
