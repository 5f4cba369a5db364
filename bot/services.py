"""What the Slack handlers and scheduled jobs are given: settings, the database, a clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from bot.settings import Settings
from storage.db import Database
from storage.types import utcnow


@dataclass(frozen=True)
class Services:
    """Built once by the app factory and bound into every handler at registration."""

    settings: Settings
    database: Database
    clock: Callable[[], datetime] = field(default=utcnow)
