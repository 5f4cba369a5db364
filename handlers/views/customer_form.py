"""The add-customer form and reading it back."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    DatePickerElement,
    PlainTextInputElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.operations.add_customer import NewCustomer
from bot.rules.limits import MAX_NAME, MAX_REASON, clean_text
from bot.rules.themes import DEFAULT_THEMES, Themes
from handlers import ids
from handlers.views.common import input_block, input_date, input_text, input_value, option_model, plain
from handlers.views.themes import selected_theme, theme_input

FIELD_BLOCKS = {
    "name": ids.CUSTOMER_NAME,
    "owner": ids.CUSTOMER_OWNER,
    "reason": ids.CUSTOMER_REASON,
    "reason_theme": ids.CUSTOMER_REASON_THEME,
    "since": ids.CUSTOMER_SINCE,
    "arr": ids.CUSTOMER_ARR,
    "renewal": ids.CUSTOMER_RENEWAL,
}
NOT_KNOWN_YET = "Not known yet: remind me to find out"
REASON_UNKNOWN = "unknown"  # the checkbox's value


def customer_modal(
    *,
    name: str = "",
    owner_user_id: str,
    metadata: dict[str, Any] | None = None,
    reason_unknown: bool = False,
    themes: Themes = DEFAULT_THEMES,
) -> View:
    """The form to add a customer; `owner_user_id` (the caller) is the default owner.

    Why they chose us is required, unless "Not known yet" is ticked (`reason_unknown`): the box
    dispatches, so the form is rebuilt without the reason input, and its theme, while it is ticked (the
    nudge then asks to find out). Inputs keep their block ids, so Slack keeps what was typed.
    """
    reason: list[Block] = []
    if not reason_unknown:
        reason.append(
            input_block(
                ids.CUSTOMER_REASON,
                "Why did they choose us?",
                PlainTextInputElement(multiline=True, max_length=MAX_REASON),
            )
        )
        theme = theme_input(ids.CUSTOMER_REASON_THEME, themes)
        if theme is not None:
            reason.append(theme)
    reason.append(
        input_block(
            ids.CUSTOMER_REASON_UNKNOWN,
            "Don't know why yet?",
            CheckboxesElement(options=[option_model(NOT_KNOWN_YET, REASON_UNKNOWN)]),
            optional=True,
            dispatch_action=True,
        )
    )
    return View(
        type="modal",
        callback_id=ids.CUSTOMER_VIEW,
        title=plain("Add a customer", 24),
        submit=plain("Add", 24),
        close=plain("Cancel", 24),
        blocks=[
            input_block(
                ids.CUSTOMER_NAME,
                "Name",
                PlainTextInputElement(
                    initial_value=" ".join(clean_text(name).split())[:MAX_NAME] or None, max_length=MAX_NAME
                ),
            ),
            input_block(ids.CUSTOMER_OWNER, "Owner", UserSelectElement(initial_user=owner_user_id)),
            *reason,
            input_block(ids.CUSTOMER_SINCE, "Customer since", DatePickerElement(), optional=True),
            input_block(ids.CUSTOMER_RENEWAL, "Renewal date", DatePickerElement(), optional=True),
            input_block(
                ids.CUSTOMER_ARR,
                "Annual revenue (ARR)",
                PlainTextInputElement(placeholder=plain("e.g. 120000 or 120k", 150), max_length=40),
                optional=True,
            ),
        ],
        private_metadata=json.dumps(metadata or {}),
    )


def reason_unknown(values: dict[str, Any]) -> bool:
    """Whether "Not known yet" is ticked in the form's `state.values`."""
    ticked = input_value(values, ids.CUSTOMER_REASON_UNKNOWN).get("selected_options") or []
    return any(option.get("value") == REASON_UNKNOWN for option in ticked)


def read_customer_form(values: dict[str, Any]) -> NewCustomer:
    """The form's fields as the add-customer operation takes them (a reason typed wins over the tick)."""
    typed = input_text(values, ids.CUSTOMER_REASON)
    return NewCustomer(
        name=" ".join(input_text(values, ids.CUSTOMER_NAME).split()),
        owner_user_id=input_value(values, ids.CUSTOMER_OWNER).get("selected_user"),
        reason=None if not typed and reason_unknown(values) else typed,
        since=input_date(values, ids.CUSTOMER_SINCE),
        renewal=input_date(values, ids.CUSTOMER_RENEWAL),
        arr_text=input_text(values, ids.CUSTOMER_ARR),
        reason_theme=selected_theme(values, ids.CUSTOMER_REASON_THEME),
    )
