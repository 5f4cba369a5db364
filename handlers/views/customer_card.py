"""The customer card (`/customer <name>`), the caller's list (`/customer`), and the full history form.

The card is hand-built JSON (`hand_built`: a lookup hot path); the list and the history are models.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from slack_sdk.models.blocks import Block, DividerBlock, InteractiveElement
from slack_sdk.models.views import View

from bot.rules.facts import CardFacts, CheckInEntry, CustomerFacts
from bot.rules.health import Health, HealthLevel
from bot.rules.nudges import DueReason
from bot.rules.vocabulary import CHANGE_LABELS, Expectation, Verdict
from bot.rules.wording import days, quoted
from handlers import ids
from handlers.views import hand_built as fast
from handlers.views.common import (
    EXPECTATION_LABELS,
    HEADER_LIMIT,
    MAX_MESSAGE_BLOCKS,
    VERDICT_LABELS,
    Json,
    actions,
    button,
    context,
    mention,
    money,
    plain,
    section,
    when,
)
from handlers.views.text import safe

HEALTH_ICONS = {HealthLevel.HEALTHY: "🟢", HealthLevel.WATCH: "🟡", HealthLevel.AT_RISK: "🔴"}
HISTORY_PAGE_SIZE = 20


def reason_status(customer: CardFacts, today: date) -> str:
    """'Holds (3 March, by @jo)' or 'Never asked'."""
    if customer.last_verdict is None or customer.last_verdict_on is None:
        return "Never asked"
    return (
        f"{VERDICT_LABELS[customer.last_verdict]} ({when(customer.last_verdict_on, today)}, "
        f"by {mention(customer.last_verdict_by)})"
    )


def checkin_line(checkin: CheckInEntry, today: date, *, note_limit: int = 300) -> str:
    """One check-in in a line of mrkdwn: date, author, who, verdict, note."""
    who = f" with {safe(checkin.spoke_with, 100)}" if checkin.spoke_with else ""
    verdict = (
        "" if checkin.verdict == Verdict.NOT_ASKED else f" · reason {VERDICT_LABELS[checkin.verdict].lower()}"
    )
    if checkin.verdict == Verdict.CHANGED and checkin.new_reason:
        verdict += f" → {safe(quoted(checkin.new_reason, 200))}"
    expectation = (
        ""
        if checkin.expectation == Expectation.UNKNOWN
        else f" · {EXPECTATION_LABELS[checkin.expectation].lower()}"
    )
    note = safe(checkin.note, note_limit) or "_no note_"
    head = f"*{when(checkin.occurred_on, today)}* · {mention(checkin.author_user_id)}"
    return f"{head}{who}{verdict}{expectation}\n{note}"


def customer_card(
    customer: CardFacts, *, latest: Sequence[CheckInEntry], health: Health, today: date
) -> list[Json]:
    """Everything to know before a call, with buttons to log a check-in or read the full history."""
    renewal = "—"
    if customer.renewal_date:
        left = (customer.renewal_date - today).days
        in_days = f"in {days(left)}" if left >= 0 else f"{days(-left)} ago"
        renewal = f"{when(customer.renewal_date, today)} ({in_days})"
    fields = [
        f"*Owner*\n{mention(customer.owner_user_id)}",
        f"*ARR*\n{money(customer.arr)}",
        f"*Customer since*\n{when(customer.customer_since, today)}",
        f"*Renewal*\n{renewal}",
        f"*Health*\n{HEALTH_ICONS[health.level]} {health.level.label}",
        f"*Reason status*\n{reason_status(customer, today)}",
    ]
    blocks: list[Json] = [
        fast.header(safe(customer.name, HEADER_LIMIT)),
        fast.fields_section(fields),
    ]
    why = [
        f"*Why they chose us* ({when(customer.original_reason_on, today)}): "
        + (safe(quoted(customer.original_reason, 900)) if customer.original_reason else "_not recorded_")
    ]
    if customer.current_reason and customer.current_reason != customer.original_reason:
        why.append(
            f"*Their reason now* ({when(customer.current_reason_on, today)}): "
            + safe(quoted(customer.current_reason, 900))
        )
    blocks.append(fast.section("\n".join(why)))
    if latest:
        last = latest[0]
        expectation = EXPECTATION_LABELS[customer.last_expectation or Expectation.UNKNOWN]
        blocks.append(
            fast.section(
                f"*Last check-in*\n{checkin_line(last, today, note_limit=1200)}"
                f"\n_Expectations:_ {expectation}"
            )
        )
    else:
        blocks.append(fast.section("*Last check-in*\nNone logged yet."))
    extra: list[str] = []
    if customer.next_step:
        due = f" (due {when(customer.next_step_due, today)})" if customer.next_step_due else ""
        extra.append(f"*Next step:* {safe(customer.next_step, 600)}{due}")
    if customer.last_changes:
        labels = ", ".join(CHANGE_LABELS[change] for change in customer.last_changes)
        extra.append(f"*Changes at the customer* ({when(customer.last_changes_on, today)}): {labels}")
    if extra:
        blocks.append(fast.section("\n".join(extra)))
    if health.signals:
        blocks.append(fast.context("\n".join(f"• {signal.sentence}" for signal in health.signals)))
    if len(latest) > 1:
        blocks.append(fast.divider())
        blocks.append(
            fast.section(
                "*Latest check-ins*\n" + "\n".join(checkin_line(c, today, note_limit=400) for c in latest[:3])
            )
        )
    blocks.append(
        fast.actions(
            [
                fast.button("Log check-in", ids.LOG_CHECKIN_ACTION, str(customer.id), style="primary"),
                fast.button("Full history", ids.HISTORY_ACTION, str(customer.id)),
            ]
        )
    )
    return blocks


def card_text(customer: CustomerFacts) -> str:
    """The card's top-level `text` (notifications, screen readers): the name, escaped."""
    return safe(customer.name, HEADER_LIMIT)


def customer_list(
    rows: Sequence[tuple[CardFacts, tuple[DueReason, ...]]], *, today: date, total: int
) -> list[Block]:
    """The caller's customers, most urgent first: days since the last check-in and the reason's status."""
    if not rows:
        return [
            section(
                "You don't own any customers yet. Look one up with `/customer <name>`, "
                "or add one with `/customer add <name>`."
            )
        ]
    lines: list[str] = []
    for customer, reasons in rows:
        since = (
            f"{days((today - customer.last_checkin_on).days)} since the last check-in"
            if customer.last_checkin_on
            else "never checked in"
        )
        due = "🔔 " if reasons else ""
        lines.append(
            f"{due}*{safe(customer.name, 200)}* · {since} · reason: {reason_status(customer, today)}"
        )
    blocks: list[Block] = [section(f"*Your customers* ({total}), most urgent first:")]
    chunk: list[str] = []
    shown = 0
    for line in lines:
        if chunk and (sum(map(len, chunk)) + len(line) > 2900 or len(chunk) >= 10):
            blocks.append(section("\n".join(chunk)))
            chunk = []
        if len(blocks) >= MAX_MESSAGE_BLOCKS - 2:
            break
        chunk.append(line)
        shown += 1
    if chunk:
        blocks.append(section("\n".join(chunk)))
    if total > shown:
        blocks.append(context(f"…and {total - shown} more. Look one up with `/customer <name>`."))
    return blocks


def history_modal(
    customer: CustomerFacts, checkins: Sequence[CheckInEntry], *, page: int, total: int, today: date
) -> View:
    """Every check-in, newest first, `HISTORY_PAGE_SIZE` per page with Newer / Older buttons."""
    pages = max(1, -(-total // HISTORY_PAGE_SIZE))
    blocks: list[Block] = [
        section(
            f"*{safe(customer.name, 200)}* · {total} check-in{'s' if total != 1 else ''}"
            f" · page {page + 1} of {pages}"
        )
    ]
    if customer.original_reason:
        blocks.append(context(f"Original reason: {safe(quoted(customer.original_reason, 600))}"))
    blocks.append(DividerBlock())
    blocks.extend(section(checkin_line(c, today, note_limit=2500)) for c in checkins)
    if not checkins:
        blocks.append(section("No check-ins logged yet."))
    pager: list[InteractiveElement] = []
    if page > 0:
        pager.append(
            button("◀ Newer", ids.numbered(ids.HISTORY_PAGE_ACTION, "newer"), f"{customer.id}:{page - 1}")
        )
    if page + 1 < pages:
        pager.append(
            button("Older ▶", ids.numbered(ids.HISTORY_PAGE_ACTION, "older"), f"{customer.id}:{page + 1}")
        )
    if pager:
        blocks.append(actions(pager))
    return View(
        type="modal",
        callback_id=ids.HISTORY_VIEW,
        title=plain("Check-in history", 24),
        close=plain("Close", 24),
        blocks=blocks,
    )
