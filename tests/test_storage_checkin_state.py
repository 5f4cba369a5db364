"""A customer's latest state is the same whatever order its check-ins arrive in."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.rules.vocabulary import Change, Expectation, Verdict
from storage.checkins import apply_checkin
from storage.models import CheckIn
from tests.factories import customer

checkins = st.builds(
    CheckIn,
    team_id=st.just("T0001"),
    customer_id=st.just(1),
    occurred_on=st.integers(0, 60).map(lambda n: date(2026, 1, 1) + timedelta(days=n)),
    author_user_id=st.sampled_from(["U1", "U2"]),
    verdict=st.sampled_from(list(Verdict)),
    new_reason=st.sampled_from([None, "compliance", "speed"]),
    expectation=st.sampled_from(list(Expectation)),
    changes=st.lists(st.sampled_from(list(Change)), max_size=2, unique=True),
    next_step=st.sampled_from([None, "demo"]),
    next_step_due=st.sampled_from([None, date(2026, 4, 1)]),
)

STATE = [
    "last_checkin_on",
    "last_verdict_on",
    "reason_confirmed_on",
    "current_reason_on",
    "last_expectation_on",
    "last_changes_on",
    "concern_on",
    "next_step_on",
]


def _state(items: list[CheckIn]) -> dict[str, object]:
    target = customer("Acme", original_reason="price")
    for item in items:
        apply_checkin(target, item)
    return {field: getattr(target, field) for field in STATE}


@given(st.lists(checkins, max_size=8), st.randoms())
def test_state_dates_do_not_depend_on_arrival_order(items: list[CheckIn], rnd) -> None:
    shuffled = list(items)
    rnd.shuffle(shuffled)
    assert _state(items) == _state(shuffled)


def test_changed_verdict_moves_the_current_reason_and_keeps_the_original() -> None:
    target = customer("Acme", original_reason="price", original_reason_on=date(2025, 1, 1))
    apply_checkin(
        target,
        CheckIn(
            team_id="T0001",
            customer_id=1,
            occurred_on=date(2026, 2, 1),
            verdict=Verdict.CHANGED,
            new_reason="audit trail",
            author_user_id="U2",
        ),
    )
    apply_checkin(
        target,
        CheckIn(
            team_id="T0001",
            customer_id=1,
            occurred_on=date(2026, 1, 1),
            verdict=Verdict.CHANGED,
            new_reason="older news",
            author_user_id="U3",
        ),
    )
    assert (target.original_reason, target.current_reason) == ("price", "audit trail")
    assert (target.last_verdict, target.last_verdict_by, target.concern_on) == (
        Verdict.CHANGED,
        "U2",
        date(2026, 2, 1),
    )


def _changed(day: int, reason: str, theme: str | None) -> CheckIn:
    return CheckIn(
        team_id="T0001",
        customer_id=1,
        occurred_on=date(2026, 1, day),
        verdict=Verdict.CHANGED,
        new_reason=reason,
        new_reason_theme=theme,
    )


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        ([(5, "audit", "compliance_and_security")], ("audit", "compliance_and_security")),
        # An older reason arriving later changes nothing, its theme neither.
        (
            [(5, "audit", "compliance_and_security"), (2, "older", "price")],
            ("audit", "compliance_and_security"),
        ),
        # A newer reason without a theme leaves it not set: the last reason's theme is not carried over.
        ([(2, "older", "price"), (5, "audit", None)], ("audit", None)),
        # The same day: the one told last wins, theme and all.
        ([(5, "audit", None), (5, "cost", "price")], ("cost", "price")),
    ],
)
def test_the_current_reason_keeps_the_theme_it_came_with(
    days: list[tuple[int, str, str | None]], expected: tuple[str, str | None]
) -> None:
    target = customer("Acme", original_reason="price", original_reason_theme="price")
    for day, reason, theme in days:
        apply_checkin(target, _changed(day, reason, theme))
    assert (target.current_reason, target.current_reason_theme) == expected
    assert target.original_reason_theme == "price"
