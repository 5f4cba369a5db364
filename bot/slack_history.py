"""Finding the messages an earlier attempt posted, by their message metadata, before trying again
(the digest, the owner notices and the team digest each check this way)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from slack_sdk import WebClient

HISTORY_PAGES = 3
HISTORY_PAGE_SIZE = 200


def recent_messages(client: WebClient, channel: str) -> Iterator[dict[str, Any]]:
    """The newest messages in `channel` with their metadata, newest first, page by page (at most
    `HISTORY_PAGES` pages). A Slack error raises."""
    cursor: str | None = None
    for _ in range(HISTORY_PAGES):
        page = client.conversations_history(
            channel=channel, limit=HISTORY_PAGE_SIZE, include_all_metadata=True, cursor=cursor
        )
        messages = page.get("messages")
        yield from (m for m in messages if isinstance(m, dict)) if isinstance(messages, list) else ()
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            return


def find_posted(client: WebClient, channel: str, *, event_type: str, key: str, value: object) -> str | None:
    """The ts of the newest recent message in `channel` whose metadata has `event_type` and
    `event_payload[key] == value`; None when there is none. A Slack error raises."""
    for message in recent_messages(client, channel):
        metadata = message.get("metadata") or {}
        payload = metadata.get("event_payload") or {}
        if metadata.get("event_type") == event_type and payload.get(key) == value:
            return str(message["ts"])
    return None
