"""The numbers the rules run on; PRODUCT.md's defaults, overridable through settings."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Policy:
    """When a customer is due a conversation, and how many never checked in one digest asks about
    (`bot.rules.nudges.spread_new`)."""

    cadence_days: int = 30
    key_cadence_days: int = 14
    key_account_share: float = 0.2
    renewal_window_days: int = 120
    reason_confirmed_days: int = 60
    follow_up_days: int = 14
    new_customer_daily_cap: int = 3
