"""Keeping the book true by hand: the fields an edit changes, how history stores their values, and
what marking a customer lost or inactive needs."""

from __future__ import annotations

import math
from datetime import date
from enum import Enum, StrEnum

from bot.rules.limits import CHECKIN_DATE, MAX_REASON, too_long
from bot.rules.vocabulary import Inactive

# Integral amounts below this are written without a decimal point; beyond it, Python's shortest repr.
_PLAIN_NUMBER_LIMIT = 1e15

WHY_LOST_REQUIRED = "Say why they left: it is what the team learns from."


class Field(StrEnum):
    """A customer field as its history names it (the CSV column's name; `status` for lost/inactive)."""

    OWNER = "owner"
    REASON = "reason"
    REASON_THEME = "reason_theme"  # the theme of that reason (a `bot.rules.themes` key)
    SINCE = "since"
    RENEWAL = "renewal_date"
    ARR = "arr"
    CADENCE = "cadence_days"
    STATUS = "status"


# The status a history row gives a customer that gets nudges again (the others: an `Inactive` value).
ACTIVE = "active"


def as_text(value: object) -> str | None:
    """A value as history stores it: None stays None, dates ISO, amounts a plain number (`15000`,
    `1250.5`), enum members their value, text as it is."""
    if value is None:
        return None
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        number = float(value)
        if math.isfinite(number) and number.is_integer() and abs(number) < _PLAIN_NUMBER_LIMIT:
            return str(int(number))
        return repr(number)
    return str(value)


def status_mistakes(kind: Inactive, *, why: str, on: date | None, today: date) -> dict[str, str]:
    """Field (`why`, `on`) → what to fix before marking a customer `kind`; empty when it can be stored.

    A lost customer needs the why; the day is no later than `today`, as far back as a check-in's.
    """
    mistakes: dict[str, str] = {}
    if kind == Inactive.LOST and not why.strip():
        mistakes["why"] = WHY_LOST_REQUIRED
    elif problem := too_long(why, MAX_REASON):
        mistakes["why"] = f"The reason {problem}."
    if on is None:
        mistakes["on"] = "Pick the day."
    elif problem := CHECKIN_DATE.problem(on, today):
        mistakes["on"] = f"The date {problem}."
    return mistakes
