"""Pieces every Holdfast message and form is built from, as slack_sdk models, within Block Kit's
limits. (The two lookup hot paths build theirs as plain JSON: `handlers.views.hand_built`.)"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    InputBlock,
    InteractiveElement,
    MarkdownTextObject,
    Option,
    PlainTextObject,
    SectionBlock,
)

from bot.rules.limits import clean_text, shorten
from bot.rules.slack_ids import is_user_id
from bot.rules.vocabulary import Expectation, Verdict
from bot.rules.wording import day_label
from handlers.views.text import safe

SECTION_LIMIT = 3000
FIELD_LIMIT = 2000
BUTTON_LIMIT = 75
OPTION_LIMIT = 75
HEADER_LIMIT = 150
TITLE_LIMIT = 24
VALUE_LIMIT = 2000
OPTION_VALUE_LIMIT = 150
MAX_ACTIONS = 25
MAX_FIELDS = 10
MAX_MESSAGE_BLOCKS = 50
MAX_MODAL_BLOCKS = 100

Json = dict[str, Any]

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
    return f"<@{user_id}>" if is_user_id(user_id) else safe(user_id, 40)


def one_line(text: str, limit: int) -> str:
    """User text for a plain_text field: cleaned, on one line, shortened to `limit`, never escaped
    (Slack shows plain_text literally, so `&amp;` would show as typed and nothing can ping)."""
    return shorten(" ".join(clean_text(text).split()), limit)


def plain(text: str, limit: int) -> PlainTextObject:
    """A plain_text object holding `text` (static or user text, see `one_line`) on one line."""
    return PlainTextObject(text=one_line(text, limit), emoji=True)


def mrkdwn(text: str, limit: int = SECTION_LIMIT) -> MarkdownTextObject:
    """An mrkdwn object holding `text` as given (already escaped), shortened to `limit`."""
    return MarkdownTextObject(text=shorten(text, limit))


def section(text: str, *, block_id: str | None = None) -> SectionBlock:
    """An mrkdwn section; `text` is already escaped, and is cut to the section limit."""
    return SectionBlock(text=mrkdwn(text), block_id=block_id)


def context(text: str) -> ContextBlock:
    return ContextBlock(elements=[mrkdwn(text)])


def actions(elements: Sequence[InteractiveElement]) -> ActionsBlock:
    return ActionsBlock(elements=elements[:MAX_ACTIONS])


def button(text: str, action_id: str, value: str, *, style: str | None = None) -> ButtonElement:
    """A button labelled with `text` (user text allowed), shortened."""
    return ButtonElement(
        text=plain(text, BUTTON_LIMIT),
        action_id=action_id,
        value=value[:VALUE_LIMIT],
        style=style,
    )


def option_model(label: str, value: str) -> Option:
    """An option labelled with `label` (user text allowed), shortened."""
    return Option(text=plain(label, OPTION_LIMIT), value=value[:OPTION_VALUE_LIMIT])


def as_json(blocks: Sequence[Block | Json]) -> list[Json]:
    """Blocks as the JSON sent to Slack (models serialised, hand-built ones as they are)."""
    return [block.to_dict() if isinstance(block, Block) else block for block in blocks]


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
