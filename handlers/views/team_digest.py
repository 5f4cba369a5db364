"""The weekly team digest as a channel message. A pure builder: a `TeamView` in, blocks out.

Team-level only: the channel is read by the whole team, so no owner is named (neither their ID nor a
mention); customers are named (escaped: their names are user text).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from slack_sdk.models.blocks import Block, DividerBlock, HeaderBlock

from bot.operations.team_view import AccountLine, TeamView, ThemeLine, WeekPoint
from bot.rules.limits import shorten
from bot.rules.wording import day_label, days_ago, in_days
from bot.team_format import percent, theme_label
from handlers.views.common import HEADER_LIMIT, context, money, section
from handlers.views.text import safe

METADATA_EVENT = "holdfast_team_digest"
TOP_LINES = 3  # customers or themes shown per list; the rest are counted
NAME_LIMIT = 80
FLAT_POINTS = 1  # a move of less than one percentage point reads as flat


@dataclass(frozen=True)
class TeamDigestMessage:
    """What chat.postMessage is given: fallback text, blocks, and metadata naming the ledger row."""

    text: str
    blocks: list[Block]
    metadata: dict[str, Any]


def trend_text(trend: Sequence[WeekPoint], key: bool = False) -> str:
    """How the share moved over the last week of `trend`: 'up 3 pts on last week', 'flat on last
    week', or '' when either week has no share."""
    shares = [point.key_share if key else point.share for point in trend[-2:]]
    if len(shares) < 2 or shares[0] is None or shares[1] is None:
        return ""
    points = round((shares[1] - shares[0]) * 100)
    if abs(points) < FLAT_POINTS:
        return "flat on last week"
    unit = "pt" if abs(points) == 1 else "pts"
    return f"{'up' if points > 0 else 'down'} {abs(points)} {unit} on last week"


def _share(label: str, share: float | None, confirmed: float, whole: float, trend: str) -> str:
    figures = f"{money(confirmed)} of {money(whole)}" + (f", {trend}" if trend else "")
    return f"*{percent(share)}* of {label} ({figures})"


def headline_text(view: TeamView) -> str:
    """Reason coverage of ARR and of key-account ARR, with how each moved since last week."""
    c = view.coverage
    whole = _share("ARR", c.share, c.confirmed_arr, c.arr, trend_text(view.trend))
    key = _share(
        "key-account ARR", c.key_share, c.key_confirmed_arr, c.key_arr, trend_text(view.trend, key=True)
    )
    return (
        f"*Reason coverage*: {whole} and {key} had the reason confirmed as holding in the last "
        f"{view.period_days} days."
    )


def _more(shown: int, total: int) -> str:
    return f"\n…and {total - shown} more" if total > shown else ""


def _account(line: AccountLine, when: str) -> str:
    parts = [f"*{safe(line.name, NAME_LIMIT)}*", money(line.arr), when]
    return "• " + " · ".join(part for part in parts if part)


def account_list(
    title: str, lines: Sequence[AccountLine], total: int, when: Callable[[AccountLine], str]
) -> str:
    """A list's title with how many it holds in all (`total`), then its top lines; `when(line)` says
    its day figure."""
    if not lines:
        return f"*{title}*: none."
    top = lines[:TOP_LINES]
    text = "\n".join(_account(line, when(line)) for line in top)
    return f"*{title}* ({total})\n{text}{_more(len(top), total)}"


def _last_contact(line: AccountLine) -> str:
    return "never contacted" if line.days is None else f"last contact {days_ago(line.days)}"


def _renews(line: AccountLine) -> str:
    return "" if line.days is None else f"renews {in_days(line.days)}"


def _theme(theme: str | None) -> str:
    return safe(theme_label(theme), NAME_LIMIT)


def eroding_text(themes: Sequence[ThemeLine]) -> str:
    """The themes whose customers' reason most often weakened or changed, and what they changed to."""
    eroding = sorted(
        (line for line in themes if line.eroding),
        key=lambda line: (-(line.eroding_share or 0), -line.arr, theme_label(line.theme)),
    )
    if not eroding:
        return "*Reasons eroding*: none; no reason was answered weakened or changed."
    lines = []
    for line in eroding[:TOP_LINES]:
        text = (
            f"• *{_theme(line.theme)}*: {line.eroding} of {line.customers} weakened or changed "
            f"({percent(line.eroding_share)}), {money(line.arr)} ARR"
        )
        moved = sorted(line.changed_to.items(), key=lambda item: (-item[1], theme_label(item[0])))
        if moved:
            text += "; changed to " + ", ".join(f"{_theme(theme)} ({n})" for theme, n in moved[:TOP_LINES])
        lines.append(text)
    return "*Reasons eroding*\n" + "\n".join(lines) + _more(len(lines), len(eroding))


def tenure_text(view: TeamView) -> str:
    """Check-ins to tenured customers (past their first year) against their share of ARR, and to new ones."""
    split = view.tenure
    checkins = split.new_checkins + split.tenured_checkins
    text = (
        f"*New versus tenured*: tenured customers (past their first year: {split.tenured_customers}, "
        f"{percent(split.tenured_arr_share)} of ARR) got {split.tenured_checkins} of the {checkins} "
        f"check-ins ({percent(split.tenured_checkin_share)}); new ones ({split.new_customers}) got "
        f"{split.new_checkins}."
    )
    if split.neglected:
        text += "\n:warning: Tenured customers get clearly less attention than their share of ARR."
    return text


def fallback_text(view: TeamView, week: date) -> str:
    """The notification's text (plain: no user text in it)."""
    return (
        f"Team digest, week of {day_label(week, view.today)}: reason coverage "
        f"{percent(view.coverage.share)} of ARR, {percent(view.coverage.key_share)} of key-account ARR."
    )


def chart_comment(week: date, today: date) -> str:
    """The text the chart upload is shared with."""
    return (
        "Reason coverage over 12 weeks, and the latest verdict by reason theme "
        f"(week of {day_label(week, today)})."
    )


def team_digest_message(view: TeamView, *, week: date, digest_id: int) -> TeamDigestMessage:
    """The week's team digest: the headline, the lists' top lines, eroding reasons, new versus tenured."""
    blocks: list[Block] = [
        HeaderBlock(text=shorten(f"Team digest: week of {day_label(week, view.today)}", HEADER_LIMIT)),
        section(headline_text(view)),
        DividerBlock(),
        section(
            account_list(
                "Key accounts untouched past their cadence",
                view.untouched_key_accounts,
                view.untouched_total,
                _last_contact,
            )
        ),
        section(
            account_list(
                "Renewals near, reason unconfirmed", view.renewals_unconfirmed, view.renewals_total, _renews
            )
        ),
        section(
            account_list(
                "Customers whose owner cannot use Holdfast", view.unowned, view.unowned_total, lambda _: ""
            )
        ),
        DividerBlock(),
        section(eroding_text(view.themes)),
        section(tenure_text(view)),
        context(
            "Team-level figures: each owner's are in the Home tab's Team view (for leads) "
            "and in `holdfast report`."
        ),
    ]
    metadata = {
        "event_type": METADATA_EVENT,
        "event_payload": {"team_digest_id": digest_id, "week": week.isoformat()},
    }
    return TeamDigestMessage(fallback_text(view, week), blocks, metadata)
