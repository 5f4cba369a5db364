"""The DM telling an owner what colleagues did on their customers (sent by `bot.notice_job`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from slack_sdk.models.blocks import Block

from bot.rules.vocabulary import CHANGE_LABELS, Change, Verdict
from bot.rules.wording import quoted
from handlers.views.common import context, mention, section
from handlers.views.text import safe

METADATA_EVENT = "holdfast_owner_notices"
MAX_SHOWN = 20  # notices shown in one DM; the rest are counted
NAME_LIMIT = 200
NOTE_LIMIT = 200
REASON_LIMIT = 150


class NoticeFacts(Protocol):
    """What the DM shows of one notice (user text unescaped)."""

    @property
    def id(self) -> int: ...
    @property
    def customer_name(self) -> str: ...
    @property
    def actor_user_id(self) -> str: ...
    @property
    def verdict(self) -> Verdict: ...
    @property
    def new_reason(self) -> str | None: ...
    @property
    def changes(self) -> Sequence[Change]: ...
    @property
    def note(self) -> str: ...


@dataclass(frozen=True)
class NoticeMessage:
    """What chat.postMessage is given: fallback text, blocks, and metadata naming the notices."""

    text: str
    blocks: list[Block]
    metadata: dict[str, Any]


def what_happened(verdict: Verdict, new_reason: str | None, changes: Sequence[Change]) -> str:
    """What the colleague did, as mrkdwn (the new reason escaped), to follow their name."""
    parts = []
    if verdict == Verdict.HOLDS:
        parts.append("logged a check-in (reason holds)")
    elif verdict == Verdict.WEAKENED:
        parts.append("recorded that the reason weakened")
    elif verdict == Verdict.CHANGED:
        now = f": their reason is now {safe(quoted(new_reason, REASON_LIMIT))}" if new_reason else ""
        parts.append(f"recorded that the reason changed{now}")
    else:
        parts.append("logged a check-in")
    if changes:
        labels = ", ".join(CHANGE_LABELS[change].lower() for change in changes)
        parts.append(f"reported {'a change' if len(changes) == 1 else 'changes'} at the customer: {labels}")
    return "; ".join(parts)


def notice_line(notice: NoticeFacts) -> str:
    """`<@actor> on *Customer*: what happened`, then the note shortened on a quoted line."""
    line = (
        f"{mention(notice.actor_user_id)} on *{safe(notice.customer_name, NAME_LIMIT)}*: "
        f"{what_happened(notice.verdict, notice.new_reason, notice.changes)}"
    )
    note = " ".join(notice.note.split())
    return f"{line}\n>{safe(note, NOTE_LIMIT)}" if note else line


def _card_hint(names: set[str]) -> str:
    if len(names) == 1:
        (name,) = names
        typed = safe(name.replace("`", "'"), NAME_LIMIT)  # a backtick would end the code span early
        return f"See the card: `/customer {typed}`"
    return "See a card: `/customer &lt;name&gt;`"


def notice_message(owner_user_id: str, notices: Sequence[NoticeFacts]) -> NoticeMessage:
    """One DM with every notice (the first `MAX_SHOWN`, the rest counted), oldest first."""
    shown = notices[:MAX_SHOWN]
    blocks: list[Block] = [section(notice_line(notice)) for notice in shown]
    if len(notices) > len(shown):
        blocks.append(context(f"…and {len(notices) - len(shown)} more."))
    blocks.append(context(_card_hint({notice.customer_name for notice in notices})))
    if len(notices) == 1:
        (only,) = notices
        text = (
            f"{mention(only.actor_user_id)} on {safe(only.customer_name, NAME_LIMIT)}: "
            f"{what_happened(only.verdict, only.new_reason, only.changes)}"
        )
    else:
        text = f"{len(notices)} updates from colleagues on your customers"
    metadata = {
        "event_type": METADATA_EVENT,
        "event_payload": {
            "owner": owner_user_id,
            "notice_ids": ",".join(str(notice.id) for notice in notices),
        },
    }
    return NoticeMessage(text, blocks, metadata)


def notice_ids_of(metadata: object) -> set[int]:
    """The notices a message's metadata says it carries (none when it is not a notice DM)."""
    if not isinstance(metadata, dict) or metadata.get("event_type") != METADATA_EVENT:
        return set()
    payload = metadata.get("event_payload") or {}
    raw = payload.get("notice_ids") if isinstance(payload, dict) else None
    return {int(part) for part in str(raw or "").split(",") if part.strip().isdigit()}
