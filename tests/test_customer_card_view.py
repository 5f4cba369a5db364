"""The customer card as built: the reason dated by when they became a customer, each fact said once."""

from __future__ import annotations

from dataclasses import fields
from datetime import date, timedelta
from typing import Any

import pytest

from bot.rules.facts import CheckInEntry
from bot.rules.health import health
from bot.rules.policy import Policy
from bot.rules.vocabulary import Change, Expectation, Verdict
from handlers.views.customer_card import customer_card
from storage.checkins import apply_checkin
from storage.models import CheckIn, Customer
from tests.factories import customer
from tests.live_app import all_text

TODAY = date(2026, 6, 10)
SINCE = date(2022, 1, 10)
RECORDED = date(2026, 3, 1)


def card(acme: Customer, *checkins: CheckIn) -> list[dict[str, Any]]:
    """The card of `acme` once `checkins` are stored (as storage folds them), the newest three shown."""
    for checkin in checkins:
        apply_checkin(acme, checkin)
    newest = sorted(checkins, key=lambda c: c.occurred_on, reverse=True)[:3]
    latest = [CheckInEntry(*(getattr(c, f.name) for f in fields(CheckInEntry))) for c in newest]
    state = health(acme, today=TODAY, policy=Policy(), is_key=False)
    return customer_card(acme, latest=latest, health=state, today=TODAY)


def checkin(days_ago: int, note: str, **values: Any) -> CheckIn:
    values.setdefault("author_user_id", "U2")
    return CheckIn(
        team_id="T0001", customer_id=0, occurred_on=TODAY - timedelta(days=days_ago), note=note, **values
    )


def reason_lines(blocks: list[dict[str, Any]]) -> list[str]:
    [section] = [b for b in blocks if "*Why they chose us*" in b.get("text", {}).get("text", "")]
    return str(section["text"]["text"]).split("\n")


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (
            {"customer_since": SINCE, "original_reason": "Speed", "original_reason_on": RECORDED},
            "*Why they chose us* (customer since 10 January 2022): 'Speed'",
        ),
        (
            {"original_reason": "Speed", "original_reason_on": RECORDED},
            "*Why they chose us* (recorded on 1 March): 'Speed'",
        ),
        ({"original_reason": "Speed"}, "*Why they chose us*: 'Speed'"),
        (
            {"customer_since": SINCE},
            "*Why they chose us* (customer since 10 January 2022): _not recorded yet_",
        ),
        ({}, "*Why they chose us*: _not recorded yet_"),
    ],
)
def test_the_reason_is_dated_by_when_they_became_a_customer(values: dict[str, Any], expected: str) -> None:
    blocks = card(customer("Acme", **values))
    assert reason_lines(blocks)[0] == expected
    assert "(—)" not in all_text(blocks)


@pytest.mark.parametrize(
    ("checkins", "expected"),
    [
        ([], ["*Does it still hold?* Never asked"]),
        ([checkin(3, "ok", verdict=Verdict.HOLDS)], ["*Does it still hold?* Holds (7 June, by <@U2>)"]),
        ([checkin(3, "hm", verdict=Verdict.WEAKENED)], ["*Does it still hold?* Weakened (7 June, by <@U2>)"]),
        (
            [checkin(3, "new", verdict=Verdict.CHANGED, new_reason="Price")],
            ["*Their reason now* (changed 7 June, by <@U2>): 'Price'"],
        ),
        (
            [
                checkin(9, "new", verdict=Verdict.CHANGED, new_reason="Price"),
                checkin(3, "ok", verdict=Verdict.HOLDS, author_user_id="U3"),
            ],
            [
                "*Their reason now* (recorded on 1 June): 'Price'",
                "*Does it still hold?* Holds (7 June, by <@U3>)",
            ],
        ),
    ],
)
def test_their_reason_now_and_whether_it_holds_are_said_once(
    checkins: list[CheckIn], expected: list[str]
) -> None:
    blocks = card(customer("Acme", original_reason="Speed"), *checkins)
    assert reason_lines(blocks)[1:] == expected


def test_without_a_reason_nobody_is_asked_whether_it_holds() -> None:
    assert reason_lines(card(customer("Acme"), checkin(3, "ok", verdict=Verdict.HOLDS)))[1:] == []


def test_the_latest_checkin_is_told_once_and_its_verdict_not_again() -> None:
    acme = customer("Acme & Sons", original_reason="Speed", renewal_date=TODAY)
    blocks = card(
        acme,
        checkin(20, "mid-year chat", verdict=Verdict.HOLDS, expectation=Expectation.MEETS),
        checkin(
            5,
            "budget talk",
            verdict=Verdict.CHANGED,
            new_reason="Price",
            expectation=Expectation.BELOW,
            changes=[Change.BUDGET_CUT],
        ),
    )
    text = all_text(blocks)
    assert blocks[0]["text"]["text"] == "Acme & Sons"
    assert text.count("budget talk") == 1
    assert text.count("below expectations") == 1
    assert "Expectations:" not in text
    assert text.count("→ 'Price'") == 0  # the change is the reason section's, not the check-in line's
    assert "*Earlier check-ins*\n*21 May* · <@U2> · reason holds · meets expectations\nmid-year chat" in text
    # The recent change is a health signal, so it is not told again below.
    assert "Recent change at the customer (5 June): Budget cut." in text
    assert "*Changes at the customer*" not in text
    assert "*Renewal*\n10 June (today)" in text


def test_an_old_change_at_the_customer_is_still_on_the_card() -> None:
    blocks = card(customer("Acme"), checkin(200, "reorg", changes=[Change.REORG]))
    assert "*Changes at the customer* (22 November 2025): Reorganisation" in all_text(blocks)
