"""Putting text a user typed into a Slack message safely: escaped, and within Block Kit's limits."""

from __future__ import annotations

import re

ELLIPSIS = "…"
_PARTIAL_ENTITY = re.compile(r"&[a-z]{0,3}$")


def escape(text: str) -> str:
    """Escape Slack's control characters so `<!channel>` or `<@U123>` in user text notify nobody."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def shorten(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters with a trailing ellipsis, never inside an escape."""
    if len(text) <= limit:
        return text
    cut = _PARTIAL_ENTITY.sub("", text[: limit - 1])
    return cut + ELLIPSIS


def safe(text: str | None, limit: int = 3000) -> str:
    """User text ready for mrkdwn or plain_text: escaped, then shortened to `limit`."""
    return shorten(escape(text or ""), limit)
