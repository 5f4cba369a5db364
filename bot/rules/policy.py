"""The numbers the rules run on; PRODUCT.md's defaults, overridable through settings."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Policy:
    """When a customer is due a conversation."""

    cadence_days: int = 30
    key_cadence_days: int = 14
    key_account_share: float = 0.2
    renewal_window_days: int = 120
    reason_confirmed_days: int = 60
    follow_up_days: int = 14
