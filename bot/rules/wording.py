"""How the rules say dates, spans and reasons to a person."""

from __future__ import annotations

from datetime import date

from bot.rules.limits import shorten

MONTHS = (
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def day_label(day: date, today: date) -> str:
    """'3 March', with the year when it is not this year's (English whatever the locale, and fast)."""
    label = f"{day.day} {MONTHS[day.month]}"
    return label if day.year == today.year else f"{label} {day.year}"


def days(count: int) -> str:
    """'1 day', '12 days' (a span: for a day counted from today, `days_ago` or `in_days`)."""
    return f"{count} day" if abs(count) == 1 else f"{count} days"


def days_ago(count: int) -> str:
    """A day `count` days before today: 'today', '1 day ago', '12 days ago' ('in 3 days' when < 0)."""
    if count == 0:
        return "today"
    return f"{days(count)} ago" if count > 0 else f"in {days(-count)}"


def in_days(count: int) -> str:
    """A day `count` days after today: 'today', 'in 1 day', 'in 12 days' ('3 days ago' when < 0)."""
    return days_ago(-count)


def quoted(text: str, limit: int = 80) -> str:
    """A user's text in single quotes, shortened with an ellipsis past `limit` characters."""
    text = " ".join(text.split())
    return f"'{shorten(text, limit)}'"
