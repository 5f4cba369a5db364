"""Who is due a conversation on a given day, and why: tables of cases."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from bot.rules.key_accounts import key_account_ids
from bot.rules.nudges import NudgeKind, due_customers, due_reasons, question_for, why_chosen
from bot.rules.policy import Policy
from storage.enums import Change, Verdict
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
    reasons = due_reasons(customer(**fields), today=TODAY, policy=POLICY, is_key=is_key)
    assert {reason.kind for reason in reasons} == expected
    assert [r.kind for r in reasons] == sorted((r.kind for r in reasons), reverse=True)


def test_renewal_sentence_names_the_reason_and_when_it_was_last_asked() -> None:
    c = customer(
        renewal_date=ahead(84),
        reason_confirmed_on=date(2026, 3, 3),
        last_checkin_on=ago(2),
        original_reason="faster onboarding",
    )
    (reason,) = due_reasons(c, today=TODAY, policy=POLICY, is_key=False)
    assert reason.sentence == (
        "Renewal in 84 days, and nobody has asked since 3 March whether 'faster onboarding' still holds."
    )


def test_sentences_prefer_the_current_reason_and_year_when_not_this_one() -> None:
    c = customer(
        renewal_date=ahead(10),
        reason_confirmed_on=date(2025, 12, 1),
        last_checkin_on=ago(2),
        original_reason="price",
        current_reason="audit trail",
    )
    (reason,) = due_reasons(c, today=TODAY, policy=POLICY, is_key=False)
    assert "since 1 December 2025 whether 'audit trail' still holds" in reason.sentence
    assert question_for(c) == "Is 'audit trail' still the reason you work with us?"


def test_follow_up_sentence_says_what_happened() -> None:
    c = customer(
        last_checkin_on=ago(15),
        concern_on=ago(15),
        last_verdict=Verdict.CHANGED,
        last_verdict_on=ago(15),
        last_changes=[Change.CHAMPION_LEFT],
        last_changes_on=ago(15),
    )
    sentences = [r.sentence for r in due_reasons(c, today=TODAY, policy=POLICY, is_key=False)]
    assert (
        "On 26 May their reason for choosing us changed (champion left); nobody has followed up since."
        in sentences
    )


def test_order_is_most_urgent_then_most_valuable() -> None:
    small_renewal = customer("Small", arr=1_000, renewal_date=ahead(20), last_checkin_on=ago(1))
    big_overdue = customer("Big", arr=900_000, last_checkin_on=ago(45))
    mid_overdue = customer("Mid", arr=50_000, last_checkin_on=ago(90))
    fine = customer("Fine", arr=10**7, last_checkin_on=ago(1))
    order = due_customers(
        [mid_overdue, fine, big_overdue, small_renewal], today=TODAY, policy=POLICY, key_ids=set()
    )
    assert [due.customer.name for due in order] == ["Small", "Big", "Mid"]


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
