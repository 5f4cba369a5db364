"""Who is acting: the workspace, the user, and the time zone their "today" is read in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.rules.digest import local_now


@dataclass(frozen=True)
class Actor:
    """The person an operation acts for, in one workspace."""

    team_id: str
    user_id: str
    tz: str | None = None

    def today(self, now: datetime) -> date:
        """Their calendar day at `now` (UTC when their time zone is unknown)."""
        return local_now(now, self.tz).date()
