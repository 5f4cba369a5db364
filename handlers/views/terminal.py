"""A Slack message's blocks as terminal lines: the words a person reads in Slack, for the CLI and demo.

Escapes are undone and mentions, links and dates shown as Slack shows them; mrkdwn emphasis stays.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

_LABELLED = re.compile(r"<[^<>|]+\|([^<>]*)>")  # <https://…|label>, <!date^…|fallback>
_MENTION = re.compile(r"<([@#!])([^<>|]+)>")  # <@U123>, <#C123>, <!here>


def readable(mrkdwn: str) -> str:
    """One mrkdwn text as it reads in Slack."""
    text = _LABELLED.sub(r"\1", mrkdwn)
    text = _MENTION.sub(lambda m: ("#" if m[1] == "#" else "@") + m[2], text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _texts(block: dict[str, Any]) -> Iterator[str]:
    kind = block.get("type")
    if kind in ("header", "section") and block.get("text"):
        yield block["text"]["text"]
    if kind == "section":
        yield from (field["text"] for field in block.get("fields") or ())
    if kind == "context":
        yield from (element["text"] for element in block.get("elements") or () if "text" in element)
    if kind == "actions":
        labels = [f"[{e['text']['text']}]" for e in block.get("elements") or () if "text" in e]
        if labels:
            yield " ".join(labels)
    if kind == "divider":
        yield ""


def as_lines(blocks: Iterable[dict[str, Any]]) -> list[str]:
    """Every text of `blocks`, in order, as terminal lines."""
    return [line for block in blocks for text in _texts(block) for line in readable(text).split("\n")]
