"""The team view on a lead's Home tab: the headline, per owner, the three lists, the reasons map and
new versus tenured, each cut with "and N more" so the view stays under `MAX_HOME_BLOCKS`."""

from __future__ import annotations

from slack_sdk.models.blocks import Block, DividerBlock, HeaderBlock
from slack_sdk.models.views import View

from bot.operations.team_view import AccountLine, TeamView
from bot.rules.wording import days_ago, in_days
from bot.team_format import LISTS, changed_into, percent, tenure_sentence, theme_label
from handlers import ids
from handlers.views.common import actions, button, context, mention, money, plain, section
from handlers.views.digest import more_text
from handlers.views.text import safe

MAX_OWNERS = 15
MAX_LIST_LINES = 8
MAX_THEMES = 10
PERIODS = (30, 90)


def _owner_text(view: TeamView) -> list[Block]:
    blocks: list[Block] = [section(f"*Per owner* · {len(view.owners)}")]
    for o in view.owners[:MAX_OWNERS]:
        flags = [" · may not use Holdfast" if o.deactivated else "", " · paused" if o.paused else ""]
        blocks.append(
            section(
                f"{mention(o.owner_user_id)}{''.join(flags)}\n{o.customers} customers · {money(o.arr)} · "
                f"{o.contacted} contacted within cadence · {o.asked} asked: {o.holds} holds, "
                f"{o.weakened} weakened, {o.changed} changed · {o.concerns_open} concerns not followed up · "
                f"{o.snoozed} snoozed"
            )
        )
    if len(view.owners) > MAX_OWNERS:
        blocks.append(context(more_text(len(view.owners) - MAX_OWNERS)))
    return blocks


def _account_text(line: AccountLine, renewal: bool) -> str:
    if renewal:
        when = f"renewal {in_days(line.days or 0)}"
    else:
        when = "never checked in" if line.days is None else f"last check-in {days_ago(line.days)}"
    return f"*{safe(line.name, 150)}* · {mention(line.owner_user_id)} · {money(line.arr)} · {when}"


def _list(title: str, lines: list[AccountLine], total: int, *, renewal: bool = False) -> list[Block]:
    blocks: list[Block] = [DividerBlock(), section(f"*{title}* · {total}")]
    if not lines:
        return [*blocks, context("None.")]
    blocks.extend(section(_account_text(line, renewal)) for line in lines[:MAX_LIST_LINES])
    shown = min(len(lines), MAX_LIST_LINES)
    if total > shown:
        blocks.append(context(more_text(total - shown)))
    return blocks


def team_home(view: TeamView) -> View:
    """The Home tab showing the team view, with "My book" to go back and the other period."""
    c = view.coverage
    trend = " → ".join(percent(point.share) for point in view.trend)
    periods = [
        button(f"Last {days} days", ids.HOME_TEAM_ACTION, str(days))
        for days in PERIODS
        if days != view.period_days
    ]
    blocks: list[Block] = [
        HeaderBlock(text=plain("Your team in Holdfast", 150)),
        context(f"Last {view.period_days} days"),
        section(
            f"*Reason coverage: {percent(c.share)}* of ARR confirmed as holding ({money(c.confirmed_arr)} of "
            f"{money(c.arr)}) · key accounts *{percent(c.key_share)}* ({money(c.key_confirmed_arr)} of "
            f"{money(c.key_arr)})"
        ),
        context(f"Last 12 weeks: {trend}"),
        actions([button("My book", ids.HOME_MY_BOOK_ACTION, "book"), *periods]),
        DividerBlock(),
        *_owner_text(view),
        *_list(LISTS[0], view.untouched_key_accounts, view.untouched_total),
        *_list(LISTS[1], view.renewals_unconfirmed, view.renewals_total, renewal=True),
        *_list(LISTS[2], view.unowned, view.unowned_total),
        DividerBlock(),
        section("*Reasons map* · by the theme they bought for"),
    ]
    for t in view.themes[:MAX_THEMES]:
        blocks.append(
            section(
                f"*{safe(theme_label(t.theme), 100)}* · {t.customers} customers · {money(t.arr)} · "
                f"{percent(t.eroding_share)} eroding · changed to: {safe(changed_into(t.changed_to), 500)}"
            )
        )
    if len(view.themes) > MAX_THEMES:
        blocks.append(context(more_text(len(view.themes) - MAX_THEMES)))
    blocks.extend([DividerBlock(), section(f"*New versus tenured*\n{tenure_sentence(view.tenure)}")])
    return View(type="home", blocks=blocks)
