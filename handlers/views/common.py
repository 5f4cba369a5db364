"""Pieces every Holdfast message and form is built from, within Block Kit's limits."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from slack_sdk.models.blocks import InputBlock, Option, PlainTextObject

from bot.rules.limits import clean_text
from bot.rules.vocabulary import Expectation, Verdict
from bot.rules.wording import day_label
from bot.slack_text import safe

SECTION_LIMIT = 3000
FIELD_LIMIT = 2000
BUTTON_LIMIT = 75
OPTION_LIMIT = 75
HEADER_LIMIT = 150
TITLE_LIMIT = 24
VALUE_LIMIT = 2000
MAX_MESSAGE_BLOCKS = 50
MAX_MODAL_BLOCKS = 100

Json = dict[str, Any]

_USER_ID = re.compile(r"^[UW][A-Z0-9]+$")

VERDICT_LABELS: dict[Verdict, str] = {
    Verdict.HOLDS: "Holds",
    Verdict.WEAKENED: "Weakened",
    Verdict.CHANGED: "Changed",
    Verdict.NOT_ASKED: "Not asked",
}
EXPECTATION_LABELS: dict[Expectation, str] = {
    Expectation.ABOVE: "Above expectations",
    Expectation.MEETS: "Meets expectations",
    Expectation.BELOW: "Below expectations",
    Expectation.UNKNOWN: "Unknown",
}


def mention(user_id: str | None) -> str:
    """`<@U123>` for a Slack user ID; anything else is shown escaped, never as a mention."""
    if not user_id:
        return "someone"
    return f"<@{user_id}>" if _USER_ID.match(user_id) else safe(user_id, 40)


def plain(text: str, limit: int) -> PlainTextObject:
    """A plain_text object (for slack_sdk form models) holding `text` as given (already escaped)."""
    return PlainTextObject(text=text[:limit], emoji=True)


# Message blocks are built as plain dicts: slack_sdk's model serialisation costs about 0.1 ms per
# object (a card took 2.5 ms, 100 typeahead options 25 ms), which the lookup latency target cannot
# afford. These helpers keep the same shapes, limits and escaping rules.


def text_object(text: str, limit: int = SECTION_LIMIT) -> Json:
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return {"type": "mrkdwn", "text": text}


def plain_object(text: str, limit: int) -> Json:
    return {"type": "plain_text", "text": text[:limit], "emoji": True}


def section(text: str, *, block_id: str | None = None) -> Json:
    """An mrkdwn section; `text` is already escaped, and is cut to the section limit."""
    block: Json = {"type": "section", "text": text_object(text)}
    if block_id:
        block["block_id"] = block_id
    return block


def fields_section(fields: list[str]) -> Json:
    return {"type": "section", "fields": [text_object(field, FIELD_LIMIT) for field in fields[:10]]}


def header(text: str) -> Json:
    return {"type": "header", "text": plain_object(text, HEADER_LIMIT)}


def divider() -> Json:
    return {"type": "divider"}


def context(text: str) -> Json:
    return {"type": "context", "elements": [text_object(text)]}


def actions(elements: list[Json]) -> Json:
    return {"type": "actions", "elements": elements[:25]}


def button(text: str, action_id: str, value: str, *, style: str | None = None) -> Json:
    """A button labelled with escaped, shortened `text` (user text allowed)."""
    element: Json = {
        "type": "button",
        "text": plain_object(safe(text, BUTTON_LIMIT), BUTTON_LIMIT),
        "action_id": action_id,
        "value": value[:VALUE_LIMIT],
    }
    if style:
        element["style"] = style
    return element


def option(label: str, value: str) -> Json:
    """An option labelled with escaped, shortened `label` (user text allowed)."""
    return {"text": plain_object(safe(label, OPTION_LIMIT), OPTION_LIMIT), "value": value[:150]}


def option_model(label: str, value: str) -> Option:
    """The same option as a slack_sdk model, where a form element needs one."""
    return Option(text=plain(safe(label, OPTION_LIMIT), OPTION_LIMIT), value=value[:150])


def when(day: date | None, today: date) -> str:
    return day_label(day, today) if day else "—"


def money(amount: float | None) -> str:
    if amount is None:
        return "—"
    return f"${amount:,.0f}"


def input_block(
    block_id: str, label: str, element: Any, *, optional: bool = False, **kwargs: Any
) -> InputBlock:
    """A form input whose block and element share `block_id` (how the forms read their values)."""
    element.action_id = block_id
    return InputBlock(
        block_id=block_id, label=plain(label, 2000), element=element, optional=optional, **kwargs
    )


def form_errors(mistakes: dict[str, str], field_blocks: dict[str, str]) -> dict[str, str]:
    """A form's mistakes (by field) keyed by the block each is shown under."""
    return {field_blocks[field]: message for field, message in mistakes.items() if field in field_blocks}


def input_value(values: dict[str, Any], block_id: str) -> dict[str, Any]:
    """The submitted state of the input `block_id` (block and element share the ID)."""
    return dict(values.get(block_id, {}).get(block_id) or {})


def input_text(values: dict[str, Any], block_id: str) -> str:
    """A text input's value, cleaned of control characters (the forms' rules check its length)."""
    return clean_text(str(input_value(values, block_id).get("value") or "")).strip()


def input_date(values: dict[str, Any], block_id: str) -> date | None:
    """A date picker's day; None when none was picked, or the payload holds no date (forged)."""
    raw = input_value(values, block_id).get("selected_date")
    try:
        return date.fromisoformat(raw) if isinstance(raw, str) and raw else None
    except ValueError:
        return None
