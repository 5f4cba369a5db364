"""When the weekly team digest is due. Pure: the time comes in.

A week is named by its Monday. The digest is due on the configured weekday from the configured
hour (UTC) to the end of that day: a run missed while the bot was down catches up the same day, and
the ledger (`bot.team_digest_job`) makes sure it goes out once.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta


def week_of(day: date) -> date:
    """The Monday of the week `day` is in."""
    return day - timedelta(days=day.weekday())


def due_week(now: datetime, *, weekday: int, hour: int) -> date | None:
    """The week (its Monday) whose digest is due at `now` (UTC), or None when none is.

    `weekday` is Monday 0 to Sunday 6."""
    if now.weekday() != weekday or now.hour < hour:
        return None
    return week_of(now.date())
