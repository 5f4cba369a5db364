"""Pure rules behind /checkin and /customer: the line parser, close names, key cut-off, access, forms."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.rules.access import may_use
from bot.rules.checkin_line import CheckinLine, parse_checkin_line
from bot.rules.forms import CheckinDraft, checkin_mistakes, customer_mistakes
from bot.rules.key_accounts import cutoff_rank, is_key, key_account_ids
from bot.rules.matching import close_matches
from bot.rules.vocabulary import Verdict
from tests.factories import customer


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", CheckinLine("")),
        ("  Acme  Corp ", CheckinLine("Acme Corp")),
        ("Acme: spoke to Jo", CheckinLine("Acme", "spoke to Jo")),
        ("Acme: all good #holds", CheckinLine("Acme", "all good", Verdict.HOLDS)),
        ("Acme: #WEAKENED budget cut", CheckinLine("Acme", "budget cut", Verdict.WEAKENED)),
        ("Acme: #holds then #changed", CheckinLine("Acme", "then")),
        ("Acme: see #holdsworth", CheckinLine("Acme", "see #holdsworth")),
        ("Acme: ratio 3:1 #changed", CheckinLine("Acme", "ratio 3:1", Verdict.CHANGED)),
        ("Acme:", CheckinLine("Acme", "")),
        (": note", CheckinLine("", "note")),
    ],
)
def test_checkin_line(text: str, expected: CheckinLine) -> None:
    assert parse_checkin_line(text) == expected


@given(st.text())
def test_checkin_line_never_fails_and_never_keeps_a_tag(text: str) -> None:
    line = parse_checkin_line(text)
    assert line.customer == line.customer.strip()
    if line.note is not None:
        for tag in ("#holds", "#weakened", "#changed"):
            assert f" {tag} " not in f" {line.note.lower()} "
    assert line.logs_now == bool(line.customer and line.note)


@given(st.text(min_size=1).filter(lambda s: ":" not in s and s.strip()), st.sampled_from(list(Verdict)[:3]))
def test_a_tag_anywhere_in_the_note_sets_the_verdict(note: str, verdict: Verdict) -> None:
    line = parse_checkin_line(f"Acme: {note} #{verdict.value}")
    assert line.verdict == verdict


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Acme Crop", ["Acme Corp", "Acme Labs"]),
        ("globex", ["Globex"]),
        ("initek", ["Initech"]),
        ("zzzz", []),
        ("", []),
    ],
)
def test_close_matches(query: str, expected: list[str]) -> None:
    names = ["Acme Corp", "Acme Labs", "Globex", "Initech", "Umbrella"]
    assert close_matches(query, names)[: len(expected) or 5] == expected


@given(
    st.lists(st.tuples(st.one_of(st.none(), st.integers(0, 50).map(float)), st.booleans()), max_size=30),
    st.sampled_from([0.0, 0.1, 0.2, 0.5, 1.0]),
)
def test_cutoff_agrees_with_key_account_ids(book: list[tuple[float | None, bool]], share: float) -> None:
    customers = [customer(f"C{n}", arr=arr, active=active) for n, (arr, active) in enumerate(book)]
    expected = key_account_ids(customers, share)
    active = [c for c in customers if c.active]
    ranked = sorted((c.arr or 0.0 for c in active if c.arr), reverse=True)
    rank = cutoff_rank(len(active), share, len(ranked))
    cutoff = None if rank is None else ranked[rank - 1]
    assert {c.id for c in customers if is_key(c.arr, c.active, cutoff)} == expected


MEMBER: dict[str, Any] = {"id": "U1", "team_id": "T1"}


@pytest.mark.parametrize(
    ("user", "allowed_ids", "group", "expected"),
    [
        (MEMBER, (), None, True),
        (None, (), None, False),
        ({**MEMBER, "deleted": True}, (), None, False),
        ({**MEMBER, "is_bot": True}, (), None, False),
        ({**MEMBER, "is_restricted": True}, (), None, False),
        ({**MEMBER, "is_ultra_restricted": True}, (), None, False),
        ({**MEMBER, "is_stranger": True}, (), None, False),
        ({**MEMBER, "team_id": "T2"}, (), None, False),
        (MEMBER, ("U2",), None, False),
        (MEMBER, ("U1",), None, True),
        (MEMBER, (), frozenset({"U1"}), True),
        (MEMBER, (), frozenset({"U2"}), False),
        (MEMBER, ("U1",), frozenset(), True),
        ({**MEMBER, "is_restricted": True}, ("U1",), None, False),
    ],
)
def test_may_use(user: Any, allowed_ids: tuple[str, ...], group: Any, expected: bool) -> None:
    assert may_use(user, team_id="T1", allowed_user_ids=allowed_ids, group_members=group) is expected


TODAY = date(2025, 3, 14)


def test_checkin_mistakes() -> None:
    good = CheckinDraft(customer_id=1, occurred_on=TODAY, note="hi")
    assert checkin_mistakes(good, today=TODAY) == {}
    bad = CheckinDraft(
        customer_id=None,
        occurred_on=TODAY + timedelta(days=1),
        note=" ",
        verdict=Verdict.CHANGED,
        next_step_due=TODAY,
    )
    assert set(checkin_mistakes(bad, today=TODAY)) == {
        "customer_id",
        "occurred_on",
        "note",
        "new_reason",
        "next_step",
    }


def test_customer_mistakes() -> None:
    assert (
        customer_mistakes(name="Acme", name_taken=False, arr_text="", since=None, renewal=None, today=TODAY)
        == {}
    )
    assert set(
        customer_mistakes(
            name="Acme", name_taken=True, arr_text="x", since=TODAY, renewal=TODAY - timedelta(1), today=TODAY
        )
    ) == {"name", "arr", "renewal"}
    assert "name" in customer_mistakes(
        name="  ", name_taken=False, arr_text="", since=None, renewal=None, today=TODAY
    )
