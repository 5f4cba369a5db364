"""Out of office: whether an owner's Slack status says they are away today (no digest then; the
asks wait). Pure: the status comes in as Slack gives it (`users.info` profile) with the time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

DEFAULT_EMOJI = (":palm_tree:", ":airplane:", ":desert_island:", ":beach_with_umbrella:")
DEFAULT_WORDS = ("vacation", "holiday", "out of office", "ooo", "pto", "on leave", "annual leave")


@dataclass(frozen=True)
class AwayRule:
    """The status emoji and words that mean away (words match whole, in any case)."""

    emoji: tuple[str, ...] = DEFAULT_EMOJI
    words: tuple[str, ...] = DEFAULT_WORDS

    @cached_property
    def _emoji(self) -> frozenset[str]:
        return frozenset(e.strip().lower() for e in self.emoji if e.strip())

    @cached_property
    def _pattern(self) -> re.Pattern[str] | None:
        words = [re.escape(w.strip()) for w in self.words if w.strip()]
        return re.compile(rf"(?<!\w)(?:{'|'.join(words)})(?!\w)", re.IGNORECASE) if words else None

    def is_away(self, profile: dict[str, Any] | None, *, now_epoch: float) -> bool:
        """Whether the status in `profile` says away at `now_epoch` (an expired status does not)."""
        if not profile:
            return False
        expiration = profile.get("status_expiration") or 0
        if isinstance(expiration, int | float) and 0 < expiration <= now_epoch:
            return False
        if str(profile.get("status_emoji") or "").strip().lower() in self._emoji:
            return True
        text = str(profile.get("status_text") or "")
        return self._pattern is not None and self._pattern.search(text) is not None
