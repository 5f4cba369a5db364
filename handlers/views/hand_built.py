"""Blocks as plain JSON, for the two lookup hot paths only: the `/customer <name>` card and the
check-in typeahead's options. Every other view is built from slack_sdk models (`common`).

They keep the models' shapes and limits; mrkdwn comes escaped from the caller, plain_text is never
escaped. They exist because models cost a lookup more: `python -m bench.lookup_bench --views-only`
measured the card at 0.03 ms hand-built against 0.28 ms as slack_sdk models, and 100 options at
0.04 ms against 1.05 ms (2 December 2026, slack_sdk 3.48).
"""

from __future__ import annotations

from bot.rules.limits import shorten
from handlers.views.common import (
    BUTTON_LIMIT,
    FIELD_LIMIT,
    HEADER_LIMIT,
    MAX_ACTIONS,
    MAX_FIELDS,
    OPTION_LIMIT,
    OPTION_VALUE_LIMIT,
    SECTION_LIMIT,
    VALUE_LIMIT,
    Json,
    one_line,
)


def text_object(text: str, limit: int = SECTION_LIMIT) -> Json:
    return {"type": "mrkdwn", "text": shorten(text, limit)}


def plain_object(text: str, limit: int) -> Json:
    """A plain_text object: shown literally by Slack, so never escaped (see `one_line`)."""
    return {"type": "plain_text", "text": one_line(text, limit), "emoji": True}


def section(text: str) -> Json:
    """An mrkdwn section; `text` is already escaped, and is cut to the section limit."""
    return {"type": "section", "text": text_object(text)}


def fields_section(fields: list[str]) -> Json:
    return {"type": "section", "fields": [text_object(field, FIELD_LIMIT) for field in fields[:MAX_FIELDS]]}


def header(text: str) -> Json:
    return {"type": "header", "text": plain_object(text, HEADER_LIMIT)}


def divider() -> Json:
    return {"type": "divider"}


def context(text: str) -> Json:
    return {"type": "context", "elements": [text_object(text)]}


def actions(elements: list[Json]) -> Json:
    return {"type": "actions", "elements": elements[:MAX_ACTIONS]}


def button(text: str, action_id: str, value: str, *, style: str | None = None) -> Json:
    """A button labelled with shortened `text` (user text allowed: plain_text cannot ping)."""
    element: Json = {
        "type": "button",
        "text": plain_object(text, BUTTON_LIMIT),
        "action_id": action_id,
        "value": value[:VALUE_LIMIT],
    }
    if style:
        element["style"] = style
    return element


def option(label: str, value: str) -> Json:
    """A typeahead option labelled with shortened `label` (user text allowed: plain_text cannot ping)."""
    return {
        "text": plain_object(label, OPTION_LIMIT),
        "value": value[:OPTION_VALUE_LIMIT],
    }
