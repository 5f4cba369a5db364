"""The customer card (`/customer <name>`), the caller's list (`/customer`), and the full history form
(check-ins and changes to the customer's fields).

The card is hand-built JSON (`hand_built`: a lookup hot path); the list and the history are models.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from slack_sdk.models.blocks import Block, DividerBlock, InteractiveElement, SectionBlock
from slack_sdk.models.views import View

from bot.operations.history import ChangeEntry, HistoryEntry
from bot.rules.edits import ACTIVE, Field
from bot.rules.facts import CardFacts, CheckInEntry, CustomerFacts
from bot.rules.health import Health, HealthLevel
from bot.rules.nudges import DueReason, reason_text
from bot.rules.themes import DEFAULT_THEMES, NOT_SET, Themes, shown_label, unlisted_label
from bot.rules.vocabulary import CHANGE_LABELS, Expectation, Inactive, Verdict
from bot.rules.wording import day_label, days, days_ago, in_days, quoted
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
    mrkdwn,
    one_line,
    plain,
    section,
    when,
)
from handlers.views.text import safe

HEALTH_ICONS = {HealthLevel.HEALTHY: "🟢", HealthLevel.WATCH: "🟡", HealthLevel.AT_RISK: "🔴"}
INACTIVE_LABELS = {Inactive.LOST: "Lost", Inactive.INACTIVE: "Inactive"}
INACTIVE_ICON = "⚪"
HISTORY_PAGE_SIZE = 20
LIST_BUTTON = "View card"


def _asked(customer: CardFacts) -> bool:
    return customer.last_verdict not in (None, Verdict.NOT_ASKED) and customer.last_verdict_on is not None


def _given(customer: CardFacts, today: date, viewer: str | None) -> str:
    """'3 March, by @jo' (or 'by you' when `viewer` gave it): when the last verdict was given, by whom."""
    by = "you" if viewer and customer.last_verdict_by == viewer else mention(customer.last_verdict_by)
    return f"{when(customer.last_verdict_on, today)}, by {by}"


def reason_status(customer: CardFacts, today: date, *, viewer: str | None = None) -> str:
    """'holds (3 March, by @jo)', 'never asked', or 'not recorded' when nobody knows their reason."""
    if reason_text(customer) is None:
        return "not recorded"
    if not _asked(customer):
        return "never asked"
    assert customer.last_verdict is not None
    return f"{VERDICT_LABELS[customer.last_verdict].lower()} ({_given(customer, today, viewer)})"


def checkin_line(checkin: CheckInEntry, today: date, *, note_limit: int = 300, verdict: bool = True) -> str:
    """One check-in in mrkdwn: date, author, who, its verdict (unless `verdict` is False) and how delivery
    met their expectations; the note on the next line."""
    who = f" with {safe(checkin.spoke_with, 100)}" if checkin.spoke_with else ""
    said = ""
    if verdict and checkin.verdict != Verdict.NOT_ASKED:
        said = f" · reason {VERDICT_LABELS[checkin.verdict].lower()}"
        if checkin.verdict == Verdict.CHANGED and checkin.new_reason:
            said += f" → {safe(quoted(checkin.new_reason, 200))}"
    expectation = (
        ""
        if checkin.expectation == Expectation.UNKNOWN
        else f" · {EXPECTATION_LABELS[checkin.expectation].lower()}"
    )
    note = safe(checkin.note, note_limit) or "_no note_"
    head = f"*{when(checkin.occurred_on, today)}* · {mention(checkin.author_user_id)}"
    return f"{head}{who}{said}{expectation}\n{note}"


def _theme(key: str | None, themes: Themes) -> str:
    """' · theme: Price', or ' · theme not set' (the label escaped: the list is typed by an admin)."""
    return f" · theme: {safe(shown_label(themes.label(key)), 100)}" if key else f" · theme {NOT_SET}"


def _reason(customer: CardFacts, today: date, themes: Themes) -> str:
    """Why they chose us, dated by when they became a customer (else when it was recorded); their reason
    now when it changed, each with its theme; and whether it still holds: each said once."""
    if customer.customer_since:
        dated = f" (customer since {when(customer.customer_since, today)})"
    elif customer.original_reason and customer.original_reason_on:
        dated = f" (recorded on {when(customer.original_reason_on, today)})"
    else:
        dated = ""
    original = (
        safe(quoted(customer.original_reason, 900)) + _theme(customer.original_reason_theme, themes)
        if customer.original_reason
        else "_not recorded yet_"
    )
    lines = [f"*Why they chose us*{dated}: {original}"]
    current = customer.current_reason
    changed_last = customer.last_verdict == Verdict.CHANGED and _asked(customer)
    if current and current != customer.original_reason:
        if changed_last:
            dated = f" (changed {_given(customer, today, None)})"
        elif customer.current_reason_on:
            dated = f" (recorded on {when(customer.current_reason_on, today)})"
        else:
            dated = ""
        theme = _theme(customer.current_reason_theme, themes)
        lines.append(f"*Their reason now*{dated}: {safe(quoted(current, 900))}{theme}")
        if changed_last:
            return "\n".join(lines)
    if reason_text(customer) is not None:
        status = reason_status(customer, today)
        lines.append(f"*Does it still hold?* {status[0].upper()}{status[1:]}")
    return "\n".join(lines)


def customer_card(
    customer: CardFacts,
    *,
    latest: Sequence[CheckInEntry],
    health: Health,
    today: date,
    themes: Themes = DEFAULT_THEMES,
) -> list[Json]:
    """Everything to know before a call, each fact once, with buttons to log a check-in, read the full
    history, edit it and mark it lost or inactive (or reactivate it). Health comes with its signals,
    except for a lost or inactive customer, whose card says so instead; the latest check-in's verdict
    is the reason's status; each reason's theme is labelled from `themes`."""
    renewal = "—"
    if customer.renewal_date:
        renewal = f"{when(customer.renewal_date, today)} ({in_days((customer.renewal_date - today).days)})"
    inactive = customer.inactive_kind
    signals = () if inactive else health.signals  # a lost or inactive customer is not nagged about
    standing = (
        f"*Status*\n{INACTIVE_ICON} {INACTIVE_LABELS[inactive]}"
        if inactive
        else f"*Health*\n{HEALTH_ICONS[health.level]} {health.level.label}"
    )
    fields = [
        f"*Owner*\n{mention(customer.owner_user_id)}",
        f"*ARR*\n{money(customer.arr)}",
        f"*Renewal*\n{renewal}",
        standing,
    ]
    blocks: list[Json] = [fast.header(one_line(customer.name, HEADER_LIMIT)), fast.fields_section(fields)]
    if inactive:
        blocks.append(fast.section(_inactive(customer, inactive, today)))
    elif signals:
        blocks.append(fast.context("\n".join(f"• {signal.sentence}" for signal in signals)))
    blocks.append(fast.section(_reason(customer, today, themes)))
    if latest:
        last = latest[0]
        stated = (
            reason_text(customer) is not None
            and last.verdict == customer.last_verdict
            and last.occurred_on == customer.last_verdict_on
        )
        blocks.append(
            fast.section(f"*Last check-in*\n{checkin_line(last, today, note_limit=1200, verdict=not stated)}")
        )
    else:
        blocks.append(fast.section("*Last check-in*\nNone logged yet."))
    extra: list[str] = []
    if customer.next_step:
        due = f" (due {when(customer.next_step_due, today)})" if customer.next_step_due else ""
        extra.append(f"*Next step:* {safe(customer.next_step, 600)}{due}")
    labels = ", ".join(CHANGE_LABELS[change] for change in customer.last_changes)
    # A recent change is one of the health signals above: told there, not again.
    if labels and not any(labels in signal.sentence for signal in signals):
        extra.append(f"*Changes at the customer* ({when(customer.last_changes_on, today)}): {labels}")
    if extra:
        blocks.append(fast.section("\n".join(extra)))
    if len(latest) > 1:
        blocks.append(fast.divider())
        blocks.append(
            fast.section("*Earlier check-ins*\n" + "\n".join(checkin_line(c, today) for c in latest[1:3]))
        )
    blocks.append(fast.actions(_card_buttons(customer.id, inactive)))
    return blocks


def _inactive(customer: CardFacts, kind: Inactive, today: date) -> str:
    """'*Lost* since 3 November: 'They moved to a cheaper tool'. No nudges while it is lost.'"""
    since = f" since {when(customer.inactive_on, today)}" if customer.inactive_on else ""
    why = f": {safe(quoted(customer.inactive_why, 900))}" if customer.inactive_why else ""
    return f"*{INACTIVE_LABELS[kind]}*{since}{why}. No nudges while it is {kind.value}."


def _card_buttons(customer_id: int | None, inactive: Inactive | None) -> list[Json]:
    """Log check-in, Full history, Edit; then Mark as lost / inactive, or Reactivate."""
    value = str(customer_id)
    buttons = [
        fast.button("Log check-in", ids.LOG_CHECKIN_ACTION, value, style="primary"),
        fast.button("Full history", ids.HISTORY_ACTION, value),
        fast.button("Edit", ids.EDIT_CUSTOMER_ACTION, value),
    ]
    if inactive:
        buttons.append(fast.button("Reactivate", ids.REACTIVATE_ACTION, value))
        return buttons
    for kind in (Inactive.LOST, Inactive.INACTIVE):
        action = ids.numbered(ids.MARK_INACTIVE_ACTION, kind.value)
        buttons.append(fast.button(f"Mark as {kind.value}", action, f"{kind.value}:{value}"))
    return buttons


def card_text(customer: CustomerFacts) -> str:
    """The card's top-level `text` (notifications, screen readers): the name, escaped."""
    return safe(customer.name, HEADER_LIMIT)


def customer_list(
    rows: Sequence[tuple[CardFacts, tuple[DueReason, ...]]], *, today: date, total: int, viewer: str
) -> list[Block]:
    """The `viewer`'s customers, most urgent first: when they last checked in, the reason's status, and
    a button opening each one's card."""
    if not rows:
        return [
            section(
                "You don't own any customers yet. Look one up with `/customer <name>`, "
                "or add one with `/customer add <name>`."
            )
        ]
    blocks: list[Block] = [section(f"*Your customers* ({total}), most urgent first:")]
    for index, (customer, reasons) in enumerate(rows[: MAX_MESSAGE_BLOCKS - 2]):
        last = (
            f"last check-in {days_ago((today - customer.last_checkin_on).days)}"
            if customer.last_checkin_on
            else "never checked in"
        )
        due = "🔔 " if reasons else ""
        inactive = customer.inactive_kind
        status = (
            INACTIVE_LABELS[inactive].lower()
            if inactive
            else f"reason {reason_status(customer, today, viewer=viewer)}"
        )
        line = f"{due}*{safe(customer.name, 200)}* · {last} · {status}"
        card = button(LIST_BUTTON, ids.numbered(ids.PICK_FOR_CARD_ACTION, index), str(customer.id))
        blocks.append(SectionBlock(text=mrkdwn(line), accessory=card))
    shown = len(blocks) - 1
    if total > shown:
        blocks.append(context(f"…and {total - shown} more. Look one up with `/customer <name>`."))
    return blocks


FIELD_LABELS: dict[str, str] = {
    Field.OWNER: "the owner",
    Field.REASON: "the reason",
    Field.SINCE: "customer since",
    Field.RENEWAL: "the renewal date",
    Field.ARR: "ARR",
    Field.CADENCE: "the cadence",
}


def _value(field: str, value: str, today: date) -> str:
    """A history value as a person reads it (escaped): a day, an amount, a cadence, a person, a quote."""
    try:
        if field in (Field.SINCE, Field.RENEWAL):
            return day_label(date.fromisoformat(value), today)
        if field == Field.ARR:
            amount = float(value)
            return f"{amount:,.0f}" if amount.is_integer() else f"{amount:,.2f}"
        if field == Field.CADENCE:
            return f"every {days(int(value))}"
    except ValueError:
        pass  # not as an edit stores it (an import's text): shown as stored
    if field == Field.OWNER:
        return mention(value)
    if field == Field.REASON:
        return safe(quoted(value, 300))
    if field == Field.REASON_THEME:
        return safe(unlisted_label(value), 300)
    return safe(value, 300)


def _status_change(entry: ChangeEntry) -> str:
    if entry.new == ACTIVE:
        return "made it active again"
    why = f": {safe(quoted(entry.note, 600))}" if entry.note else ""
    return f"marked it as {safe(entry.new, 20)}{why}"


def change_line(entry: ChangeEntry, today: date) -> str:
    """One change in mrkdwn: '*20 November* · @U1 changed ARR from 12,000 to 15,000'."""
    who = mention(entry.by) if entry.by else "An import"
    head = f"*{when(entry.on, today)}* · {who}"
    if entry.field == Field.STATUS:
        return f"{head} {_status_change(entry)}"
    if entry.field == Field.OWNER and entry.old and entry.new:
        return f"{head} handed it over from {mention(entry.old)} to {mention(entry.new)}"
    label = FIELD_LABELS.get(entry.field) or safe(entry.field.replace("_", " "), 40)
    if entry.new is None:
        old = _value(entry.field, entry.old or "", today)
        return f"{head} cleared {label} (was {old})"
    new = _value(entry.field, entry.new, today)
    if entry.old is None:
        return f"{head} set {label} to {new}"
    return f"{head} changed {label} from {_value(entry.field, entry.old, today)} to {new}"


def _entry_line(entry: HistoryEntry, today: date) -> str:
    if isinstance(entry, ChangeEntry):
        return change_line(entry, today)
    return checkin_line(entry, today, note_limit=2500)


def _counted(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}"


def history_modal(
    customer: CustomerFacts,
    entries: Sequence[HistoryEntry],
    *,
    page: int,
    checkins: int,
    changes: int,
    today: date,
) -> View:
    """Every check-in and change, newest first, `HISTORY_PAGE_SIZE` per page with Newer / Older buttons."""
    total = checkins + changes
    pages = max(1, -(-total // HISTORY_PAGE_SIZE))
    counts = _counted(checkins, "check-in") + (f" · {_counted(changes, 'change')}" if changes else "")
    blocks: list[Block] = [section(f"*{safe(customer.name, 200)}* · {counts} · page {page + 1} of {pages}")]
    if customer.original_reason:
        blocks.append(context(f"Original reason: {safe(quoted(customer.original_reason, 600))}"))
    blocks.append(DividerBlock())
    blocks.extend(section(_entry_line(entry, today)) for entry in entries)
    if not entries:
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
        title=plain("History", 24),
        close=plain("Close", 24),
        blocks=blocks,
    )
