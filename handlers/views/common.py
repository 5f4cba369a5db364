"""Pieces every Holdfast message and form is built from, within Block Kit's limits."""

from __future__ import annotations

import re
from datetime import date

from slack_sdk.models.blocks import (
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    Option,
    PlainTextObject,
    SectionBlock,
)

from bot.rules.wording import day_label
from bot.slack_text import safe
from storage.enums import Expectation, Verdict

SECTION_LIMIT = 3000
FIELD_LIMIT = 2000
BUTTON_LIMIT = 75
OPTION_LIMIT = 75
HEADER_LIMIT = 150
TITLE_LIMIT = 24
VALUE_LIMIT = 2000
MAX_MESSAGE_BLOCKS = 50
MAX_MODAL_BLOCKS = 100

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
    """A plain_text object holding `text` as given (the caller escapes user text)."""
    return PlainTextObject(text=text[:limit], emoji=True)


def section(text: str, **kwargs: object) -> SectionBlock:
    """An mrkdwn section; `text` is already escaped, and is cut to the section limit."""
    if len(text) > SECTION_LIMIT:
        text = text[: SECTION_LIMIT - 1] + "…"
    return SectionBlock(text=MarkdownTextObject(text=text), **kwargs)  # type: ignore[arg-type]


def context(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=text[:SECTION_LIMIT])])


def button(text: str, action_id: str, value: str, *, style: str | None = None) -> ButtonElement:
    """A button labelled with escaped, shortened `text` (user text allowed)."""
    return ButtonElement(
        text=plain(safe(text, BUTTON_LIMIT), BUTTON_LIMIT),
        action_id=action_id,
        value=value[:VALUE_LIMIT],
        style=style,
    )


def option(label: str, value: str) -> Option:
    """An option labelled with escaped, shortened `label` (user text allowed)."""
    return Option(text=plain(safe(label, OPTION_LIMIT), OPTION_LIMIT), value=value[:150])


def when(day: date | None, today: date) -> str:
    return day_label(day, today) if day else "—"


def money(amount: float | None) -> str:
    if amount is None:
        return "—"
    return f"${amount:,.0f}"
