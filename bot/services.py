"""What the Slack handlers and scheduled jobs are given: settings, the database, a clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from bot.settings import Settings
from storage.db import Database
from storage.types import utcnow


def system_clock() -> datetime:
    """The time now, tz-aware UTC: the one clock of every surface, unless it is given another (tests).

    Nothing else in the product reads the time; an owner's "today" is `bot.rules.digest.local_now`
    of this clock's `now` in their time zone.
    """
    return utcnow()


@dataclass(frozen=True)
class Services:
    """Built once by the app factory and bound into every handler at registration."""

    settings: Settings
    database: Database
    clock: Callable[[], datetime] = field(default=system_clock)
