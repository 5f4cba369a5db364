"""The weekly team digest message: headline, the lists' top lines, eroding reasons, new versus tenured;
team-level only, and customer names escaped."""

from __future__ import annotations

import json
from dataclasses import replace

from bot.operations.team_view import ReasonCoverage, TenureSplit, WeekPoint
from handlers.views.common import MAX_MESSAGE_BLOCKS
from handlers.views.team_digest import TOP_LINES, team_digest_message, trend_text
from tests.team_view_sample import HOSTILE, OWNERS, TODAY, sample_view


def whole_body() -> str:
    message = team_digest_message(sample_view(), week=TODAY, digest_id=7)
    return message.text + json.dumps([block.to_dict() for block in message.blocks])


def section_texts(**changes: object) -> list[str]:
    message = team_digest_message(sample_view(**changes), week=TODAY, digest_id=7)
    found = []
    for block in message.blocks:
        data = block.to_dict()
        text = data.get("text")
        if data["type"] == "section" and isinstance(text, dict):
            found.append(str(text["text"]))
    return found


def test_the_message_opens_with_the_week_and_the_reason_coverage_headline() -> None:
    message = team_digest_message(sample_view(), week=TODAY, digest_id=7)
    blocks = [block.to_dict() for block in message.blocks]
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Team digest: week of 8 June", "emoji": True},
    }
    assert blocks[1]["text"]["text"] == (
        "*Reason coverage*: *41%* of ARR ($410,000 of $1,000,000, up 1 pt on last week) and *61%* of "
        "key-account ARR ($305,000 of $500,000, up 1 pt on last week) had the reason confirmed as "
        "holding in the last 30 days."
    )
    assert message.text == (
        "Team digest, week of 8 June: reason coverage 41% of ARR, 61% of key-account ARR."
    )
    assert message.metadata == {
        "event_type": "holdfast_team_digest",
        "event_payload": {"team_digest_id": 7, "week": "2026-06-08"},
    }
    assert len(blocks) <= MAX_MESSAGE_BLOCKS


def test_each_list_shows_its_count_and_top_lines_and_counts_the_rest() -> None:
    untouched, renewals, unowned = section_texts()[1:4]
    lines = untouched.split("\n")
    assert lines[0] == "*Key accounts untouched past their cadence* (6)"
    assert len(lines) == 1 + TOP_LINES + 1
    assert lines[1].endswith("· $250,000 · never contacted")
    assert lines[2] == "• *Key 1* · $99,999 · last contact 41 days ago"
    assert lines[-1] == "…and 3 more"
    assert renewals == "*Renewals near, reason unconfirmed* (1)\n• *Renewco* · $80,000 · renews in 12 days"
    assert unowned == "*Customers whose owner cannot use Holdfast*: none."


def test_eroding_themes_come_most_eroded_first_with_what_they_changed_to() -> None:
    eroding = section_texts()[4]
    assert eroding == (
        "*Reasons eroding*\n"
        "• *integration*: 2 of 4 weakened or changed (50%), $100,000 ARR\n"
        "• *price*: 3 of 10 weakened or changed (30%), $400,000 ARR; changed to product fit (2), not set (1)"
    )


def test_no_eroding_theme_says_so() -> None:
    view = sample_view()
    calm = [replace(line, eroding=0) for line in view.themes]
    assert section_texts(themes=calm)[4] == (
        "*Reasons eroding*: none; no reason was answered weakened or changed."
    )


def test_new_versus_tenured_is_flagged_when_tenured_arr_is_neglected() -> None:
    flagged = section_texts()[5]
    assert flagged.startswith(
        "*New versus tenured*: tenured customers (past their first year: 15, 80% of ARR) got 8 of the "
        "20 check-ins (40%); new ones (5) got 12."
    )
    assert flagged.endswith(":warning: Tenured customers get clearly less attention than their share of ARR.")
    fine = TenureSplit(5, 15, 200_000.0, 800_000.0, 2, 18, neglected=False)
    assert ":warning:" not in section_texts(tenure=fine)[5]


def test_no_owner_is_named_or_mentioned() -> None:
    body = whole_body()
    for owner in OWNERS:
        assert owner not in body
    assert "<@" not in body


def test_customer_names_are_escaped() -> None:
    body = "".join(section_texts())
    assert "*&lt;!channel&gt; &amp; &lt;@U0SOMEONE&gt; Ltd*" in body
    assert HOSTILE not in body
    assert "<!channel>" not in body


def test_an_empty_book_shows_dashes_not_errors() -> None:
    empty = ReasonCoverage(0.0, 0.0, 0.0, 0.0)
    trend = [WeekPoint(TODAY, None, None)]
    headline = section_texts(coverage=empty, trend=trend, untouched_key_accounts=[], themes=[])[0]
    assert headline == (
        "*Reason coverage*: *—* of ARR ($0 of $0) and *—* of key-account ARR ($0 of $0) had the reason "
        "confirmed as holding in the last 30 days."
    )


def test_the_trend_reads_up_down_flat_or_nothing() -> None:
    def week(share: float | None) -> WeekPoint:
        return WeekPoint(TODAY, share, share)

    assert trend_text([week(0.40), week(0.43)]) == "up 3 pts on last week"
    assert trend_text([week(0.40), week(0.39)], key=True) == "down 1 pt on last week"
    assert trend_text([week(0.40), week(0.404)]) == "flat on last week"
    assert trend_text([week(None), week(0.40)]) == ""
    assert trend_text([week(0.40)]) == ""
