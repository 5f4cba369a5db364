"""Coverage: is the reason still true across a book? The figures an owner's Home tab shows (and the
team view adds up): how many customers, how many were contacted within their cadence, and how much
of the ARR had its reason confirmed as holding recently.

Pure: `today` and the policy come in. "Contacted within cadence" is the due rule's own test
(`DueDay.standing` has no overdue or never-checked-in reason), so the figures never disagree with
the digest or the card.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from bot.rules.facts import CustomerFacts
from bot.rules.nudges import NudgeKind, due_day
from bot.rules.policy import Policy
from bot.rules.vocabulary import Verdict

CONFIRMED_DAYS = 90  # "confirmed recently": a holds verdict within this many days
_NOT_CONTACTED = frozenset({NudgeKind.OVERDUE, NudgeKind.NEVER_CHECKED_IN})


@dataclass(frozen=True)
class Coverage:
    """A book's figures on one day; a share is None when there is nothing to divide by."""

    customers: int
    contacted: int  # active customers with a check-in within their cadence
    arr: float
    confirmed_arr: float  # ARR whose reason was confirmed as holding within `CONFIRMED_DAYS`
    next_renewal: date | None
    next_renewal_name: str | None

    @property
    def contacted_share(self) -> float | None:
        return self.contacted / self.customers if self.customers else None

    @property
    def confirmed_share(self) -> float | None:
        return self.confirmed_arr / self.arr if self.arr else None


def was_contacted(customer: CustomerFacts, *, today: date, policy: Policy, is_key: bool) -> bool:
    """Whether `customer` had a check-in within its cadence on `today` (the due rule's test)."""
    kinds = due_day(today, policy).standing(customer, is_key)
    return customer.last_checkin_on is not None and _NOT_CONTACTED.isdisjoint(kinds)


def is_confirmed(customer: CustomerFacts, today: date, days: int = CONFIRMED_DAYS) -> bool:
    """Whether the reason was confirmed as holding within `days` of `today`, with no later verdict
    (a weakened or changed answer since undoes a confirmation)."""
    confirmed, last = customer.reason_confirmed_on, customer.last_verdict_on
    if confirmed is None or confirmed < today - timedelta(days=days):
        return False
    return last is None or last <= confirmed


def awaits_follow_up(customer: CustomerFacts) -> bool:
    """Whether its reason was last answered weakened or changed, with no conversation since."""
    on, last = customer.last_verdict_on, customer.last_checkin_on
    eroded = customer.last_verdict in (Verdict.WEAKENED, Verdict.CHANGED)
    return eroded and on is not None and (last is None or last <= on)


def coverage(
    customers: Iterable[CustomerFacts], *, today: date, policy: Policy, key_ids: set[int]
) -> Coverage:
    """The figures of the active customers among `customers` on `today`."""
    count = contacted = 0
    arr = confirmed_arr = 0.0
    renewal: tuple[date, str] | None = None
    for customer in customers:
        if not customer.active:
            continue
        count += 1
        contacted += was_contacted(customer, today=today, policy=policy, is_key=customer.id in key_ids)
        value = customer.arr or 0.0
        arr += value
        if is_confirmed(customer, today):
            confirmed_arr += value
        due = customer.renewal_date
        if due is not None and due >= today and (renewal is None or (due, customer.name) < renewal):
            renewal = (due, customer.name)
    return Coverage(
        customers=count,
        contacted=contacted,
        arr=arr,
        confirmed_arr=confirmed_arr,
        next_renewal=renewal[0] if renewal else None,
        next_renewal_name=renewal[1] if renewal else None,
    )
