"""Putting text a user typed into a Slack message safely: escaped, and within Block Kit's limits."""

from __future__ import annotations

from bot.rules.limits import shorten


def escape(text: str) -> str:
    """Escape Slack's control characters so `<!channel>` or `<@U123>` in user text notify nobody."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def safe(text: str | None, limit: int = 3000) -> str:
    """User text ready for mrkdwn or plain_text: escaped, then shortened to `limit` (never inside an
    escape)."""
    return shorten(escape(text or ""), limit)
