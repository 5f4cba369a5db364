"""Which customers are due a conversation on a given day, why, in what order, and what to ask."""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Generic, NamedTuple, TypeVar

from bot.rules.facts import CustomerFacts
from bot.rules.policy import Policy
from bot.rules.priority import (
    CHANGE_WEIGHTS,
    FURTHER_EVENT,
    SPAN_DAYS,
    WEIGHTS,
    Ground,
    contribution,
    lateness,
    priority,
    value,
)
from bot.rules.vocabulary import CHANGE_LABELS, Change, Verdict
from bot.rules.wording import day_label, days, days_ago, in_days, quoted


class NudgeKind(StrEnum):
    """Why a customer is due (how urgent each is for a customer: `DueDay.weighed`)."""

    RENEWAL_UNCONFIRMED = "renewal unconfirmed"
    FOLLOW_UP = "follow-up"
    NEXT_STEP_DUE = "next step due"
    OVERDUE = "overdue"
    NEVER_CHECKED_IN = "never checked in"


@dataclass(frozen=True)
class DueReason:
    """One reason to talk to a customer now, as a sentence for a person."""

    kind: NudgeKind
    sentence: str


C = TypeVar("C", bound=CustomerFacts)
# Why a customer is due, and what each reason adds to its urgency (`DueDay.weighed`).
Weighed = tuple[tuple[NudgeKind, ...], tuple[float, ...]]


@dataclass(frozen=True)
class Due(Generic[C]):
    """A customer with every kind of reason it is due (none when it is not) and its priority."""

    customer: C
    kinds: tuple[NudgeKind, ...]
    priority: float


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
# the book but words only the few a digest shows. Each `_*_sentence` assumes its reason holds and
# says it in one short sentence (`SENTENCE_LIMIT`) that never repeats the reason itself, which the
# digest shows once already.

SENTENCE_LIMIT = 80

_VERDICT_GROUNDS = {Verdict.WEAKENED: Ground.REASON_WEAKENED, Verdict.CHANGED: Ground.REASON_CHANGED}
_EVENT_WORDS: dict[Ground | Change, str] = {
    Ground.REASON_WEAKENED: "reason weakened",
    Ground.REASON_CHANGED: "reason changed",
    **{change: label.lower() for change, label in CHANGE_LABELS.items()},
}


def concern_events(customer: CustomerFacts) -> list[tuple[float, Ground | Change]]:
    """What was reported on the day of the customer's concern, gravest first, with its weight: a
    weakened or changed verdict, then the changes at the customer (a verdict first on a tie)."""
    concern = customer.concern_on
    events: list[tuple[float, Ground | Change]] = []
    ground = _VERDICT_GROUNDS.get(customer.last_verdict) if customer.last_verdict else None
    if ground is not None and customer.last_verdict_on == concern:
        events.append((WEIGHTS[ground], ground))
    if customer.last_changes and customer.last_changes_on == concern:
        events.extend((CHANGE_WEIGHTS[change], change) for change in customer.last_changes)
    events.sort(key=lambda event: -event[0])
    return events


def _contact_sentence(customer: CustomerFacts, today: date, cadence: int) -> str:
    last = customer.last_checkin_on
    if last is not None:
        return f"Last check-in {days_ago((today - last).days)} (due every {days(cadence)})."
    since = customer.customer_since
    if since is None:
        return "No check-in logged yet."
    return f"No check-in yet; a customer since {day_label(since, today)}."


def _renewal_sentence(customer: CustomerFacts, today: date) -> str:
    assert customer.renewal_date is not None
    when = in_days((customer.renewal_date - today).days)
    confirmed = customer.reason_confirmed_on
    if reason_text(customer) is None:
        state = "nobody has recorded why they chose us"
    elif confirmed is None:
        state = "reason never confirmed"
    else:
        state = f"reason not confirmed since {day_label(confirmed, today)}"
    return f"Renewal {when}; {state}."


def _follow_up_sentence(customer: CustomerFacts, today: date) -> str:
    concern = customer.concern_on
    assert concern is not None
    tail = f" on {day_label(concern, today)}; nobody has followed up."
    names = [_EVENT_WORDS[event] for _, event in concern_events(customer)]
    if not names:
        return f"A concern was raised{tail}"
    for shown in range(len(names), 0, -1):  # as many events named as fit, the rest counted
        rest = len(names) - shown
        if rest:
            events = ", ".join(names[:shown]) + f" and {rest} more"
        else:
            events = " and ".join([", ".join(names[:-1]), names[-1]] if shown > 1 else names)
        sentence = events[0].upper() + events[1:] + tail
        if len(sentence) <= SENTENCE_LIMIT:
            break
    return sentence


def _next_step_sentence(customer: CustomerFacts, today: date) -> str:
    due = customer.next_step_due
    assert due is not None
    assert customer.next_step
    head = "Next step due today: " if due == today else f"Next step was due on {day_label(due, today)}: "
    return f"{head}{quoted(customer.next_step, SENTENCE_LIMIT - len(head) - 3)}."


# The weights `DueDay.weighed` adds, looked up once: planning weighs every due customer.
_RENEWAL_WEIGHT = WEIGHTS[Ground.RENEWAL]
_CONCERN_WEIGHT = WEIGHTS[Ground.CONCERN]
_NEXT_STEP_WEIGHT = WEIGHTS[Ground.NEXT_STEP_DUE]
_STALE_WEIGHT = WEIGHTS[Ground.STALE_CONTACT]
_NEVER_WEIGHT = WEIGHTS[Ground.NEVER_CHECKED_IN]


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
        return self.due(customer, is_key)[0]

    def standing(self, customer: CustomerFacts, is_key: bool) -> tuple[NudgeKind, ...]:
        """Why `customer` would be due, resting or not: the one rule the digest and health share."""
        return self.weighed(customer, is_key)[0]

    def due(self, customer: CustomerFacts, is_key: bool) -> Weighed:
        """`weighed`, or nothing when `customer` is resting."""
        if is_resting(customer, self.today):
            return (), ()
        return self.weighed(customer, is_key)

    def weighed(self, customer: CustomerFacts, is_key: bool) -> Weighed:
        """Why `customer` would be due, resting or not, the most urgent first, and what each kind adds
        to its urgency: its weight, raised by how late it is (`bot.rules.priority`).

        Cheap, with no sentences (`describe` words them): planning runs it on every customer, so the
        four rules are written out here rather than called.
        """
        today, policy = self.today, self.policy
        kinds, weights = [], []
        last = customer.last_checkin_on
        # A renewal inside the window, and the reason not confirmed recently.
        renewal = customer.renewal_date
        if renewal is not None and today <= renewal <= self.renewal_until:
            confirmed = customer.reason_confirmed_on
            if confirmed is None or confirmed < self.confirmed_from:
                kinds.append(NudgeKind.RENEWAL_UNCONFIRMED)
                window = policy.renewal_window_days
                late = lateness(window - (renewal - today).days, window)
                weights.append(contribution(_RENEWAL_WEIGHT, late))
        # A concern old enough, with no check-in after it.
        concern = customer.concern_on
        if concern is not None and concern < self.follow_up_before and (last is None or last <= concern):
            kinds.append(NudgeKind.FOLLOW_UP)
            events = concern_events(customer)
            weight = events[0][0] + FURTHER_EVENT * (len(events) - 1) if events else _CONCERN_WEIGHT
            late = lateness((today - concern).days - policy.follow_up_days, SPAN_DAYS)
            weights.append(contribution(weight, late))
        # A next step due by today, with no check-in on or after its day.
        step_due = customer.next_step_due
        if (
            step_due is not None
            and step_due <= today
            and customer.next_step
            and (last is None or last < step_due)
        ):
            kinds.append(NudgeKind.NEXT_STEP_DUE)
            weights.append(contribution(_NEXT_STEP_WEIGHT, lateness((today - step_due).days, SPAN_DAYS)))
        # No check-in for a whole cadence (counted from customer-since when there was never one).
        cadence = cadence_for(customer, is_key=is_key, policy=policy)
        fresh = self.fresh_from.get(cadence) or _fresh_from(today, cadence)
        if last is not None:
            if last < fresh:
                kinds.append(NudgeKind.OVERDUE)
                late = lateness((today - last).days - cadence, cadence)
                weights.append(contribution(_STALE_WEIGHT, late))
        else:
            since = customer.customer_since
            if since is None or since < fresh:
                kinds.append(NudgeKind.NEVER_CHECKED_IN)
                late = 0.0 if since is None else lateness((today - since).days - cadence, cadence)
                weights.append(contribution(_NEVER_WEIGHT, late))
        if len(kinds) > 1:  # the most urgent first (on a tie, in the order above)
            order = sorted(range(len(kinds)), key=weights.__getitem__, reverse=True)
            return tuple(kinds[i] for i in order), tuple(weights[i] for i in order)
        return tuple(kinds), tuple(weights)


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
    """`kinds` (as `due_kinds` returned them for the same arguments: most urgent first) as sentences
    for a person."""
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


def active_arr(customers: Iterable[CustomerFacts]) -> float:
    """The active ARR of `customers`: what a customer's ARR share is of."""
    return sum(c.arr for c in customers if c.active and c.arr and c.arr > 0)


# A customer in the digest's order: its sort key (highest priority, then most urgent, then most
# valuable, then name, then its place in the book, so customers themselves are never compared), the
# customer, and why it is due.
Ranked = tuple[float, float, float, str, int, C, tuple[NudgeKind, ...]]


def _ranked(
    customers: Iterable[C], day: DueDay, key_ids: set[int], total: float, *, due_only: bool
) -> list[Ranked[C]]:
    """Each customer (only the due ones when `due_only`) after its sort key (`Ranked`)."""
    ranked = []
    for n, c in enumerate(customers):
        kinds, weights = day.due(c, c.id in key_ids)
        if not kinds and due_only:
            continue
        urgency = sum(weights)
        arr = c.arr or 0.0
        score = priority(value(arr, total), urgency)
        ranked.append((-score, -urgency, -arr, c.name.casefold(), n, c, kinds))
    return ranked


# Due only because nobody has checked in with them yet: what a gentle start spreads out.
ONLY_NEVER_CHECKED_IN = (NudgeKind.NEVER_CHECKED_IN,)


def spread_new(ranked: list[Ranked[C]], cap: int) -> tuple[list[Ranked[C]], int]:
    """A gentle start: of one owner's customers due on one day (`ranked`), those asked today, and how
    many are queued for the coming days.

    A customer with any reason besides "never checked in" (a renewal in the window, a next step, a
    follow-up) is truly due and always asked. Of those due *only* because nobody has checked in with
    them yet, at most `cap` are asked, highest priority first: among them, the largest ARR first
    (their urgency differs only by how long past due they are, at most twofold). The rest are queued.
    So after a first import or a bulk add, an owner meets a few new customers a day, the most
    valuable first, instead of the whole book on day one; a customer added now and then is never
    held back.

    Stateless: nothing is stored, so no migration; the queue is the owner's never-checked-in
    customers themselves. It moves as the owner acts: a check-in (or a one-tap answer) takes a
    customer out of "never checked in" and a snooze rests it, so the next one comes up in the next
    digest. It does not move by itself when asks are ignored, on purpose: moved by the calendar (a
    different few each day), it would let a large customer silently give way to smaller ones, each
    asked once whether or not anyone listened; this way the same largest few stay asked until they
    are dealt with. Either way no digest carries more than `cap` of them, whatever happened on the
    days before, so ignored days never pile up.
    """
    new = [r for r in ranked if r[6] == ONLY_NEVER_CHECKED_IN]
    if len(new) <= cap:
        return ranked, 0
    asked = heapq.nsmallest(cap, new)
    return [r for r in ranked if r[6] != ONLY_NEVER_CHECKED_IN] + asked, len(new) - len(asked)


class FirstDue(NamedTuple, Generic[C]):
    """The customers a digest shows, how many are due today in all, and how many new customers are
    queued for the coming days (`spread_new`)."""

    first: list[Due[C]]
    total: int
    queued: int = 0


def first_due(
    customers: Iterable[C],
    *,
    today: date,
    policy: Policy,
    key_ids: set[int],
    cap: int | None = None,
    arr_total: float | None = None,
    new_cap: int | None = None,
) -> FirstDue[C]:
    """The first `cap` customers due on `today` (all when None), highest priority first, and how many
    are due in all. With `new_cap`, customers due only because they were never checked in are spread
    out (`spread_new`): at most `new_cap` of them are due today, and the rest are counted as queued.
    `arr_total` is the workspace's active ARR (`active_arr(customers)` when None: the order is the
    same, as every share is divided by it). Only as many as asked for are ordered."""
    customers = customers if isinstance(customers, Sequence) else list(customers)
    total = active_arr(customers) if arr_total is None else arr_total
    ranked = _ranked(customers, due_day(today, policy), key_ids, total, due_only=True)
    queued = 0
    if new_cap is not None:
        ranked, queued = spread_new(ranked, new_cap)
    first = sorted(ranked) if cap is None else heapq.nsmallest(cap, ranked)
    return FirstDue([Due(c, kinds, -score) for score, _, _, _, _, c, kinds in first], len(ranked), queued)


def due_customers(customers: Iterable[C], *, today: date, policy: Policy, key_ids: set[int]) -> list[Due[C]]:
    """The customers due on `today`, highest priority first (reasons not yet worded)."""
    return first_due(customers, today=today, policy=policy, key_ids=key_ids)[0]


def book_order(customers: Sequence[C], *, today: date, policy: Policy, key_ids: set[int]) -> list[Due[C]]:
    """Every one of `customers`, in the digest's order: the due ones by priority, then the others
    (resting or not due) most valuable first."""
    ranked = _ranked(customers, due_day(today, policy), key_ids, active_arr(customers), due_only=False)
    return [Due(c, kinds, -score) for score, _, _, _, _, c, kinds in sorted(ranked)]


# The question for the most urgent reason (`describe`'s first). It never quotes the reason: the
# digest shows it once already, so the question calls it "your reason".
HOLDS = "Does your reason for choosing us still hold?"
WHY_CHOSEN = "Why did you choose us, and is that still what you need from us?"
_RENEWAL_QUESTION = "Before we talk renewal: does your reason for choosing us still hold?"
_NEXT_STEP_QUESTION = "Did the next step we agreed on happen?"
_NEW_PEOPLE = "With the new people involved, does your reason for choosing us still hold?"
_EVENT_QUESTIONS: dict[Ground | Change, str] = {
    Ground.REASON_WEAKENED: "What would make your reason for choosing us hold again?",
    Ground.REASON_CHANGED: "Is your new reason for working with us what you need from us now?",
    Change.NEW_LEADERSHIP: _NEW_PEOPLE,
    Change.CHAMPION_LEFT: _NEW_PEOPLE,
    Change.REORG: _NEW_PEOPLE,
    Change.MERGER: _NEW_PEOPLE,
    Change.BUDGET_CUT: "With a tighter budget, is your reason for choosing us still worth paying for?",
    Change.GROWTH: "As you grow, does your reason for choosing us still hold?",
    Change.NEW_COMPETITOR: "With a new option around, does your reason for choosing us still hold?",
}


def question_for(customer: CustomerFacts, kind: NudgeKind | None) -> str:
    """The question to ask in the next conversation, fitting the most urgent reason `kind` (None
    when it is not due). Without a recorded reason, except for a next step, it asks why they chose us."""
    if kind == NudgeKind.NEXT_STEP_DUE:
        return _NEXT_STEP_QUESTION
    if reason_text(customer) is None:
        return WHY_CHOSEN
    if kind == NudgeKind.RENEWAL_UNCONFIRMED:
        return _RENEWAL_QUESTION
    if kind == NudgeKind.FOLLOW_UP:
        events = concern_events(customer)
        return _EVENT_QUESTIONS[events[0][1]] if events else HOLDS
    return HOLDS
