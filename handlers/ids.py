"""Every action, block, callback and view ID Holdfast's Slack surface uses, in one place."""

from __future__ import annotations

import re

# A button whose value is a customer id: opens the check-in form for that customer.
# Used by the customer card and by the daily digest.
LOG_CHECKIN_ACTION = "log_checkin"

# Slash commands.
CHECKIN_COMMAND = "/checkin"
CUSTOMER_COMMAND = "/customer"

# The check-in form; each input's block and action share one ID.
CHECKIN_VIEW = "checkin_form"
CHECKIN_CUSTOMER = "checkin_customer"
CHECKIN_DATE = "checkin_date"
CHECKIN_SPOKE_WITH = "checkin_spoke_with"
CHECKIN_NOTE = "checkin_note"
CHECKIN_VERDICT = "checkin_verdict"
CHECKIN_NEW_REASON = "checkin_new_reason"
CHECKIN_EXPECTATION = "checkin_expectation"
CHECKIN_CHANGES = "checkin_changes"
CHECKIN_NEXT_STEP = "checkin_next_step"
CHECKIN_NEXT_STEP_DUE = "checkin_next_step_due"

# "Does '<reason>' still hold?" under a logged check-in: value "<checkin id>:<verdict>".
ANSWER_VERDICT_ACTION = "answer_verdict"
NEW_REASON_VIEW = "new_reason_form"
NEW_REASON = "new_reason"

# Close matches for an unknown name: complete the log, show the card, or add the customer
# (from `/checkin`, adding it also logs the check-in typed with it).
PICK_FOR_CHECKIN_ACTION = "pick_for_checkin"
PICK_FOR_CARD_ACTION = "pick_for_card"
ADD_CUSTOMER_ACTION = "add_customer"
ADD_FOR_CHECKIN_ACTION = "add_customer_for_checkin"

# The add-customer form.
CUSTOMER_VIEW = "customer_form"
CUSTOMER_NAME = "customer_name"
CUSTOMER_OWNER = "customer_owner"
CUSTOMER_REASON = "customer_reason"
CUSTOMER_SINCE = "customer_since"
CUSTOMER_RENEWAL = "customer_renewal"
CUSTOMER_ARR = "customer_arr"

# A customer's full history: a button whose value is a customer id, and the pager in the form.
HISTORY_ACTION = "customer_history"
HISTORY_VIEW = "customer_history"
HISTORY_PAGE_ACTION = "customer_history_page"


def numbered(action_id: str, index: object) -> str:
    """A distinct action ID for one of several buttons doing the same thing (`answer_verdict:holds`)."""
    return f"{action_id}:{index}"


def numbered_pattern(action_id: str) -> re.Pattern[str]:
    """Matches `action_id` and every `numbered(action_id, …)`."""
    return re.compile(rf"^{re.escape(action_id)}(:.*)?$")


# The daily digest (built by handlers.views.digest, answered by handlers.digest).
# Block ids are "<prefix>:<customer id>", so every control knows its customer after a restart.
DIGEST_HEADER_BLOCK = "digest_header"  # "<prefix>:<customers counted but not shown>"
DIGEST_CUSTOMER_BLOCK = "digest_customer"
DIGEST_ACTIONS_BLOCK = "digest_actions"
# A select whose option values are "<week|month>:<customer id>".
DIGEST_SNOOZE_ACTION = "digest_snooze"
# A button whose value is a customer id: asks who owns the customer instead.
DIGEST_NOT_MINE_ACTION = "digest_not_mine"
# The users_select that answers "who owns it?" (its block id carries the customer id), and its cancel.
DIGEST_REASSIGN_ACTION = "digest_reassign"
DIGEST_REASSIGN_CANCEL_ACTION = "digest_reassign_cancel"
# One-tap answers in the digest: a button per verdict, value "<verdict>:<customer id>"; "changed"
# opens the new-reason form for the customer (its metadata names the digest message to update).
DIGEST_ANSWER_ACTION = "digest_answer"
DIGEST_NEW_REASON_VIEW = "digest_new_reason"
# "View card" under a direct message about one customer (the hand-over): value, the customer id;
# the card comes as a new message, the one with the button stays.
VIEW_CARD_ACTION = "view_card"

# Keeping the book true from the card (and `/customer edit <name>`): buttons whose value is a customer
# id open the edit form (Edit, and a close name under an unknown one) or make it active again; "Mark as
# lost" / "Mark as inactive" have the value "<lost|inactive>:<customer id>" and open the status form.
EDIT_CUSTOMER_ACTION = "edit_customer"
PICK_FOR_EDIT_ACTION = "pick_for_edit"
MARK_INACTIVE_ACTION = "mark_inactive"
REACTIVATE_ACTION = "reactivate_customer"
# The edit form; each input's block and action share one ID.
EDIT_VIEW = "customer_edit_form"
EDIT_REASON = "edit_reason"
EDIT_SINCE = "edit_since"
EDIT_RENEWAL = "edit_renewal"
EDIT_ARR = "edit_arr"
EDIT_CADENCE = "edit_cadence"
EDIT_OWNER = "edit_owner"
# The lost / inactive form.
STATUS_VIEW = "customer_status_form"
STATUS_WHY = "status_why"
STATUS_ON = "status_on"

# Issue 12, the forms (check-in verdict first, the card's Edit, the list's names): IDs below.
# The add-customer form's "Not known yet" checkbox (dispatches: the reason input goes while it is ticked).
CUSTOMER_REASON_UNKNOWN = "customer_reason_unknown"

# The Home tab (`handlers.home`): its Settings button and form, and its book lines' card buttons.
HOME_SETTINGS_ACTION = "home_settings"
HOME_SETTINGS_VIEW = "home_settings_form"
HOME_PAUSE = "home_pause_until"
HOME_HOUR = "home_digest_hour"
HOME_DAYS = "home_digest_days"
HOME_CARD_ACTION = "home_view_card"
HOME_BOOK_ACTION = "home_whole_book"  # value: the page of the book to show (a paged modal)

# Reason themes (`bot.rules.themes`): the theme select beside each reason input; each shares its
# block's ID. The option "Not set" has this value (a theme's key never has a `-`).
CUSTOMER_REASON_THEME = "customer_reason_theme"
CHECKIN_NEW_REASON_THEME = "checkin_new_reason_theme"
NEW_REASON_THEME = "new_reason_theme"
EDIT_REASON_THEME = "edit_reason_theme"
THEME_NOT_SET = "-"

# The team view on a lead's Home tab (`handlers.home`): "Team" (value: the period in days, 30 or 90)
# publishes it, "My book" publishes the lead's own Home again.
HOME_TEAM_ACTION = "home_team_view"
HOME_MY_BOOK_ACTION = "home_my_book"
