"""Every action, block, callback and view ID Holdfast's Slack surface uses, in one place."""

from __future__ import annotations

# A button whose value is a customer id: opens the check-in form for that customer.
# Used by the customer card and by the daily digest.
LOG_CHECKIN_ACTION = "log_checkin"
