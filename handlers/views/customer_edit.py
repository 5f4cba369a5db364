"""The edit form (a customer's reason, dates, ARR, cadence and owner) and the lost / inactive form, and
reading them back."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from slack_sdk.models.blocks import DatePickerElement, PlainTextInputElement, UserSelectElement
from slack_sdk.models.views import View

from bot.operations.customer_status import StatusForm
from bot.operations.edit_customer import CustomerEdit, EditForm
from bot.rules.edits import as_text
from bot.rules.limits import MAX_CADENCE, MAX_REASON
from bot.rules.themes import DEFAULT_THEMES, Themes
from bot.rules.vocabulary import Inactive
from handlers import ids
from handlers.views.common import input_block, input_date, input_text, input_value, plain, section
from handlers.views.customer_card import INACTIVE_LABELS
from handlers.views.text import safe
from handlers.views.themes import selected_theme, theme_input

# The edit's field → the block a mistake is shown next to.
EDIT_FIELD_BLOCKS = {
    "reason": ids.EDIT_REASON,
    "reason_theme": ids.EDIT_REASON_THEME,
    "since": ids.EDIT_SINCE,
    "renewal": ids.EDIT_RENEWAL,
    "arr": ids.EDIT_ARR,
    "cadence": ids.EDIT_CADENCE,
    "owner": ids.EDIT_OWNER,
}
STATUS_FIELD_BLOCKS = {"why": ids.STATUS_WHY, "on": ids.STATUS_ON}
STATUS_WHY_LABELS = {Inactive.LOST: "Why did they leave?", Inactive.INACTIVE: "Why is it inactive?"}


def _metadata(customer_id: int, response_url: str | None, **more: Any) -> str:
    """What a form carries: its customer, and where to show the card once saved (the card's message, or
    the `/customer edit` reply)."""
    return json.dumps({"customer": customer_id, "response_url": response_url, **more})


def form_metadata(view: dict[str, Any]) -> dict[str, Any]:
    return dict(json.loads(view.get("private_metadata") or "{}"))


def edit_modal(
    form: EditForm, *, response_url: str | None, replace: bool, themes: Themes = DEFAULT_THEMES
) -> View:
    """The edit form, filled in with the customer's fields as they stand, the reason's theme one of
    `themes` (`replace`: once saved, the card replaces the message at `response_url`)."""

    def day(value: date | None) -> DatePickerElement:
        return DatePickerElement(initial_date=value.isoformat() if value else None)

    theme = theme_input(ids.EDIT_REASON_THEME, themes, current=form.reason_theme)

    return View(
        type="modal",
        callback_id=ids.EDIT_VIEW,
        title=plain("Edit customer", 24),
        submit=plain("Save", 24),
        close=plain("Cancel", 24),
        private_metadata=_metadata(form.customer_id, response_url, replace=replace),
        blocks=[
            section(f"*{safe(form.name, 200)}*"),
            input_block(
                ids.EDIT_REASON,
                "Why did they choose us?",
                PlainTextInputElement(multiline=True, max_length=MAX_REASON, initial_value=form.reason),
                optional=form.reason is None,
            ),
            *([theme] if theme else []),
            input_block(ids.EDIT_SINCE, "Customer since", day(form.since), optional=True),
            input_block(ids.EDIT_RENEWAL, "Renewal date", day(form.renewal), optional=True),
            input_block(
                ids.EDIT_ARR,
                "Annual revenue (ARR)",
                PlainTextInputElement(
                    initial_value=as_text(form.arr),
                    placeholder=plain("e.g. 120000 or 120k", 150),
                    max_length=40,
                ),
                optional=True,
            ),
            input_block(
                ids.EDIT_CADENCE,
                "Check in every … days",
                PlainTextInputElement(
                    initial_value=as_text(form.cadence_days),
                    placeholder=plain("Empty: the team's default", 150),
                    max_length=len(str(MAX_CADENCE)) + 2,
                ),
                optional=True,
            ),
            input_block(ids.EDIT_OWNER, "Owner", UserSelectElement(initial_user=form.owner_user_id)),
        ],
    )


def read_edit_form(values: dict[str, Any]) -> CustomerEdit:
    """The edit form's fields as the edit operation takes them."""
    return CustomerEdit(
        reason=input_text(values, ids.EDIT_REASON),
        since=input_date(values, ids.EDIT_SINCE),
        renewal=input_date(values, ids.EDIT_RENEWAL),
        arr_text=input_text(values, ids.EDIT_ARR),
        cadence_text=input_text(values, ids.EDIT_CADENCE),
        owner_user_id=input_value(values, ids.EDIT_OWNER).get("selected_user") or None,
        reason_theme=selected_theme(values, ids.EDIT_REASON_THEME),
    )


def status_modal(form: StatusForm, *, response_url: str | None, replace: bool) -> View:
    """The form to mark a customer lost (why required) or inactive, since a day (today by default)."""
    label = INACTIVE_LABELS[form.kind]
    return View(
        type="modal",
        callback_id=ids.STATUS_VIEW,
        title=plain(f"Mark as {form.kind.value}", 24),
        submit=plain(f"Mark as {form.kind.value}", 24),
        close=plain("Cancel", 24),
        private_metadata=_metadata(form.customer_id, response_url, replace=replace, kind=form.kind.value),
        blocks=[
            section(
                f"*{safe(form.name, 200)}* gets no nudges while it is {label.lower()}; "
                "its history stays. You can reactivate it from its card."
            ),
            input_block(
                ids.STATUS_WHY,
                STATUS_WHY_LABELS[form.kind],
                PlainTextInputElement(multiline=True, max_length=MAX_REASON),
                optional=form.kind != Inactive.LOST,
            ),
            input_block(ids.STATUS_ON, "Since", DatePickerElement(initial_date=form.today.isoformat())),
        ],
    )


def read_status_form(values: dict[str, Any]) -> tuple[str, date | None]:
    """The why and the day the status form was submitted with."""
    return input_text(values, ids.STATUS_WHY), input_date(values, ids.STATUS_ON)
