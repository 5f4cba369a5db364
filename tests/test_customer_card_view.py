"""The customer card as built: the reason dated by when they became a customer, each fact said once."""

from __future__ import annotations

from dataclasses import fields
from datetime import date, timedelta
from typing import Any

import pytest

from bot.operations.history import ChangeEntry
from bot.rules.facts import CheckInEntry
from bot.rules.health import health
from bot.rules.policy import Policy
from bot.rules.themes import DEFAULT_THEMES, Themes, parse_themes
from bot.rules.vocabulary import Change, Expectation, Inactive, Verdict
from handlers.views.customer_card import change_line, customer_card, history_modal
from storage.checkins import apply_checkin
from storage.models import CheckIn, Customer
from tests.factories import customer
from tests.live_app import all_text

TODAY = date(2026, 6, 10)
SINCE = date(2022, 1, 10)
RECORDED = date(2026, 3, 1)


def card(acme: Customer, *checkins: CheckIn, themes: Themes = DEFAULT_THEMES) -> list[dict[str, Any]]:
    """The card of `acme` once `checkins` are stored (as storage folds them), the newest three shown."""
    for checkin in checkins:
        apply_checkin(acme, checkin)
    newest = sorted(checkins, key=lambda c: c.occurred_on, reverse=True)[:3]
    latest = [CheckInEntry(*(getattr(c, f.name) for f in fields(CheckInEntry))) for c in newest]
    state = health(acme, today=TODAY, policy=Policy(), is_key=False)
    return customer_card(acme, latest=latest, health=state, today=TODAY, themes=themes)


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
            "*Why they chose us* (customer since 10 January 2022): 'Speed' · theme not set",
        ),
        (
            {"original_reason": "Speed", "original_reason_on": RECORDED},
            "*Why they chose us* (recorded on 1 March): 'Speed' · theme not set",
        ),
        ({"original_reason": "Speed"}, "*Why they chose us*: 'Speed' · theme not set"),
        (
            {"original_reason": "Speed", "original_reason_theme": "speed_of_delivery"},
            "*Why they chose us*: 'Speed' · theme: Speed of delivery",
        ),
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
            ["*Their reason now* (changed 7 June, by <@U2>): 'Price' · theme not set"],
        ),
        (
            [
                checkin(9, "new", verdict=Verdict.CHANGED, new_reason="Price"),
                checkin(3, "ok", verdict=Verdict.HOLDS, author_user_id="U3"),
            ],
            [
                "*Their reason now* (recorded on 1 June): 'Price' · theme not set",
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


def buttons(blocks: list[dict[str, Any]]) -> list[str]:
    return [e["text"]["text"] for b in blocks if b["type"] == "actions" for e in b["elements"]]


def test_an_active_card_offers_edit_and_marking_it_lost_or_inactive() -> None:
    blocks = card(customer("Acme", last_checkin_on=TODAY - timedelta(days=90)))
    assert buttons(blocks) == ["Log check-in", "Full history", "Edit", "Mark as lost", "Mark as inactive"]
    assert "*Health*" in all_text(blocks)


@pytest.mark.parametrize(
    ("kind", "why", "expected"),
    [
        (
            Inactive.LOST,
            "Moved to <!channel> & co",
            "*Lost* since 1 June: 'Moved to &lt;!channel&gt; &amp; co'. No nudges while it is lost.",
        ),
        (Inactive.INACTIVE, None, "*Inactive* since 1 June. No nudges while it is inactive."),
    ],
)
def test_a_lost_or_inactive_card_says_so_with_why_and_since_and_does_not_nag(
    kind: Inactive, why: str | None, expected: str
) -> None:
    acme = customer(
        "Acme",
        active=False,
        inactive_kind=kind,
        inactive_on=date(2026, 6, 1),
        inactive_why=why,
        last_checkin_on=TODAY - timedelta(days=200),
        renewal_date=TODAY + timedelta(days=10),
        original_reason="Speed",
    )
    blocks = card(acme)
    text = all_text(blocks)
    assert f"*Status*\n⚪ {kind.value.capitalize()}" in text
    assert expected in text
    assert "*Health*" not in text
    assert "Stale contact" not in text
    assert "not confirmed" not in text
    assert buttons(blocks) == ["Log check-in", "Full history", "Edit", "Reactivate"]
    assert "<!channel>" not in text


def test_a_renewal_today_reads_today_and_one_passed_reads_days_ago() -> None:
    assert "*Renewal*\n10 June (today)" in all_text(card(customer("Acme", renewal_date=TODAY)))
    assert "*Renewal*\n9 June (1 day ago)" in all_text(
        card(customer("Acme", renewal_date=TODAY - timedelta(1)))
    )
    assert "(in 0 days)" not in all_text(card(customer("Acme", renewal_date=TODAY)))


@pytest.mark.parametrize(
    ("field", "old", "new", "note", "expected"),
    [
        ("arr", "12000", "15000", None, "changed ARR from 12,000 to 15,000"),
        ("arr", None, "1250.5", None, "set ARR to 1,250.50"),
        ("renewal_date", "2026-01-05", None, None, "cleared the renewal date (was 5 January)"),
        ("since", None, "2024-01-05", None, "set customer since to 5 January 2024"),
        ("cadence_days", "30", "14", None, "changed the cadence from every 30 days to every 14 days"),
        ("owner", "U1", "U2", None, "handed it over from <@U1> to <@U2>"),
        (
            "reason",
            "Speed",
            "<!channel> & price",
            None,
            "changed the reason from 'Speed' to '&lt;!channel&gt; &amp; price'",
        ),
        ("status", "active", "lost", "<@U9> poached them", "marked it as lost: '&lt;@U9&gt; poached them'"),
        ("status", "lost", "active", None, "made it active again"),
        ("reason_theme", None, "<b>", None, "set reason theme to &lt;b&gt;"),
    ],
)
def test_a_change_in_the_history_reads_as_a_sentence(
    field: str, old: str | None, new: str | None, note: str | None, expected: str
) -> None:
    line = change_line(ChangeEntry(date(2026, 6, 1), "U1", field, old, new, note), TODAY)
    assert line == f"*1 June* · <@U1> {expected}"


def test_the_history_lists_changes_among_the_checkins() -> None:
    checkin_entry = CheckInEntry(
        date(2026, 6, 2), "U2", None, "call", Verdict.HOLDS, None, Expectation.UNKNOWN
    )
    change = ChangeEntry(date(2026, 6, 1), None, "arr", "1", "2", None)
    view = history_modal(
        customer("Acme"), [checkin_entry, change], page=0, checkins=1, changes=1, today=TODAY
    )
    texts = [b.to_dict().get("text", {}).get("text", "") for b in view.blocks]
    assert texts[0] == "*Acme* · 1 check-in · 1 change · page 1 of 1"
    assert texts[-2:] == [
        "*2 June* · <@U2> · reason holds\ncall",
        "*1 June* · An import changed ARR from 1 to 2",
    ]


@pytest.mark.parametrize(
    ("themes", "original", "current", "lines"),
    [
        (
            DEFAULT_THEMES,
            "price",
            "integration",
            [
                "*Why they chose us*: 'Cheap' · theme: Price",
                "*Their reason now* (changed 7 June, by <@U2>): 'Works with SAP' · theme: Integration",
            ],
        ),
        (
            parse_themes("price=<b>Cost</b> & co"),
            "price",
            None,
            [
                "*Why they chose us*: 'Cheap' · theme: &lt;b&gt;Cost&lt;/b&gt; &amp; co",
                "*Their reason now* (changed 7 June, by <@U2>): 'Works with SAP' · theme not set",
            ],
        ),
        # A key the list no longer has reads as its own words.
        (
            parse_themes("other"),
            "ease_of_use",
            "other",
            [
                "*Why they chose us*: 'Cheap' · theme: Ease of use",
                "*Their reason now* (changed 7 June, by <@U2>): 'Works with SAP' · theme: Other",
            ],
        ),
    ],
)
def test_each_reason_shows_its_theme_label_escaped_or_not_set(
    themes: Themes, original: str, current: str | None, lines: list[str]
) -> None:
    acme = customer("Acme", original_reason="Cheap", original_reason_theme=original)
    changed = checkin(
        3, "new", verdict=Verdict.CHANGED, new_reason="Works with SAP", new_reason_theme=current
    )
    assert reason_lines(card(acme, changed, themes=themes)) == lines
