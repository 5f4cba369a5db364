"""Every action, block, callback and view ID Holdfast's Slack surface uses, in one place."""

from __future__ import annotations

# A button whose value is a customer id: opens the check-in form for that customer.
# Used by the customer card and by the daily digest.
LOG_CHECKIN_ACTION = "log_checkin"

# The daily digest (built by bot.digest_blocks, answered by handlers.digest).
# Block ids are "<prefix>:<customer id>", so every control knows its customer after a restart.
DIGEST_CUSTOMER_BLOCK = "digest_customer"
DIGEST_ACTIONS_BLOCK = "digest_actions"
# A select whose option values are "<week|month>:<customer id>".
DIGEST_SNOOZE_ACTION = "digest_snooze"
# A button whose value is a customer id: asks who owns the customer instead.
DIGEST_NOT_MINE_ACTION = "digest_not_mine"
# The users_select that answers "who owns it?" (its block id carries the customer id), and its cancel.
DIGEST_REASSIGN_ACTION = "digest_reassign"
DIGEST_REASSIGN_CANCEL_ACTION = "digest_reassign_cancel"
