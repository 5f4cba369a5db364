"""When the weekly team digest is due: on the configured weekday, from the configured hour (UTC)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.rules.team_digest import due_week, week_of

MON, TUE, SUN = 0, 1, 6


@pytest.mark.parametrize(
    ("now", "weekday", "hour", "due"),
    [
        (datetime(2026, 6, 8, 9, 0, tzinfo=UTC), MON, 9, date(2026, 6, 8)),  # Monday, at the hour
        (datetime(2026, 6, 8, 8, 59, tzinfo=UTC), MON, 9, None),  # a minute early
        (datetime(2026, 6, 8, 23, 59, tzinfo=UTC), MON, 9, date(2026, 6, 8)),  # caught up that day
        (datetime(2026, 6, 9, 9, 0, tzinfo=UTC), MON, 9, None),  # the next day: not again
        (datetime(2026, 6, 9, 0, 0, tzinfo=UTC), TUE, 0, date(2026, 6, 8)),  # week of its Monday
        (datetime(2026, 6, 14, 17, 0, tzinfo=UTC), SUN, 17, date(2026, 6, 8)),  # Sunday ends the week
        (datetime(2026, 6, 14, 16, 0, tzinfo=UTC), SUN, 17, None),
        (datetime(2026, 6, 10, 9, 0, tzinfo=UTC), MON, 9, None),  # a Wednesday
    ],
)
def test_due_only_on_the_weekday_from_the_hour(
    now: datetime, weekday: int, hour: int, due: date | None
) -> None:
    assert due_week(now, weekday=weekday, hour=hour) == due


@pytest.mark.parametrize("day", [date(2026, 6, 8), date(2026, 6, 10), date(2026, 6, 14)])
def test_a_week_is_named_by_its_monday(day: date) -> None:
    assert week_of(day) == date(2026, 6, 8)
