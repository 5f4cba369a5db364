"""The Home tab and its settings form. Pure builders: data in, a view out.

Today's asks are the digest's own entries (`digest_entry`: the same words and buttons, so a tap here
is handled by the digest's handlers); then the book at a glance, each line opening the card. The
view is cut to fit Slack: at most `MAX_ASKS` asks and `MAX_LINES` lines a section, each cut counted
("and N more"), which keeps every Home view under `MAX_HOME_BLOCKS` (tested).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    DatePickerElement,
    DividerBlock,
    HeaderBlock,
    Option,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.operations.home import Home
from bot.operations.owner_settings import OwnerSettings, SettingsDraft
from bot.rules.coverage import Coverage
from bot.rules.facts import CustomerFacts
from bot.rules.schedule import DAY_NAMES, days_label
from bot.rules.wording import day_label, days_ago, in_days
from handlers import ids
from handlers.views.common import (
    MAX_MODAL_BLOCKS,
    actions,
    button,
    context,
    input_block,
    input_date,
    input_value,
    money,
    mrkdwn,
    plain,
    section,
)
from handlers.views.digest import count_text, digest_entry, more_text, queued_text
from handlers.views.replies import REFUSAL
from handlers.views.text import safe

MAX_HOME_BLOCKS = MAX_MODAL_BLOCKS  # Slack's limit for a Home view, as for a modal
MAX_ASKS = 10
MAX_LINES = 8
BOOK_PAGE = 40  # lines a page of the whole book (a modal holds 100 blocks)
WEEKDAY_VALUES = frozenset(str(n) for n in range(7))
AWAY_NOTE = ":palm_tree: Your Slack status says you are away, so no digest today; the asks wait here for you."


def hour_label(hour: int) -> str:
    return f"{hour:02d}:00"


def percent(share: float | None) -> str:
    return "—" if share is None else f"{round(share * 100)}%"


def figures_text(figures: Coverage, today: date) -> str:
    """One line of the owner's own figures."""
    count = figures.customers
    parts = [
        f"*{count}* customer{'s' if count != 1 else ''}",
        f"*{percent(figures.contacted_share)}* contacted within cadence",
        f"*{percent(figures.confirmed_share)}* of ARR with the reason confirmed in the last 90 days",
    ]
    if figures.next_renewal is not None and figures.next_renewal_name is not None:
        when = f"{day_label(figures.next_renewal, today)} ({in_days((figures.next_renewal - today).days)})"
        parts.append(f"next renewal: {safe(figures.next_renewal_name, 100)}, {when}")
    return " · ".join(parts)


def schedule_text(settings: OwnerSettings, *, away: bool) -> str:
    """When the digest comes, or why it does not."""
    if settings.paused and settings.paused_until is not None:
        until = day_label(settings.paused_until, settings.today)
        return (
            f":double_vertical_bar: Your digests are paused; they start again on {until}. The asks"
            " wait and come back then, most urgent first."
        )
    time = settings.time
    at, on = hour_label(time.hour), days_label(time.weekdays)
    text = f":alarm_clock: Your digest comes at {at} on {on}, your time."
    return f"{AWAY_NOTE}\n{text}" if away else text


def book_line(customer: CustomerFacts, today: date, *, is_key: bool) -> SectionBlock:
    """One customer of the book, with a button opening its card."""
    parts = [f"*{safe(customer.name, 150)}*" + ("  ·  key account" if is_key else "")]
    if customer.arr:
        parts.append(money(customer.arr))
    if customer.renewal_date is not None:
        parts.append(f"renewal {in_days((customer.renewal_date - today).days)}")
    last = customer.last_checkin_on
    parts.append(f"last check-in {days_ago((today - last).days)}" if last else "no check-in yet")
    assert customer.id is not None
    return SectionBlock(
        text=mrkdwn(" · ".join(parts)),
        accessory=button("View card", ids.HOME_CARD_ACTION, str(customer.id)),
    )


def home_view(home: Home, *, away: bool = False, lead: bool = False) -> View:
    """The Home tab for one owner; a lead's has "Team" beside Settings (`handlers.views.team`)."""
    blocks: list[Block] = [
        HeaderBlock(text=plain("Your book in Holdfast", 150)),
        context(figures_text(home.figures, home.today)),
        section(schedule_text(home.settings, away=away)),
        actions(
            [
                button("Settings", ids.HOME_SETTINGS_ACTION, "settings"),
                *([button("Team", ids.HOME_TEAM_ACTION, "30")] if lead else []),
            ]
        ),
        DividerBlock(),
    ]
    plan = home.asks
    if plan is None:
        blocks.append(section("*Today's asks*\nNobody needs you today. :white_check_mark:"))
    else:
        shown = plan.items[:MAX_ASKS]
        blocks.append(section(f"*Today's asks* · {count_text(plan.total)}"))
        for item in shown:
            blocks.extend(digest_entry(item, home.today))
        more = plan.more + len(plan.items) - len(shown)
        if more:
            blocks.append(context(more_text(more)))
        if plan.queued:
            blocks.append(context(f":seedling: {queued_text(plan.queued)}"))
    for book_section in home.sections:
        if not book_section.lines:
            continue
        blocks.append(DividerBlock())
        blocks.append(section(f"*{book_section.title}* · {len(book_section.lines)}"))
        for customer in book_section.lines[:MAX_LINES]:
            blocks.append(book_line(customer, home.today, is_key=customer.id in home.key_ids))
        if len(book_section.lines) > MAX_LINES:
            blocks.append(context(more_text(len(book_section.lines) - MAX_LINES)))
    if home.rest:
        blocks.append(context(f"{home.rest} other customer{'s' if home.rest != 1 else ''} need nothing now."))
    if home.figures.customers:
        blocks.append(
            actions([button("See all my customers", ids.numbered(ids.HOME_BOOK_ACTION, "open"), "0")])
        )
    if not home.figures.customers:
        blocks.append(context("You own no customers yet: `/customer add` adds one."))
    return View(type="home", blocks=blocks)


def book_page(rows: Sequence[CustomerFacts], *, page: int, today: date, key_ids: Collection[int]) -> View:
    """The whole book, highest priority first, `BOOK_PAGE` lines a page, with its card buttons and
    the buttons to the other pages."""
    pages = max(1, -(-len(rows) // BOOK_PAGE))
    page = min(max(page, 0), pages - 1)
    shown = rows[page * BOOK_PAGE : (page + 1) * BOOK_PAGE]
    blocks: list[Block] = [
        context(f"{len(rows)} customers, highest priority first · page {page + 1} of {pages}")
    ]
    blocks.extend(book_line(customer, today, is_key=customer.id in key_ids) for customer in shown)
    turns = []
    if page > 0:
        turns.append(button("Previous page", ids.numbered(ids.HOME_BOOK_ACTION, "previous"), str(page - 1)))
    if page + 1 < pages:
        turns.append(button("Next page", ids.numbered(ids.HOME_BOOK_ACTION, "next"), str(page + 1)))
    if turns:
        blocks.append(actions(turns))
    return View(
        type="modal",
        callback_id=ids.HOME_BOOK_ACTION,
        title=plain("Your customers", 24),
        close=plain("Close", 24),
        blocks=blocks,
    )


def refused_home() -> View:
    """What someone who may not use Holdfast sees on its Home tab: why, and nothing else."""
    return View(type="home", blocks=[section(REFUSAL)])


def settings_modal(settings: OwnerSettings) -> View:
    """Pause until a date, and the digest's hour and days."""
    time = settings.time
    hours = [Option(value=str(h), label=hour_label(h)) for h in range(24)]
    days = [Option(value=str(n), label=name) for n, name in enumerate(DAY_NAMES)]
    pause = DatePickerElement(
        action_id=ids.HOME_PAUSE,
        placeholder="Not paused",
        initial_date=settings.paused_until.isoformat() if settings.paused and settings.paused_until else None,
    )
    blocks: list[Block] = [
        input_block(
            ids.HOME_PAUSE,
            "Pause my digests until (a vacation; they start again that day)",
            pause,
            optional=True,
            hint="The asks wait, and come back most urgent first. Clear it to get digests again.",
        ),
        input_block(
            ids.HOME_HOUR,
            "Digest time (your Slack time zone)",
            StaticSelectElement(action_id=ids.HOME_HOUR, options=hours, initial_option=hours[time.hour]),
        ),
        input_block(
            ids.HOME_DAYS,
            "Digest days",
            CheckboxesElement(
                action_id=ids.HOME_DAYS,
                options=days,
                initial_options=[days[n] for n in sorted(time.weekdays)],
            ),
        ),
    ]
    return View(
        type="modal",
        callback_id=ids.HOME_SETTINGS_VIEW,
        title=plain("Digest settings", 24),
        submit=plain("Save", 24),
        close=plain("Cancel", 24),
        blocks=blocks,
    )


def read_settings(values: dict[str, Any]) -> SettingsDraft:
    """The settings form as submitted (a forged value reads as not given)."""
    hour = str((input_value(values, ids.HOME_HOUR).get("selected_option") or {}).get("value", ""))
    chosen = input_value(values, ids.HOME_DAYS).get("selected_options") or []
    picked = {str(option.get("value", "")) for option in chosen if isinstance(option, dict)}
    return SettingsDraft(
        paused_until=input_date(values, ids.HOME_PAUSE),
        hour=int(hour) if hour.isdigit() else None,
        weekdays=frozenset(int(value) for value in picked if value in WEEKDAY_VALUES),
    )


SETTINGS_FIELDS = {"paused_until": ids.HOME_PAUSE, "hour": ids.HOME_HOUR, "weekdays": ids.HOME_DAYS}
