"""Which customers are due a conversation on a given day, why, and in what order."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import IntEnum

from bot.rules.facts import CustomerFacts
from bot.rules.policy import Policy
from bot.rules.wording import day_label, days, quoted
from storage.enums import CHANGE_LABELS, Verdict


class NudgeKind(IntEnum):
    """Why a customer is due; the value is how urgent that is (higher first)."""

    OVERDUE = 1
    NEVER_CHECKED_IN = 2
    NEXT_STEP_DUE = 3
    FOLLOW_UP = 4
    RENEWAL_UNCONFIRMED = 5


@dataclass(frozen=True)
class DueReason:
    """One reason to talk to a customer now, as a sentence for a person."""

    kind: NudgeKind
    sentence: str


@dataclass(frozen=True)
class Due:
    """A customer that is due, with every reason why."""

    customer: CustomerFacts
    reasons: tuple[DueReason, ...]

    @property
    def urgency(self) -> int:
        return max((reason.kind for reason in self.reasons), default=0)


def reason_text(customer: CustomerFacts) -> str | None:
    """The reason we believe they chose us today: the latest known, else the original."""
    return customer.current_reason or customer.original_reason


def why_chosen(customer: CustomerFacts) -> str | None:
    """The reason in quotes, with the original one when it has changed since; None if never recorded."""
    reason = reason_text(customer)
    if reason is None:
        return None
    original = customer.original_reason
    if original and customer.current_reason and customer.current_reason != original:
        return f"{quoted(reason)} (at first {quoted(original, 60)})"
    return quoted(reason)


def cadence_for(customer: CustomerFacts, *, is_key: bool, policy: Policy) -> int:
    """Days between conversations: the customer's own cadence wins, then key or regular."""
    if customer.cadence_days:
        return customer.cadence_days
    return policy.key_cadence_days if is_key else policy.cadence_days


def is_resting(customer: CustomerFacts, today: date) -> bool:
    """Inactive or snoozed customers are never nudged."""
    return not customer.active or (customer.snoozed_until is not None and today < customer.snoozed_until)


def _contact_reason(customer: CustomerFacts, today: date, cadence: int) -> DueReason | None:
    last = customer.last_checkin_on
    if last is not None:
        waited = (today - last).days
        if waited < cadence:
            return None
        return DueReason(
            NudgeKind.OVERDUE,
            f"Last check-in was {days(waited)} ago, on {day_label(last, today)}; "
            f"this account is due every {days(cadence)}.",
        )
    since = customer.customer_since
    if since is None:
        return DueReason(NudgeKind.NEVER_CHECKED_IN, "No check-in has ever been logged.")
    if (today - since).days < cadence:
        return None
    return DueReason(
        NudgeKind.NEVER_CHECKED_IN,
        f"Nobody has checked in since they became a customer on {day_label(since, today)}.",
    )


def _renewal_reason(customer: CustomerFacts, today: date, policy: Policy) -> DueReason | None:
    renewal = customer.renewal_date
    if renewal is None or not 0 <= (renewal - today).days <= policy.renewal_window_days:
        return None
    confirmed = customer.reason_confirmed_on
    if confirmed is not None and (today - confirmed).days <= policy.reason_confirmed_days:
        return None
    left = (renewal - today).days
    when = "today" if left == 0 else f"in {days(left)}"
    reason = reason_text(customer)
    if reason is None:
        question = "nobody has recorded why they chose us"
    elif confirmed is None:
        question = f"nobody has confirmed whether {quoted(reason)} still holds"
    else:
        question = (
            f"nobody has asked since {day_label(confirmed, today)} whether {quoted(reason)} still holds"
        )
    return DueReason(NudgeKind.RENEWAL_UNCONFIRMED, f"Renewal {when}, and {question}.")


def _follow_up_reason(customer: CustomerFacts, today: date, policy: Policy) -> DueReason | None:
    concern = customer.concern_on
    if concern is None or (today - concern).days < policy.follow_up_days:
        return None
    if customer.last_checkin_on is not None and customer.last_checkin_on > concern:
        return None
    verdict = customer.last_verdict if customer.last_verdict_on == concern else None
    changes = customer.last_changes if customer.last_changes_on == concern else ()
    labels = ", ".join(CHANGE_LABELS[change].lower() for change in changes)
    if verdict in (Verdict.WEAKENED, Verdict.CHANGED):
        event = f"their reason for choosing us {verdict.value}" + (f" ({labels})" if labels else "")
    elif labels:
        event = f"the customer reported a change: {labels}"
    else:
        event = "a concern was raised"
    return DueReason(
        NudgeKind.FOLLOW_UP, f"On {day_label(concern, today)} {event}; nobody has followed up since."
    )


def _next_step_reason(customer: CustomerFacts, today: date) -> DueReason | None:
    due = customer.next_step_due
    if due is None or due > today or not customer.next_step:
        return None
    if customer.last_checkin_on is not None and customer.last_checkin_on >= due:
        return None
    when = "today" if due == today else f"on {day_label(due, today)}"
    return DueReason(NudgeKind.NEXT_STEP_DUE, f"Next step was due {when}: {quoted(customer.next_step, 120)}.")


def due_reasons(
    customer: CustomerFacts, *, today: date, policy: Policy, is_key: bool
) -> tuple[DueReason, ...]:
    """Every reason `customer` is due a conversation on `today`, most urgent first (none when resting)."""
    if is_resting(customer, today):
        return ()
    # Already in urgency order (renewal, follow-up, next step, contact): no sort needed.
    found = (
        _renewal_reason(customer, today, policy),
        _follow_up_reason(customer, today, policy),
        _next_step_reason(customer, today),
        _contact_reason(customer, today, cadence_for(customer, is_key=is_key, policy=policy)),
    )
    return tuple(r for r in found if r is not None)


def urgency_order(customer: CustomerFacts, reasons: tuple[DueReason, ...], today: date) -> tuple[object, ...]:
    """Sort key: most urgent first, then most valuable, then longest without contact, then name."""
    urgency = max((reason.kind for reason in reasons), default=0)
    silent = (today - customer.last_checkin_on).days if customer.last_checkin_on else 10**6
    return (-urgency, -len(reasons), -(customer.arr or 0.0), -silent, customer.name.casefold())


def due_customers(
    customers: Iterable[CustomerFacts], *, today: date, policy: Policy, key_ids: set[int]
) -> list[Due]:
    """The customers due on `today`, most urgent and most valuable first."""
    due = [
        Due(customer, reasons)
        for customer in customers
        if (reasons := due_reasons(customer, today=today, policy=policy, is_key=customer.id in key_ids))
    ]
    due.sort(key=lambda item: urgency_order(item.customer, item.reasons, today))
    return due


def question_for(customer: CustomerFacts) -> str:
    """The question to ask the customer in the next conversation."""
    reason = reason_text(customer)
    if reason is None:
        return "Why did you choose us — and is that still what you need from us?"
    return f"Is {quoted(reason)} still the reason you work with us?"
