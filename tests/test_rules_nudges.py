"""Who is due a conversation on a given day, and why: tables of cases."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import pytest

from bot.rules.key_accounts import key_account_ids
from bot.rules.nudges import (
    HOLDS,
    SENTENCE_LIMIT,
    WHY_CHOSEN,
    NudgeKind,
    due_customers,
    due_day,
    due_reasons,
    first_due,
    question_for,
    why_chosen,
)
from bot.rules.policy import Policy
from bot.rules.vocabulary import Change, Verdict
from bot.rules.wording import days_ago, in_days
from tests.factories import customer

TODAY = date(2026, 6, 10)
POLICY = Policy()


def ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def ahead(n: int) -> date:
    return TODAY + timedelta(days=n)


@pytest.mark.parametrize(
    ("fields", "is_key", "expected"),
    [
        # cadence: regular 30, key 14, own cadence wins
        ({"last_checkin_on": ago(29)}, False, set()),
        ({"last_checkin_on": ago(30)}, False, {NudgeKind.OVERDUE}),
        ({"last_checkin_on": ago(13)}, True, set()),
        ({"last_checkin_on": ago(14)}, True, {NudgeKind.OVERDUE}),
        ({"last_checkin_on": ago(10), "cadence_days": 7}, True, {NudgeKind.OVERDUE}),
        ({"last_checkin_on": ago(40), "cadence_days": 60}, False, set()),
        # never checked in: counted from customer-since
        ({"customer_since": ago(29)}, False, set()),
        ({"customer_since": ago(30)}, False, {NudgeKind.NEVER_CHECKED_IN}),
        ({"customer_since": ago(15)}, True, {NudgeKind.NEVER_CHECKED_IN}),
        ({}, False, {NudgeKind.NEVER_CHECKED_IN}),
        ({"customer_since": ahead(10)}, False, set()),
        # renewal window: 120 days, reason not confirmed as holding in the last 60
        ({"last_checkin_on": ago(1), "renewal_date": ahead(121)}, False, set()),
        ({"last_checkin_on": ago(1), "renewal_date": ahead(120)}, False, {NudgeKind.RENEWAL_UNCONFIRMED}),
        ({"last_checkin_on": ago(1), "renewal_date": ahead(0)}, False, {NudgeKind.RENEWAL_UNCONFIRMED}),
        ({"last_checkin_on": ago(1), "renewal_date": ago(1)}, False, set()),
        (
            {"last_checkin_on": ago(1), "renewal_date": ahead(30), "reason_confirmed_on": ago(60)},
            False,
            set(),
        ),
        (
            {"last_checkin_on": ago(1), "renewal_date": ahead(30), "reason_confirmed_on": ago(61)},
            False,
            {NudgeKind.RENEWAL_UNCONFIRMED},
        ),
        # weakened / changed verdict or a change at the customer, no check-in in the 14 days after
        (
            {
                "last_checkin_on": ago(14),
                "concern_on": ago(14),
                "last_verdict": Verdict.WEAKENED,
                "last_verdict_on": ago(14),
            },
            False,
            {NudgeKind.FOLLOW_UP},
        ),
        (
            {
                "last_checkin_on": ago(13),
                "concern_on": ago(13),
                "last_verdict": Verdict.CHANGED,
                "last_verdict_on": ago(13),
            },
            False,
            set(),
        ),
        ({"last_checkin_on": ago(5), "concern_on": ago(20)}, False, set()),
        (
            {
                "last_checkin_on": ago(20),
                "concern_on": ago(20),
                "last_changes": [Change.REORG],
                "last_changes_on": ago(20),
            },
            True,
            {NudgeKind.FOLLOW_UP, NudgeKind.OVERDUE},
        ),
        # next step due, not followed by a check-in on or after its due date
        (
            {"last_checkin_on": ago(3), "next_step": "Send deck", "next_step_due": TODAY},
            False,
            {NudgeKind.NEXT_STEP_DUE},
        ),
        ({"last_checkin_on": ago(3), "next_step": "Send deck", "next_step_due": ahead(1)}, False, set()),
        ({"last_checkin_on": ago(1), "next_step": "Send deck", "next_step_due": ago(1)}, False, set()),
        # snoozed or inactive customers are left out
        ({"last_checkin_on": ago(90), "snoozed_until": ahead(1)}, False, set()),
        ({"last_checkin_on": ago(90), "snoozed_until": TODAY}, False, {NudgeKind.OVERDUE}),
        ({"last_checkin_on": ago(90), "active": False}, False, set()),
    ],
)
def test_due_reasons(fields: dict[str, Any], is_key: bool, expected: set[NudgeKind]) -> None:
    c = customer(**fields)
    reasons = due_reasons(c, today=TODAY, policy=POLICY, is_key=is_key)
    assert {reason.kind for reason in reasons} == expected
    kinds, weights = due_day(TODAY, POLICY).due(c, is_key)
    assert tuple(r.kind for r in reasons) == kinds
    assert list(weights) == sorted(weights, reverse=True)  # the most urgent first


def concern(n: int, verdict: Verdict | None = None, *changes: Change) -> dict[str, Any]:
    """A concern raised `n` days ago, with its verdict and changes, and nothing logged since."""
    fields: dict[str, Any] = {"last_checkin_on": ago(n), "concern_on": ago(n)}
    if verdict is not None:
        fields.update(last_verdict=verdict, last_verdict_on=ago(n))
    if changes:
        fields.update(last_changes=list(changes), last_changes_on=ago(n))
    return fields


IN_TOUCH = {"last_checkin_on": ago(2), "original_reason": "faster onboarding"}


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        # renewal: when, and whether the reason was confirmed; never the reason itself
        (
            {**IN_TOUCH, "renewal_date": ahead(84), "reason_confirmed_on": date(2026, 3, 3)},
            "Renewal in 84 days; reason not confirmed since 3 March.",
        ),
        (
            {**IN_TOUCH, "renewal_date": ahead(10), "reason_confirmed_on": date(2025, 12, 1)},
            "Renewal in 10 days; reason not confirmed since 1 December 2025.",
        ),
        ({**IN_TOUCH, "renewal_date": ahead(1)}, "Renewal in 1 day; reason never confirmed."),
        ({**IN_TOUCH, "renewal_date": TODAY}, "Renewal today; reason never confirmed."),
        (
            {"last_checkin_on": ago(2), "renewal_date": ahead(30)},
            "Renewal in 30 days; nobody has recorded why they chose us.",
        ),
        # follow-up: what was reported on the day, gravest first
        (concern(20, None, Change.CHAMPION_LEFT), "Champion left on 21 May; nobody has followed up."),
        (concern(15, Verdict.WEAKENED), "Reason weakened on 26 May; nobody has followed up."),
        (
            concern(15, Verdict.WEAKENED, Change.CHAMPION_LEFT),
            "Champion left and reason weakened on 26 May; nobody has followed up.",
        ),
        (
            concern(15, Verdict.CHANGED, Change.CHAMPION_LEFT),
            "Reason changed and champion left on 26 May; nobody has followed up.",
        ),
        (
            concern(15, None, Change.REORG, Change.GROWTH, Change.BUDGET_CUT),
            "Budget cut, reorganisation and growth on 26 May; nobody has followed up.",
        ),
        (
            concern(15, Verdict.CHANGED, *Change),
            "Reason changed, champion left and 6 more on 26 May; nobody has followed up.",
        ),
        (
            {**concern(15), "last_verdict": Verdict.WEAKENED, "last_verdict_on": ago(40)},
            "A concern was raised on 26 May; nobody has followed up.",
        ),
        # next step: when it was due, and what it was
        (
            {"last_checkin_on": ago(20), "next_step": "send pricing", "next_step_due": date(2026, 6, 1)},
            "Next step was due on 1 June: 'send pricing'.",
        ),
        (
            {"last_checkin_on": ago(3), "next_step": "Send deck", "next_step_due": TODAY},
            "Next step due today: 'Send deck'.",
        ),
        (
            {"last_checkin_on": ago(3), "next_step": "Send " + "the deck " * 20, "next_step_due": TODAY},
            "Next step due today: 'Send the deck the deck the deck the deck the deck the d…'.",
        ),
        # contact
        ({"last_checkin_on": ago(45)}, "Last check-in 45 days ago (due every 30 days)."),
        ({"last_checkin_on": ago(1), "cadence_days": 1}, "Last check-in 1 day ago (due every 1 day)."),
        ({"customer_since": date(2025, 9, 30)}, "No check-in yet; a customer since 30 September 2025."),
        ({}, "No check-in logged yet."),
    ],
)
def test_why_now_is_one_short_sentence(fields: dict[str, Any], expected: str) -> None:
    reasons = due_reasons(customer(**fields), today=TODAY, policy=POLICY, is_key=False)
    assert reasons[0].sentence == expected
    assert all(len(r.sentence) <= SENTENCE_LIMIT for r in reasons)


@pytest.mark.parametrize(
    ("count", "ago", "ahead"),
    [
        (0, "today", "today"),
        (1, "1 day ago", "in 1 day"),
        (12, "12 days ago", "in 12 days"),
        (-3, "in 3 days", "3 days ago"),
    ],
)
def test_a_day_count_of_zero_reads_today(count: int, ago: str, ahead: str) -> None:
    assert (days_ago(count), in_days(count)) == (ago, ahead)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {**IN_TOUCH, "renewal_date": ahead(30)},
            "Before we talk renewal: does your reason for choosing us still hold?",
        ),
        (
            {**IN_TOUCH, **concern(15, None, Change.CHAMPION_LEFT)},
            "With the new people involved, does your reason for choosing us still hold?",
        ),
        (  # as grave as each other: the verdict first
            {**IN_TOUCH, **concern(15, Verdict.WEAKENED, Change.NEW_LEADERSHIP)},
            "What would make your reason for choosing us hold again?",
        ),
        (
            {**IN_TOUCH, **concern(15, Verdict.WEAKENED)},
            "What would make your reason for choosing us hold again?",
        ),
        (
            {**IN_TOUCH, **concern(15, Verdict.CHANGED, Change.REORG), "current_reason": "audit trail"},
            "Is your new reason for working with us what you need from us now?",
        ),
        (
            {**IN_TOUCH, **concern(15, None, Change.BUDGET_CUT)},
            "With a tighter budget, is your reason for choosing us still worth paying for?",
        ),
        (
            {**IN_TOUCH, **concern(15, None, Change.GROWTH)},
            "As you grow, does your reason for choosing us still hold?",
        ),
        (
            {**IN_TOUCH, **concern(15, None, Change.NEW_COMPETITOR)},
            "With a new option around, does your reason for choosing us still hold?",
        ),
        ({**IN_TOUCH, **concern(15)}, HOLDS),
        (
            {**IN_TOUCH, "next_step": "Send deck", "next_step_due": TODAY},
            "Did the next step we agreed on happen?",
        ),
        (
            {"last_checkin_on": ago(3), "next_step": "Send deck", "next_step_due": TODAY},
            "Did the next step we agreed on happen?",
        ),
        ({**IN_TOUCH, "last_checkin_on": ago(45)}, HOLDS),
        ({**IN_TOUCH, "last_checkin_on": None}, HOLDS),
        ({**IN_TOUCH, "last_checkin_on": None, "original_reason": None}, WHY_CHOSEN),
        ({"last_checkin_on": ago(2), "renewal_date": ahead(30)}, WHY_CHOSEN),
        ({**IN_TOUCH, "original_reason": None, **concern(15, None, Change.CHAMPION_LEFT)}, WHY_CHOSEN),
        (IN_TOUCH, HOLDS),  # not due
    ],
)
def test_the_question_fits_the_most_urgent_reason(fields: dict[str, Any], expected: str) -> None:
    c = customer(**fields)
    reasons = due_reasons(c, today=TODAY, policy=POLICY, is_key=False)
    question = question_for(c, reasons[0].kind if reasons else None)
    assert question == expected
    assert "faster onboarding" not in question


def test_the_order_weighs_value_with_urgency() -> None:
    small_renewal = customer("Small", arr=1_000, renewal_date=ahead(20), last_checkin_on=ago(1))
    big_overdue = customer("Big", arr=900_000, last_checkin_on=ago(45))
    mid_overdue = customer("Mid", arr=50_000, last_checkin_on=ago(90))
    fine = customer("Fine", arr=10**7, last_checkin_on=ago(1))
    order = due_customers(
        [mid_overdue, fine, big_overdue, small_renewal], today=TODAY, policy=POLICY, key_ids=set()
    )
    assert [due.customer.name for due in order] == ["Big", "Mid", "Small"]


@pytest.mark.parametrize(
    ("arrs", "expected"),
    [
        ([], set()),
        ([100], {0}),
        ([100, 50, 10, 5, 1], {0}),
        ([100, 90, 80, 70, 60, 50], {0, 1}),
        ([100, 100, 10, 5, 1], {0, 1}),  # a tie at the cut-off counts both
        ([None, None, 10], {2}),
        ([None, None, None], set()),
    ],
)
def test_key_accounts_are_the_top_fifth_by_arr(arrs: list[float | None], expected: set[int]) -> None:
    customers = [customer(f"C{i}", id=i + 1000, arr=arr) for i, arr in enumerate(arrs)]
    assert key_account_ids(customers, 0.2) == {1000 + i for i in expected}


def test_inactive_customers_are_not_key_accounts() -> None:
    customers = [customer("Gone", id=1, arr=10**6, active=False), customer("Here", id=2, arr=10)]
    assert key_account_ids(customers, 0.2) == {2}


@pytest.mark.parametrize(
    ("original", "current", "expected"),
    [
        (None, None, None),
        ("price", None, "'price'"),
        ("price", "price", "'price'"),
        ("price", "audit trail", "'audit trail' (at first 'price')"),
        (None, "audit trail", "'audit trail'"),
    ],
)
def test_why_chosen_keeps_the_original_in_view(
    original: str | None, current: str | None, expected: str | None
) -> None:
    assert why_chosen(customer(original_reason=original, current_reason=current)) == expected


SINCE_DAY_ONE = (TODAY - date.min).days  # days from the calendar's first day to TODAY


@pytest.mark.parametrize(
    ("policy", "fields", "expected"),
    [
        # Cut-off dates past the calendar's ends mean "never" or "always", as counting days does.
        (POLICY, {"last_checkin_on": date.min, "cadence_days": SINCE_DAY_ONE}, {NudgeKind.OVERDUE}),
        (POLICY, {"last_checkin_on": date.min, "cadence_days": SINCE_DAY_ONE + 1}, set()),
        (POLICY, {"last_checkin_on": date.min, "cadence_days": 10**12}, set()),
        (POLICY, {"customer_since": date.min, "cadence_days": 10**12}, set()),
        (Policy(cadence_days=10**12), {"last_checkin_on": date.min}, set()),
        (
            Policy(renewal_window_days=10**12),
            {"last_checkin_on": ago(1), "renewal_date": date.max},
            {NudgeKind.RENEWAL_UNCONFIRMED},
        ),
        (
            Policy(reason_confirmed_days=10**12),
            {"last_checkin_on": ago(1), "renewal_date": ahead(1), "reason_confirmed_on": date.min},
            set(),
        ),
        (
            Policy(reason_confirmed_days=SINCE_DAY_ONE - 1),
            {"last_checkin_on": ago(1), "renewal_date": ahead(1), "reason_confirmed_on": date.min},
            {NudgeKind.RENEWAL_UNCONFIRMED},
        ),
        (
            Policy(follow_up_days=10**12, cadence_days=10**12),
            {"last_checkin_on": date.min, "concern_on": date.min},
            set(),
        ),
        (
            Policy(follow_up_days=SINCE_DAY_ONE, cadence_days=10**12),
            {"last_checkin_on": date.min, "concern_on": date.min},
            {NudgeKind.FOLLOW_UP},
        ),
    ],
)
def test_due_reasons_at_the_ends_of_the_calendar(
    policy: Policy, fields: dict[str, Any], expected: set[NudgeKind]
) -> None:
    reasons = due_reasons(customer(**fields), today=TODAY, policy=policy, is_key=False)
    assert {reason.kind for reason in reasons} == expected


def _book(seed: int) -> list[Any]:
    rng = random.Random(seed)
    return [
        customer(
            f"C{n}",
            arr=rng.choice([None, 10.0, 500.0, 500.0]),
            last_checkin_on=rng.choice([None, ago(40), ago(40), ago(2)]),
            renewal_date=rng.choice([None, ahead(30)]),
            concern_on=rng.choice([None, ago(20)]),
            next_step="Call back",
            next_step_due=rng.choice([None, TODAY]),
        )
        for n in range(rng.randint(0, 30))
    ]


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("cap", [1, 3, 10])
def test_first_due_are_the_head_of_the_whole_order(seed: int, cap: int) -> None:
    book = _book(seed)
    everyone = due_customers(book, today=TODAY, policy=POLICY, key_ids=set())
    first, total, queued = first_due(book, today=TODAY, policy=POLICY, key_ids=set(), cap=cap)
    assert (first, total, queued) == (everyone[:cap], len(everyone), 0)  # nobody held back unless asked


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize(("cap", "new_cap"), [(3, 1), (10, 2), (10, 30)])
def test_first_due_with_a_new_customer_cap_drops_only_the_later_new_ones(
    seed: int, cap: int, new_cap: int
) -> None:
    book = _book(seed)
    everyone = due_customers(book, today=TODAY, policy=POLICY, key_ids=set())
    new = [d for d in everyone if d.kinds == (NudgeKind.NEVER_CHECKED_IN,)]
    asked = [d for d in everyone if d not in new[new_cap:]]
    first, total, queued = first_due(
        book, today=TODAY, policy=POLICY, key_ids=set(), cap=cap, new_cap=new_cap
    )
    assert (first, total, queued) == (asked[:cap], len(asked), len(new[new_cap:]))
