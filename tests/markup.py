"""What Slack reads as markup in a message or form, to check no typed text can ping or link."""

from __future__ import annotations

from typing import Any


def marked_up(value: Any) -> str:
    """Every string in a JSON-like value except plain_text objects' text (Slack shows plain_text
    literally: it never pings, so user text is put there unescaped) and element values."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        if value.get("type") == "plain_text":
            return ""
        return "\n".join(marked_up(item) for key, item in value.items() if key != "value")
    if isinstance(value, list):
        return "\n".join(marked_up(item) for item in value)
    return ""


def plain_texts(value: Any) -> list[str]:
    """The text of every plain_text object in a JSON-like value, in order."""
    if isinstance(value, dict):
        if value.get("type") == "plain_text":
            return [str(value["text"])]
        return [text for item in value.values() for text in plain_texts(item)]
    if isinstance(value, list):
        return [text for item in value for text in plain_texts(item)]
    return []
