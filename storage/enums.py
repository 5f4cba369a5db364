"""Storage's own states, stored by their lowercase value."""

from __future__ import annotations

from enum import StrEnum


class DigestStatus(StrEnum):
    """Where one owner's digest for one day stands in the nudge ledger."""

    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"
