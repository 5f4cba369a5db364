"""The rules of keeping the book true: how history writes a value, and what marking a customer lost or
inactive needs."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.rules.edits import WHY_LOST_REQUIRED, as_text, status_mistakes
from bot.rules.limits import MAX_ARR, parse_amount
from bot.rules.vocabulary import Inactive

TODAY = date(2026, 11, 20)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, None),
        (15000.0, "15000"),
        (15000, "15000"),
        (1250.5, "1250.5"),
        (0.0, "0"),
        (1e12, "1000000000000"),
        (0.1, "0.1"),
        (date(2026, 1, 5), "2026-01-05"),
        (Inactive.LOST, "lost"),
        (True, "true"),
        ("Fast <onboarding>", "Fast <onboarding>"),
    ],
)
def test_history_writes_dates_iso_and_amounts_plain(value: object, text: str | None) -> None:
    assert as_text(value) == text


@given(st.floats(min_value=0, max_value=MAX_ARR, allow_nan=False))
def test_an_amount_written_for_history_reads_back_the_same(amount: float) -> None:
    written = as_text(amount)
    assert written is not None
    assert parse_amount(written) == amount


@pytest.mark.parametrize(
    ("kind", "why", "on", "fields"),
    [
        (Inactive.LOST, "Moved to a cheaper tool", TODAY, []),
        (Inactive.LOST, "  ", TODAY, ["why"]),
        (Inactive.INACTIVE, "", TODAY, []),
        (Inactive.INACTIVE, "x" * 3001, TODAY, ["why"]),
        (Inactive.INACTIVE, "", TODAY + timedelta(days=1), ["on"]),
        (Inactive.INACTIVE, "", date(2000, 1, 1), ["on"]),
        (Inactive.LOST, "", None, ["why", "on"]),
    ],
)
def test_lost_needs_why_and_a_day_no_later_than_today(
    kind: Inactive, why: str, on: date | None, fields: list[str]
) -> None:
    assert list(status_mistakes(kind, why=why, on=on, today=TODAY)) == fields


def test_the_missing_why_is_asked_for_plainly() -> None:
    assert status_mistakes(Inactive.LOST, why="", on=TODAY, today=TODAY) == {"why": WHY_LOST_REQUIRED}
