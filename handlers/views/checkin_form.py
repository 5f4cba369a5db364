"""The check-in form (a modal) and reading it back."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    DatePickerElement,
    ExternalDataSelectElement,
    PlainTextInputElement,
    RadioButtonsElement,
)
from slack_sdk.models.views import View

from bot.rules.forms import CheckinDraft
from bot.rules.limits import MAX_NEXT_STEP, MAX_NOTE, MAX_REASON, MAX_SPOKE_WITH
from bot.rules.themes import DEFAULT_THEMES, Themes
from bot.rules.vocabulary import CHANGE_LABELS, Change, Expectation, Verdict
from bot.rules.wording import quoted
from handlers import ids
from handlers.views.common import (
    EXPECTATION_LABELS,
    VERDICT_LABELS,
    input_block,
    input_date,
    input_text,
    input_value,
    option_model,
    plain,
    section,
)
from handlers.views.text import safe
from handlers.views.themes import selected_theme, theme_input

# The draft's field → the block a mistake is shown next to.
FIELD_BLOCKS = {
    "customer_id": ids.CHECKIN_CUSTOMER,
    "occurred_on": ids.CHECKIN_DATE,
    "note": ids.CHECKIN_NOTE,
    "spoke_with": ids.CHECKIN_SPOKE_WITH,
    "new_reason": ids.CHECKIN_NEW_REASON,
    "new_reason_theme": ids.CHECKIN_NEW_REASON_THEME,
    "next_step": ids.CHECKIN_NEXT_STEP,
    "next_step_due": ids.CHECKIN_NEXT_STEP_DUE,
}
REASON_BLOCK = "checkin_reason_shown"


def checkin_modal(
    *,
    today: date,
    customer: tuple[int, str] | None = None,
    reason: str | None = None,
    metadata: dict[str, Any] | None = None,
    verdict: Verdict | None = None,
    themes: Themes = DEFAULT_THEMES,
) -> View:
    """The form to log a conversation, with `customer` chosen and their reason shown when known.

    Whether their reason still holds comes first and must be answered ("Not asked" is an answer); it
    dispatches its choice, so the form is rebuilt with the `verdict` chosen, and the new reason and its
    theme (one of `themes`) are asked for only once it is "changed". Every input keeps its block id, so
    Slack keeps what was typed.
    """
    chosen = option_model(customer[1], str(customer[0])) if customer else None
    if customer is None:
        reason_line = "_Choose the customer to see their reason._"
    elif reason:
        reason_line = f"*Their reason:* {safe(quoted(reason, 600))}"
    else:
        reason_line = "_Nobody has recorded why they chose us yet._"
    verdicts = [option_model(VERDICT_LABELS[v], v.value) for v in Verdict]
    expectations = [option_model(EXPECTATION_LABELS[e], e.value) for e in Expectation]
    blocks: list[Block] = [
        input_block(
            ids.CHECKIN_CUSTOMER,
            "Customer",
            ExternalDataSelectElement(
                placeholder=plain("Type to search", 150), min_query_length=0, initial_option=chosen
            ),
            dispatch_action=True,
        ),
        section(reason_line, block_id=REASON_BLOCK),
        input_block(
            ids.CHECKIN_VERDICT,
            "Does their reason still hold?",
            RadioButtonsElement(options=verdicts),
            dispatch_action=True,
        ),
    ]
    if verdict == Verdict.CHANGED:
        blocks += _new_reason_inputs(ids.CHECKIN_NEW_REASON, ids.CHECKIN_NEW_REASON_THEME, themes)
    blocks += [
        input_block(ids.CHECKIN_NOTE, "Note", PlainTextInputElement(multiline=True, max_length=MAX_NOTE)),
        input_block(ids.CHECKIN_DATE, "Date", DatePickerElement(initial_date=today.isoformat())),
        input_block(
            ids.CHECKIN_SPOKE_WITH,
            "Who we spoke with",
            PlainTextInputElement(max_length=MAX_SPOKE_WITH),
            optional=True,
        ),
        input_block(
            ids.CHECKIN_EXPECTATION,
            "Delivery against their expectations",
            RadioButtonsElement(options=expectations),
            optional=True,
        ),
        input_block(
            ids.CHECKIN_CHANGES,
            "Changes at the customer",
            CheckboxesElement(options=[option_model(CHANGE_LABELS[c], c.value) for c in Change]),
            optional=True,
        ),
        input_block(
            ids.CHECKIN_NEXT_STEP,
            "Next step",
            PlainTextInputElement(max_length=MAX_NEXT_STEP),
            optional=True,
        ),
        input_block(ids.CHECKIN_NEXT_STEP_DUE, "Next step due", DatePickerElement(), optional=True),
    ]
    return View(
        type="modal",
        callback_id=ids.CHECKIN_VIEW,
        title=plain("Log a check-in", 24),
        submit=plain("Save", 24),
        close=plain("Cancel", 24),
        blocks=blocks,
        private_metadata=json.dumps(metadata or {}),
    )


def _new_reason_inputs(reason_block: str, theme_block: str, themes: Themes) -> list[Block]:
    """ "What is their reason now?" and, when themes are configured, its theme."""
    reason = input_block(
        reason_block,
        "What is their reason now?",
        PlainTextInputElement(multiline=True, max_length=MAX_REASON),
    )
    theme = theme_input(theme_block, themes)
    return [reason] if theme is None else [reason, theme]


def _selected(values: dict[str, Any], block_id: str) -> str | None:
    selected = input_value(values, block_id).get("selected_option")
    return str(selected["value"]) if selected else None


def selected_customer(values: dict[str, Any]) -> int | None:
    raw = _selected(values, ids.CHECKIN_CUSTOMER)
    return int(raw) if raw and raw.isdigit() else None


def selected_verdict(values: dict[str, Any]) -> Verdict | None:
    """The answer chosen so far to "does their reason still hold?" (None: none, or not one we know)."""
    raw = _selected(values, ids.CHECKIN_VERDICT)
    return next((verdict for verdict in Verdict if verdict.value == raw), None)


def read_new_reason_theme(values: dict[str, Any]) -> str | None:
    """The theme chosen for the new reason in a submitted check-in form (None: not set)."""
    return selected_theme(values, ids.CHECKIN_NEW_REASON_THEME)


def read_checkin_form(values: dict[str, Any]) -> CheckinDraft:
    """The draft in a submitted form's `view.state.values` (a verdict missing, which only a forged form
    can do, reads as "not asked")."""
    expectation = _selected(values, ids.CHECKIN_EXPECTATION)
    changes = input_value(values, ids.CHECKIN_CHANGES).get("selected_options") or []
    return CheckinDraft(
        customer_id=selected_customer(values),
        occurred_on=input_date(values, ids.CHECKIN_DATE),
        note=input_text(values, ids.CHECKIN_NOTE),
        verdict=selected_verdict(values) or Verdict.NOT_ASKED,
        new_reason=input_text(values, ids.CHECKIN_NEW_REASON),
        spoke_with=input_text(values, ids.CHECKIN_SPOKE_WITH),
        expectation=Expectation(expectation) if expectation else Expectation.UNKNOWN,
        changes=tuple(Change(item["value"]) for item in changes),
        next_step=input_text(values, ids.CHECKIN_NEXT_STEP),
        next_step_due=input_date(values, ids.CHECKIN_NEXT_STEP_DUE),
    )


def new_reason_modal(
    *,
    checkin_id: int,
    customer_name: str,
    reason: str | None,
    metadata: dict[str, Any],
    themes: Themes = DEFAULT_THEMES,
) -> View:
    """The small form asking what the customer's reason is now, and its theme."""
    was = f"Until now: {safe(quoted(reason, 600))}" if reason else "Nobody had recorded their reason."
    return View(
        type="modal",
        callback_id=ids.NEW_REASON_VIEW,
        title=plain("Their reason changed", 24),
        submit=plain("Save", 24),
        close=plain("Cancel", 24),
        blocks=[
            section(f"*{safe(customer_name, 200)}*: {was}"),
            *_new_reason_inputs(ids.NEW_REASON, ids.NEW_REASON_THEME, themes),
        ],
        private_metadata=json.dumps({"checkin": checkin_id, **metadata}),
    )


def read_new_reason(values: dict[str, Any]) -> tuple[str, str | None]:
    """The new reason typed in the small form, and its theme (None: not set)."""
    return input_text(values, ids.NEW_REASON), selected_theme(values, ids.NEW_REASON_THEME)
