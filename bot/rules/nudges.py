"""Which customers are due a conversation on a given day, why, and in what order."""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import IntEnum
from functools import lru_cache

from bot.rules.facts import CustomerFacts
from bot.rules.policy import Policy
from bot.rules.vocabulary import CHANGE_LABELS, Verdict
from bot.rules.wording import day_label, days, quoted


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
    """A customer that is due, with every kind of reason why (most urgent first)."""

    customer: CustomerFacts
    kinds: tuple[NudgeKind, ...]

    @property
    def urgency(self) -> int:
        return max(self.kinds, default=0)


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


# Deciding (`due_kinds`) and describing (`describe`) are apart: planning decides for every customer of
# the book but words only the few a digest shows. Each `_*_sentence` assumes its reason holds.


def _contact_sentence(customer: CustomerFacts, today: date, cadence: int) -> str:
    last = customer.last_checkin_on
    if last is not None:
        return (
            f"Last check-in was {days((today - last).days)} ago, on {day_label(last, today)}; "
            f"this account is due every {days(cadence)}."
        )
    since = customer.customer_since
    if since is None:
        return "No check-in has ever been logged."
    return f"Nobody has checked in since they became a customer on {day_label(since, today)}."


def _renewal_sentence(customer: CustomerFacts, today: date) -> str:
    assert customer.renewal_date is not None
    left = (customer.renewal_date - today).days
    when = "today" if left == 0 else f"in {days(left)}"
    reason = reason_text(customer)
    confirmed = customer.reason_confirmed_on
    if reason is None:
        question = "nobody has recorded why they chose us"
    elif confirmed is None:
        question = f"nobody has confirmed whether {quoted(reason)} still holds"
    else:
        question = (
            f"nobody has asked since {day_label(confirmed, today)} whether {quoted(reason)} still holds"
        )
    return f"Renewal {when}, and {question}."


def _follow_up_sentence(customer: CustomerFacts, today: date) -> str:
    concern = customer.concern_on
    assert concern is not None
    verdict = customer.last_verdict if customer.last_verdict_on == concern else None
    changes = customer.last_changes if customer.last_changes_on == concern else ()
    labels = ", ".join(CHANGE_LABELS[change].lower() for change in changes)
    if verdict in (Verdict.WEAKENED, Verdict.CHANGED):
        event = f"their reason for choosing us {verdict.value}" + (f" ({labels})" if labels else "")
    elif labels:
        event = f"the customer reported a change: {labels}"
    else:
        event = "a concern was raised"
    return f"On {day_label(concern, today)} {event}; nobody has followed up since."


def _next_step_sentence(customer: CustomerFacts, today: date) -> str:
    due = customer.next_step_due
    assert due is not None
    assert customer.next_step
    when = "today" if due == today else f"on {day_label(due, today)}"
    return f"Next step was due {when}: {quoted(customer.next_step, 120)}."


def _shift(day: date, days: int) -> date:
    """`day` moved by `days`, held at the ends of the calendar."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


def _fresh_from(today: date, cadence: int) -> date:
    """The first day whose check-in still counts as within `cadence` days of `today`."""
    return _shift(today, 1 - cadence)


class DueDay:
    """The rules of `due_kinds` for one day, with their cut-off dates worked out once.

    Planning asks about every customer of the book on the same day, so "N days since" becomes one
    comparison with a fixed date. Held at the calendar's ends, a huge number of days still means
    "never" or "always", as subtracting dates did. Never changed once built (`due_day` shares it).
    """

    def __init__(self, today: date, policy: Policy) -> None:
        self.today = today
        self.policy = policy
        # Inside the renewal window: a renewal from today to `renewal_until`.
        self.renewal_until = _shift(today, policy.renewal_window_days)
        # Confirmed recently: a reason confirmed on or after `confirmed_from`.
        self.confirmed_from = _shift(today, -policy.reason_confirmed_days)
        # Due a follow-up: a concern raised before `follow_up_before`.
        self.follow_up_before = _shift(today, 1 - policy.follow_up_days)
        # The policy's cadences (a customer's own cadence is worked out when met).
        self.fresh_from = {c: _fresh_from(today, c) for c in (policy.cadence_days, policy.key_cadence_days)}

    def kinds(self, customer: CustomerFacts, is_key: bool) -> tuple[NudgeKind, ...]:
        """Why `customer` is due a conversation, most urgent first (none when resting)."""
        if is_resting(customer, self.today):
            return ()
        return self.standing(customer, is_key)

    def standing(self, customer: CustomerFacts, is_key: bool) -> tuple[NudgeKind, ...]:
        """Why `customer` would be due, resting or not: the one rule the digest and health share.

        Cheap, with no sentences (`describe` words them): planning runs it on every customer, so the
        four rules are written out here rather than called.
        """
        today = self.today
        kinds = []  # in urgency order: renewal, follow-up, next step, contact
        last = customer.last_checkin_on
        # A renewal inside the window, and the reason not confirmed recently.
        renewal = customer.renewal_date
        if renewal is not None and today <= renewal <= self.renewal_until:
            confirmed = customer.reason_confirmed_on
            if confirmed is None or confirmed < self.confirmed_from:
                kinds.append(NudgeKind.RENEWAL_UNCONFIRMED)
        # A concern old enough, with no check-in after it.
        concern = customer.concern_on
        if concern is not None and concern < self.follow_up_before and (last is None or last <= concern):
            kinds.append(NudgeKind.FOLLOW_UP)
        # A next step due by today, with no check-in on or after its day.
        step_due = customer.next_step_due
        if (
            step_due is not None
            and step_due <= today
            and customer.next_step
            and (last is None or last < step_due)
        ):
            kinds.append(NudgeKind.NEXT_STEP_DUE)
        # No check-in for a whole cadence (counted from customer-since when there was never one).
        cadence = cadence_for(customer, is_key=is_key, policy=self.policy)
        fresh = self.fresh_from.get(cadence) or _fresh_from(today, cadence)
        if last is not None:
            if last < fresh:
                kinds.append(NudgeKind.OVERDUE)
        else:
            since = customer.customer_since
            if since is None or since < fresh:
                kinds.append(NudgeKind.NEVER_CHECKED_IN)
        return tuple(kinds)


@lru_cache(maxsize=16)
def due_day(today: date, policy: Policy) -> DueDay:
    """The cut-offs for `today`, worked out once (planning asks for every owner's book)."""
    return DueDay(today, policy)


def due_kinds(customer: CustomerFacts, *, today: date, policy: Policy, is_key: bool) -> tuple[NudgeKind, ...]:
    """Why `customer` is due a conversation on `today`, most urgent first (none when resting)."""
    return due_day(today, policy).kinds(customer, is_key)


def describe(
    kinds: Iterable[NudgeKind], customer: CustomerFacts, *, today: date, policy: Policy, is_key: bool
) -> tuple[DueReason, ...]:
    """`kinds` (as `due_kinds` returned them for the same arguments) as sentences for a person."""
    reasons = []
    for kind in kinds:
        if kind == NudgeKind.RENEWAL_UNCONFIRMED:
            sentence = _renewal_sentence(customer, today)
        elif kind == NudgeKind.FOLLOW_UP:
            sentence = _follow_up_sentence(customer, today)
        elif kind == NudgeKind.NEXT_STEP_DUE:
            sentence = _next_step_sentence(customer, today)
        else:
            sentence = _contact_sentence(customer, today, cadence_for(customer, is_key=is_key, policy=policy))
        reasons.append(DueReason(kind, sentence))
    return tuple(reasons)


def due_reasons(
    customer: CustomerFacts, *, today: date, policy: Policy, is_key: bool
) -> tuple[DueReason, ...]:
    """Every reason `customer` is due a conversation on `today`, most urgent first (none when resting)."""
    kinds = due_kinds(customer, today=today, policy=policy, is_key=is_key)
    return describe(kinds, customer, today=today, policy=policy, is_key=is_key)


def _order(customer: CustomerFacts, kinds: Sequence[NudgeKind], today: date) -> tuple[object, ...]:
    urgency = kinds[0] if kinds else 0  # kinds come most urgent first
    last = customer.last_checkin_on
    silent = (today - last).days if last else 10**6
    return (-urgency, -len(kinds), -(customer.arr or 0.0), -silent, customer.name.casefold())


def urgency_order(customer: CustomerFacts, reasons: tuple[DueReason, ...], today: date) -> tuple[object, ...]:
    """Sort key: most urgent first, then most valuable, then longest without contact, then name
    (`reasons` as `due_reasons` gives them, most urgent first)."""
    return _order(customer, [reason.kind for reason in reasons], today)


def first_due(
    customers: Iterable[CustomerFacts],
    *,
    today: date,
    policy: Policy,
    key_ids: set[int],
    cap: int | None = None,
) -> tuple[list[Due], int]:
    """The first `cap` customers due on `today` (all when None), most urgent and most valuable first,
    and how many are due in all. Only as many as asked for are ordered (a digest shows a few)."""
    day = due_day(today, policy)
    due = [(n, c, kinds) for n, c in enumerate(customers) if (kinds := day.kinds(c, c.id in key_ids))]
    candidates = due
    if cap is not None and 0 < cap < len(due):
        # Urgency comes first in the order: the first `cap` are all at least as urgent as the
        # cap-th most urgent customer, so only those are ordered.
        least = sorted(kinds[0] for _, _, kinds in due)[-cap]
        candidates = [(n, c, kinds) for n, c, kinds in due if kinds[0] >= least]
    # Each after its sort key and its place: ties keep the book's order, as a stable sort does, and
    # customers themselves are never compared.
    ranked = [(_order(c, kinds, today), n, c, kinds) for n, c, kinds in candidates]
    first = sorted(ranked) if cap is None else heapq.nsmallest(cap, ranked)
    return [Due(c, kinds) for _, _, c, kinds in first], len(due)


def due_customers(
    customers: Iterable[CustomerFacts], *, today: date, policy: Policy, key_ids: set[int]
) -> list[Due]:
    """The customers due on `today`, most urgent and most valuable first (reasons not yet worded)."""
    return first_due(customers, today=today, policy=policy, key_ids=key_ids)[0]


def question_for(customer: CustomerFacts) -> str:
    """The question to ask the customer in the next conversation."""
    reason = reason_text(customer)
    if reason is None:
        return "Why did you choose us — and is that still what you need from us?"
    return f"Is {quoted(reason)} still the reason you work with us?"
