"""`/checkin <customer>: <note>` logs at once only on the customer named exactly; anything else asks."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import select

from bot.rules.checkin_line import CheckinLine, checkin_readings, named_reading, parse_checkin_line
from bot.rules.limits import MAX_NAME
from bot.rules.names import name_key
from bot.rules.vocabulary import Verdict
from handlers import ids
from storage.models import CheckIn
from tests.live_app import LiveApp, all_text, reply
from tests.slack_requests import block_action


def checkins(live: LiveApp) -> list[CheckIn]:
    with live.services.database.session() as session:
        return list(session.exec(select(CheckIn).order_by(CheckIn.id)).all())  # type: ignore[arg-type]


def buttons(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in body["blocks"] if b["type"] == "actions" for e in b["elements"]]


# The pure rule: how a line with colons is read.


def test_readings_go_from_the_longest_customer_to_the_first_colon() -> None:
    assert checkin_readings("Colon: Name: note here #holds") == (
        CheckinLine("Colon: Name", "note here", Verdict.HOLDS),
        CheckinLine("Colon", "Name: note here", Verdict.HOLDS),
    )
    assert checkin_readings("Acme") == (CheckinLine("Acme"),)


def test_a_customer_longer_than_a_name_is_never_read_past_the_first_colon() -> None:
    long = "x" * (MAX_NAME + 1)
    assert [r.customer for r in checkin_readings(f"Acme: {long}: note")] == ["Acme"]
    assert [r.customer for r in checkin_readings(f"{long}: note")] == [long]


@pytest.mark.parametrize(
    ("note", "verdict"),
    [
        ("#holds #changed", None),
        ("#weakened then #holds", None),
        ("#holds and again #HOLDS", Verdict.HOLDS),
        ("#changed", Verdict.CHANGED),
    ],
)
def test_tags_that_disagree_give_no_verdict(note: str, verdict: Verdict | None) -> None:
    assert parse_checkin_line(f"Acme: call {note}").verdict == verdict


names = st.text(alphabet="ab: ", min_size=1, max_size=8).map(lambda s: " ".join(s.split())).filter(bool)


@given(st.lists(names, max_size=6), st.lists(st.sampled_from(["a", "b", ":", " ", "a:b", ": "]), max_size=12))
def test_the_customer_chosen_is_always_an_exact_name_and_the_longest(
    known: list[str], parts: list[str]
) -> None:
    text = "".join(parts)
    by_key = {name_key(name): name for name in known}
    chosen = named_reading(checkin_readings(text), lambda typed: by_key.get(name_key(typed)))
    prefixes = [" ".join(text.strip()[:i].split()) for i, c in enumerate(text.strip()) if c == ":"]
    exact = [p for p in prefixes if p and name_key(p) in by_key]
    if chosen is None:
        assert exact == []
        return
    line, name = chosen
    assert name_key(line.customer) == name_key(name)
    if ":" in text:
        assert line.customer == max(exact, key=len)


# Through the app.


def test_a_colon_inside_a_name_logs_on_that_customer_with_the_rest_as_the_note(live: LiveApp) -> None:
    live.add_customer("Colon")
    colon_name = live.add_customer("Colon: Name", original_reason="Speed")

    body = reply(live.command("/checkin", "Colon: Name: note here #holds"))

    [stored] = checkins(live)
    assert (stored.customer_id, stored.note, stored.verdict) == (colon_name.id, "note here", Verdict.HOLDS)
    assert "Logged a check-in with *Colon: Name*" in all_text(body["blocks"])


def test_a_part_of_a_name_asks_with_close_matches_and_stores_nothing(live: LiveApp) -> None:
    umbrella = live.add_customer("Umbrella Corp", owner_user_id="U9")

    body = reply(live.command("/checkin", "Umbrell: renewal talk #holds"))

    assert checkins(live) == []
    assert "Nothing was saved" in all_text(body["blocks"])
    picks = buttons(body)
    assert [b["text"]["text"] for b in picks] == ["Umbrella Corp", "Add Umbrell"]
    assert json.loads(picks[0]["value"])["c"] == umbrella.id


def test_a_part_of_a_name_with_a_colon_asks_for_the_first_part(live: LiveApp) -> None:
    live.add_customer("Colon: Name")

    body = reply(live.command("/checkin", "Colo: Name: note"))

    assert checkins(live) == []
    assert [b["text"]["text"] for b in buttons(body)] == ["Colon: Name", "Add Colo"]


def test_a_look_alike_spelling_logs_on_the_customer_it_reads_as(live: LiveApp) -> None:
    acme = live.add_customer("Acme")

    reply(live.command("/checkin", "АCМЕ: call"))  # Cyrillic А, М and Е

    [stored] = checkins(live)
    assert (stored.customer_id, stored.note) == (acme.id, "call")


def test_tags_that_disagree_ask_with_the_verdict_buttons(live: LiveApp) -> None:
    live.add_customer("Acme", original_reason="Fast onboarding")

    body = reply(live.command("/checkin", "Acme: mixed signals #holds #changed"))

    [stored] = checkins(live)
    assert (stored.note, stored.verdict, stored.new_reason) == ("mixed signals", Verdict.NOT_ASKED, None)
    assert body["blocks"][1]["text"]["text"] == "Does 'Fast onboarding' still hold?"
    assert [b["action_id"] for b in body["blocks"][2]["elements"]] == [
        ids.numbered(ids.ANSWER_VERDICT_ACTION, v) for v in ("holds", "weakened", "changed")
    ]


def test_picking_a_close_match_logs_what_was_typed(live: LiveApp) -> None:
    umbrella = live.add_customer("Umbrella Corp")
    pick = buttons(reply(live.command("/checkin", "Umbrell: renewal talk")))[0]

    live.interact(block_action(pick["action_id"], pick["value"], response_url=live.slack.response_url("p")))
    live.slack.wait_for("response_url")

    [stored] = checkins(live)
    assert (stored.customer_id, stored.note) == (umbrella.id, "renewal talk")


@pytest.mark.parametrize("text", ["x" * 50_000, "x" * 50_000 + ": note", "x" * 201])
def test_a_checkin_name_longer_than_any_name_gets_a_friendly_answer(live: LiveApp, text: str) -> None:
    live.add_customer("x" * 200)

    body = reply(live.command("/checkin", text))

    assert body["text"].startswith("That's longer than any customer name (at most 200 characters)")
    assert checkins(live) == []


def test_a_nul_in_the_name_is_dropped_before_the_lookup(live: LiveApp) -> None:
    acme = live.add_customer("Acme")

    reply(live.command("/checkin", "Ac\x00me: call"))

    [stored] = checkins(live)
    assert stored.customer_id == acme.id
