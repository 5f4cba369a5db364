"""A customer's health: healthy, watch or at risk, with every reason listed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import IntEnum

from bot.rules.facts import CustomerFacts, HealthFacts
from bot.rules.nudges import NudgeKind, cadence_for, due_day, reason_text
from bot.rules.policy import Policy
from bot.rules.vocabulary import CHANGE_LABELS, Expectation, Verdict
from bot.rules.wording import day_label, days, days_ago, in_days, quoted

RECENT_CHANGE_DAYS = 90
RENEWAL_AT_RISK_DAYS = 30


class HealthLevel(IntEnum):
    """Ordered so the worst signal decides."""

    HEALTHY = 0
    WATCH = 1
    AT_RISK = 2

    @property
    def label(self) -> str:
        return {HealthLevel.HEALTHY: "Healthy", HealthLevel.WATCH: "Watch", HealthLevel.AT_RISK: "At risk"}[
            self
        ]


@dataclass(frozen=True)
class Signal:
    level: HealthLevel
    sentence: str


@dataclass(frozen=True)
class Health:
    level: HealthLevel
    signals: tuple[Signal, ...]


def _contact(customer: CustomerFacts, today: date, cadence: int) -> Signal:
    """The contact signal, for a customer the due rule finds overdue or never checked in."""
    last = customer.last_checkin_on
    if last is None:
        return Signal(HealthLevel.WATCH, "No check-in logged yet.")
    silent = (today - last).days
    level = HealthLevel.AT_RISK if silent > 2 * cadence else HealthLevel.WATCH
    return Signal(level, f"Stale contact: last check-in {days_ago(silent)} (due every {days(cadence)}).")


def _reason(customer: CustomerFacts, today: date) -> Signal | None:
    verdict, on = customer.last_verdict, customer.last_verdict_on
    if on is None or verdict not in (Verdict.WEAKENED, Verdict.CHANGED):
        return None
    if verdict == Verdict.CHANGED:
        now = reason_text(customer)
        detail = f"; now {quoted(now)}" if now else ""
        return Signal(
            HealthLevel.AT_RISK, f"Their reason for choosing us changed on {day_label(on, today)}{detail}."
        )
    return Signal(HealthLevel.WATCH, f"Their reason for choosing us weakened on {day_label(on, today)}.")


def _delivery(customer: HealthFacts) -> Signal | None:
    if customer.last_expectation != Expectation.BELOW:
        return None
    return Signal(HealthLevel.AT_RISK, "Delivery is below their expectations.")


def _renewal(customer: CustomerFacts, today: date) -> Signal:
    """The renewal signal, for a customer the due rule finds in the window with the reason unconfirmed."""
    assert customer.renewal_date is not None
    left = (customer.renewal_date - today).days
    level = HealthLevel.AT_RISK if left <= RENEWAL_AT_RISK_DAYS else HealthLevel.WATCH
    return Signal(level, f"Renewal {in_days(left)} and the reason is not confirmed.")


def _change(customer: CustomerFacts, today: date) -> Signal | None:
    on = customer.last_changes_on
    if on is None or not customer.last_changes or (today - on).days > RECENT_CHANGE_DAYS:
        return None
    labels = ", ".join(CHANGE_LABELS[change] for change in customer.last_changes)
    return Signal(HealthLevel.WATCH, f"Recent change at the customer ({day_label(on, today)}): {labels}.")


def health(customer: HealthFacts, *, today: date, policy: Policy, is_key: bool) -> Health:
    """The customer's health on `today`, worst signal first.

    Stale contact and an unconfirmed renewal are what the due rule (`DueDay.standing`) says, so the
    card and the digest can never disagree about them; a snooze rests the nudge, not the signal.
    """
    standing = due_day(today, policy).standing(customer, is_key)
    cadence = cadence_for(customer, is_key=is_key, policy=policy)
    contact_due = NudgeKind.OVERDUE in standing or NudgeKind.NEVER_CHECKED_IN in standing
    found = [
        _reason(customer, today),
        _delivery(customer),
        _renewal(customer, today) if NudgeKind.RENEWAL_UNCONFIRMED in standing else None,
        _contact(customer, today, cadence) if contact_due else None,
        _change(customer, today),
    ]
    signals = tuple(sorted((s for s in found if s is not None), key=lambda s: s.level, reverse=True))
    level = max((s.level for s in signals), default=HealthLevel.HEALTHY)
    return Health(level, signals)
