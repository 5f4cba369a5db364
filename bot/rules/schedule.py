"""When an owner's digest goes out: the workspace's hour and days, or the owner's own (Home tab).

Days are written as in `DIGEST_WEEKDAYS`: `mon,tue,wed,thu,fri` (Monday is 0 as a number).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def weekday_numbers(text: str) -> frozenset[int]:
    """`mon,Tuesday, wed` → {0, 1, 2}; ValueError naming the first day it cannot read (or none given)."""
    days = [part.strip().lower()[:3] for part in text.split(",") if part.strip()]
    if not days:
        raise ValueError("no day given")
    bad = [day for day in days if day not in WEEKDAYS]
    if bad:
        raise ValueError(f"{bad[0]!r} is not a day such as mon,tue,wed,thu,fri")
    return frozenset(WEEKDAYS.index(day) for day in days)


def weekdays_text(numbers: Iterable[int]) -> str:
    """{0, 1, 2} → `mon,tue,wed` (the stored form)."""
    return ",".join(WEEKDAYS[n] for n in sorted(set(numbers)))


def days_label(numbers: Iterable[int]) -> str:
    """For a person: 'weekdays', 'every day', or 'Monday, Wednesday and Friday'."""
    chosen = sorted(set(numbers))
    if chosen == [0, 1, 2, 3, 4]:
        return "weekdays"
    if len(chosen) == 7:
        return "every day"
    names = [DAY_NAMES[n] for n in chosen]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


@dataclass(frozen=True)
class DigestTime:
    """The local hour (0–23) from which, and the weekdays on which, an owner's digest goes out."""

    hour: int
    weekdays: frozenset[int]


def digest_time(own_hour: int | None, own_weekdays: str | None, *, default: DigestTime) -> DigestTime:
    """The owner's own hour and days where they chose them, else the workspace's `default`.
    A stored value that no longer reads (edited by hand) falls back to the default."""
    try:
        days = weekday_numbers(own_weekdays) if own_weekdays else default.weekdays
    except ValueError:
        days = default.weekdays
    hour = own_hour if own_hour is not None and 0 <= own_hour <= 23 else default.hour
    return DigestTime(hour, days)
