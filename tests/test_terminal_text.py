"""Slack blocks read in a terminal: the words a person sees in Slack, escapes undone."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from handlers.views.terminal import as_lines, readable
from handlers.views.text import escape


@given(st.text())
def test_escaped_user_text_reads_as_typed(text: str) -> None:
    assert readable(escape(text)) == text


def test_mentions_links_and_dates_read_as_slack_shows_them() -> None:
    assert readable("<@U123> and <!here> in <#C9>") == "@U123 and @here in #C9"
    assert readable("<https://example.com|the docs> on <!date^1700000000^{date}|14 Nov>") == (
        "the docs on 14 Nov"
    )


def test_blocks_become_lines_in_order_with_buttons_as_labels() -> None:
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Acme &amp; Co"}},
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "*Owner*\n<@U1>"},
            "fields": [{"type": "mrkdwn", "text": "*ARR*"}],
        },
        {"type": "divider"},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "• Stale"}, {"type": "image"}]},
        {
            "type": "actions",
            "elements": [
                {"type": "button", "text": {"type": "plain_text", "text": "Log check-in"}},
                {"type": "button", "text": {"type": "plain_text", "text": "Full history"}},
            ],
        },
    ]
    assert as_lines(blocks) == [
        "Acme & Co",
        "*Owner*",
        "@U1",
        "*ARR*",
        "",
        "• Stale",
        "[Log check-in] [Full history]",
    ]
