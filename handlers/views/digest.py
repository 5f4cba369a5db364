"""The daily digest as a Slack message, and the edits its buttons make to it. Pure builders.

The words of each customer's entry (`entry_lines`, `key_mark`, `header_text`, `more_text`,
`queued_text`) are also what `handlers.views.digest_text` prints in the terminal, so both read the same.

Every block that belongs to a customer has the block id "<prefix>:<customer id>", and every
control's value carries the customer id, so a pressed button needs nothing held in memory: the
handler reads the customer from the payload and rewrites that customer's blocks in the message.
Once a customer is answered, logged, snoozed or handed over, its entry collapses to one line
(`collapse_customer`) and the header counts the customers still open; the header's block id carries
how many more the digest did not show ("digest_header:<more>"), so the count needs nothing stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    Option,
    SectionBlock,
    StaticSelectElement,
    UserSelectElement,
)

from bot.operations.hand_over import HandedOver
from bot.rules.digest import DigestItem, DigestPlan, SnoozePeriod
from bot.rules.limits import shorten
from bot.rules.nudges import why_chosen
from bot.rules.vocabulary import Verdict
from bot.rules.wording import day_label, days
from handlers.ids import (
    DIGEST_ACTIONS_BLOCK,
    DIGEST_ANSWER_ACTION,
    DIGEST_CUSTOMER_BLOCK,
    DIGEST_HEADER_BLOCK,
    DIGEST_NOT_MINE_ACTION,
    DIGEST_REASSIGN_ACTION,
    DIGEST_REASSIGN_CANCEL_ACTION,
    DIGEST_SNOOZE_ACTION,
    LOG_CHECKIN_ACTION,
    VIEW_CARD_ACTION,
    numbered,
)
from handlers.views.common import SECTION_LIMIT, context, money, section
from handlers.views.customer_card import checkin_line
from handlers.views.text import safe

MAX_BLOCKS = 50  # Slack's limit for one message
HEADER_LIMIT = 150
FIXED_BLOCKS = 4  # header, intro, footer, new customers queued
BLOCKS_PER_CUSTOMER = 3  # divider, section, actions
MAX_CUSTOMERS = (MAX_BLOCKS - FIXED_BLOCKS) // BLOCKS_PER_CUSTOMER
METADATA_EVENT = "holdfast_digest"
SNOOZE_LABELS = {SnoozePeriod.WEEK: "for a week", SnoozePeriod.MONTH: "for a month"}
NOT_RECORDED = "not recorded yet"
# The one-tap answers to "does their reason still hold?", in the order shown.
ANSWERS = {Verdict.HOLDS: "Still holds", Verdict.WEAKENED: "Weakened", Verdict.CHANGED: "Changed"}
ANSWERED = {
    Verdict.HOLDS: "the reason holds",
    Verdict.WEAKENED: "the reason weakened",
    Verdict.CHANGED: "the reason changed",
    Verdict.NOT_ASKED: "check-in logged",
}


@dataclass(frozen=True, slots=True)
class EntryLine:
    """One labelled line of a customer's entry, as plain words (user text unescaped).

    In Slack each of `words` is escaped and shortened to `limit`, and a `placeholder` (Holdfast's
    stand-in for something nobody recorded) is in italics.
    """

    label: str
    words: tuple[str, ...]
    limit: int = 3000
    placeholder: bool = False


@dataclass(frozen=True)
class DigestMessage:
    """What chat.postMessage is given: fallback text, blocks, and metadata naming the ledger row."""

    text: str
    blocks: list[Block]
    metadata: dict[str, Any]


def block_id(prefix: str, customer_id: int) -> str:
    return f"{prefix}:{customer_id}"


def customer_id_of(block_or_value: str) -> int | None:
    """The customer id at the end of a block id or control value ("…:42" or "42")."""
    tail = block_or_value.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else None


def customers_label(count: int) -> str:
    return f"{count} customer" if count == 1 else f"{count} customers"


def last_checkin(item: DigestItem, today: date) -> str:
    last = item.customer.last_checkin_on
    if last is None:
        return "none yet"
    ago = (today - last).days
    when = "today" if ago == 0 else f"{days(ago)} ago"
    return f"{day_label(last, today)} ({when})"


def key_mark(item: DigestItem) -> str:
    """What follows a key account's name."""
    return "  ·  key account" if item.is_key else ""


def entry_lines(item: DigestItem, today: date) -> list[EntryLine]:
    """What the digest says about one customer, after its name: the reason once, the single most
    urgent "why now" (with how many more the card lists), and the question that fits it."""
    reason = why_chosen(item.customer)
    first, *others = item.reasons
    more = (f"(+{len(others)} more on the card)",) if others else ()
    return [
        EntryLine("Why they chose us", (reason or NOT_RECORDED,), limit=120, placeholder=not reason),
        EntryLine("Why now", (first.sentence, *more), limit=200),
        EntryLine("Ask", (item.question,), limit=200),
    ]


def _mrkdwn(line: EntryLine) -> str:
    words = " ".join(safe(word, line.limit) for word in line.words)
    return f"*{line.label}:* " + (f"_{words}_" if line.placeholder else words)


def customer_text(item: DigestItem, today: date) -> str:
    """The mrkdwn text for one customer: every piece of user text escaped."""
    name = f"*{safe(item.customer.name, 150)}*{key_mark(item)}"
    lines = [name, *map(_mrkdwn, entry_lines(item, today))]
    return shorten("\n".join(lines), SECTION_LIMIT)


def answer_value(verdict: Verdict, customer_id: int) -> str:
    return f"{verdict.value}:{customer_id}"


def answer_of(value: str) -> tuple[Verdict, int] | None:
    """The verdict and customer id of an answer button's value; None when it is not one."""
    verdict, _, customer = value.partition(":")
    if verdict not in ANSWERS or not customer.isdigit():
        return None
    return Verdict(verdict), int(customer)


def customer_actions(customer_id: int) -> ActionsBlock:
    """The reason's three answers, Log check-in, Snooze (a week / a month), Not my customer."""
    value = str(customer_id)
    answers = [
        ButtonElement(
            text=label,
            action_id=numbered(DIGEST_ANSWER_ACTION, verdict.value),
            value=answer_value(verdict, customer_id),
            style="primary" if verdict == Verdict.HOLDS else None,
        )
        for verdict, label in ANSWERS.items()
    ]
    return ActionsBlock(
        block_id=block_id(DIGEST_ACTIONS_BLOCK, customer_id),
        elements=[
            *answers,
            ButtonElement(text="Log check-in", action_id=LOG_CHECKIN_ACTION, value=value),
            StaticSelectElement(
                placeholder="Snooze",
                action_id=DIGEST_SNOOZE_ACTION,
                options=[
                    Option(value=f"{period.value}:{customer_id}", label=label)
                    for period, label in SNOOZE_LABELS.items()
                ],
            ),
            ButtonElement(text="Not my customer", action_id=DIGEST_NOT_MINE_ACTION, value=value),
        ],
    )


def reassign_prompt(customer_id: int, customer_name: str) -> ActionsBlock:
    """Replaces a customer's buttons: who owns it? (a people picker) or cancel."""
    question = shorten(f"Who owns {' '.join(customer_name.split())}?", 150)
    return ActionsBlock(
        block_id=block_id(DIGEST_ACTIONS_BLOCK, customer_id),
        elements=[
            UserSelectElement(placeholder=question, action_id=DIGEST_REASSIGN_ACTION),
            ButtonElement(text="Cancel", action_id=DIGEST_REASSIGN_CANCEL_ACTION, value=str(customer_id)),
        ],
    )


def done_note(customer_id: int, mrkdwn: str) -> ContextBlock:
    """Replaces a customer's buttons with what was done (`mrkdwn` must already be escaped)."""
    return ContextBlock(
        block_id=block_id(DIGEST_ACTIONS_BLOCK, customer_id),
        elements=[MarkdownTextObject(text=shorten(mrkdwn, SECTION_LIMIT))],
    )


def handed_over_message(handed: HandedOver, *, by: str) -> tuple[list[Block], str]:
    """The new owner's direct message after "Not my customer": who handed it over, the card's
    essentials (reason, renewal, ARR, open next step, the last conversation) and View card."""
    customer, today = handed.customer, handed.today
    name = safe(" ".join(customer.name.split()), 150)
    reason = why_chosen(customer)
    renewal = customer.renewal_date
    step, step_due = customer.next_step, customer.next_step_due
    due = f" (due {day_label(step_due, today)})" if step_due else ""
    facts = [
        f"*Why they chose us:* {safe(reason, 300)}" if reason else "*Why they chose us:* _not recorded yet_",
        f"*Renewal:* {day_label(renewal, today)}" if renewal else None,
        f"*ARR:* {money(customer.arr)}" if customer.arr is not None else None,
        f"*Next step:* {safe(step, 200)}{due}" if step else None,
    ]
    text = f":handshake: <@{by}> handed *{name}* over to you in Holdfast."
    blocks: list[Block] = [section(text), section("\n".join(f for f in facts if f))]
    if handed.last is not None:
        blocks.append(context(f"Last conversation: {checkin_line(handed.last, today, note_limit=300)}"))
    blocks.append(
        ActionsBlock(
            elements=[ButtonElement(text="View card", action_id=VIEW_CARD_ACTION, value=str(customer.id))]
        )
    )
    return blocks, f"{name} was handed over to you in Holdfast."


def replace_customer_controls(
    blocks: Sequence[dict[str, Any]], customer_id: int, replacement: Block
) -> list[dict[str, Any]]:
    """The message's blocks with that customer's controls block swapped for `replacement`."""
    target = block_id(DIGEST_ACTIONS_BLOCK, customer_id)
    new = replacement.to_dict()
    return [new if block.get("block_id") == target else dict(block) for block in blocks]


def answered_text(name: str, verdict: Verdict, day: date) -> str:
    """The one line a customer's entry collapses to once logged (`name` already escaped)."""
    return f"✓ *{name}* — {ANSWERED[verdict]}, {day_label(day, day)}"


def collapse_customer(
    blocks: Sequence[dict[str, Any]], customer_id: int, mrkdwn: str
) -> list[dict[str, Any]]:
    """The message with that customer's entry folded into the one line `mrkdwn` (already escaped)
    and the header counting the customers still open."""
    entry = block_id(DIGEST_CUSTOMER_BLOCK, customer_id)
    kept = [dict(block) for block in blocks if block.get("block_id") != entry]
    collapsed = replace_customer_controls(kept, customer_id, done_note(customer_id, mrkdwn))
    return recount(collapsed)


def open_customers(blocks: Sequence[dict[str, Any]]) -> int:
    """How many customers of the message still have their controls (not yet collapsed)."""
    prefix = f"{DIGEST_ACTIONS_BLOCK}:"
    return sum(
        1 for b in blocks if str(b.get("block_id", "")).startswith(prefix) and b.get("type") == "actions"
    )


def recount(blocks: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The message with its header saying how many customers are left to talk to today."""
    prefix = f"{DIGEST_HEADER_BLOCK}:"
    for block in blocks:
        header_id = str(block.get("block_id", ""))
        if header_id.startswith(prefix) and header_id[len(prefix) :].isdigit():
            left = open_customers(blocks) + int(header_id[len(prefix) :])
            header = HeaderBlock(block_id=header_id, text=shorten(count_text(left), HEADER_LIMIT))
            return [header.to_dict() if b is block else dict(b) for b in blocks]
    return [dict(b) for b in blocks]  # a digest sent before the header carried its count


def customer_name_in(blocks: Sequence[dict[str, Any]], customer_id: int) -> str | None:
    """The (escaped) name shown in the message for a customer: the first bold run of its section."""
    target = block_id(DIGEST_CUSTOMER_BLOCK, customer_id)
    for block in blocks:
        if block.get("block_id") == target:
            text = str((block.get("text") or {}).get("text") or "")
            if text.startswith("*") and "*" in text[1:]:
                return text[1 : text.index("*", 1)]
    return None


def count_text(left: int) -> str:
    """The header: how many customers are left to talk to today."""
    return f"{customers_label(left)} to talk to today" if left else "All done for today ✓"


def header_text(plan: DigestPlan) -> str:
    return count_text(plan.total)


def more_text(more: int) -> str:
    """The line after the last customer shown, when some are not."""
    return f"and {more} more — `/customer` lists them all"


def queued_text(queued: int) -> str:
    """The last line, when new customers wait for the coming days (`bot.rules.nudges.spread_new`)."""
    customers = "new customer" if queued == 1 else "new customers"
    return f"{queued} more {customers} queued for the coming days, largest first."


def shown_items(plan: DigestPlan) -> tuple[Sequence[DigestItem], int]:
    """The customers a digest shows (at most `MAX_CUSTOMERS`; the plan is capped before this), and
    how many more it counts."""
    items = plan.items[:MAX_CUSTOMERS]
    return items, plan.more + len(plan.items) - len(items)


def fallback_text(plan: DigestPlan) -> str:
    names = ", ".join(safe(item.customer.name, 60) for item in plan.items)
    more = f" and {plan.more} more" if plan.more else ""
    return shorten(f"Holdfast: {header_text(plan)}: {names}{more}.", 3000)


def digest_entry(item: DigestItem, today: date) -> list[Block]:
    """One customer's entry (`BLOCKS_PER_CUSTOMER` blocks): a divider, its text and its controls."""
    customer_id = item.customer.id
    assert customer_id is not None
    text = SectionBlock(
        block_id=block_id(DIGEST_CUSTOMER_BLOCK, customer_id),
        text=MarkdownTextObject(text=customer_text(item, today)),
    )
    return [DividerBlock(), text, customer_actions(customer_id)]


def digest_message(plan: DigestPlan, *, digest_id: int | None = None) -> DigestMessage:
    """One owner's digest: the customers `shown_items` picks; the rest are counted, and so are the new
    customers queued for the coming days."""
    items, more = shown_items(plan)
    intro = "Most valuable and most urgent first. Does the reason they chose us still hold? One tap answers."
    blocks: list[Block] = [
        HeaderBlock(
            block_id=block_id(DIGEST_HEADER_BLOCK, more), text=shorten(header_text(plan), HEADER_LIMIT)
        ),
        ContextBlock(elements=[MarkdownTextObject(text=intro)]),
    ]
    for item in items:
        blocks.extend(digest_entry(item, plan.local_day))
    footer = (
        more_text(more)
        if more
        else "Log what you hear with `/checkin`; `/customer` lists all your customers."
    )
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=footer)]))
    if plan.queued:
        queued = f":seedling: {queued_text(plan.queued)}"
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=queued)]))
    metadata = {
        "event_type": METADATA_EVENT,
        "event_payload": {
            "digest_id": digest_id or 0,
            "owner": plan.owner_user_id,
            "day": plan.local_day.isoformat(),
        },
    }
    return DigestMessage(fallback_text(plan), blocks, metadata)
