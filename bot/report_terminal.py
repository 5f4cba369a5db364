"""The team view in the terminal (`holdfast report`): Rich tables, user text shown literally."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from bot.operations.team_view import AccountLine, TeamView
from bot.team_format import (
    LISTS,
    OWNER_COLUMNS,
    changed_into,
    owner_cells,
    owner_label,
    percent,
    tenure_sentence,
    theme_label,
)
from handlers.views.common import money


def _table(title: str, *columns: str) -> Table:
    table = Table(title=title, title_justify="left", title_style="bold")
    for n, column in enumerate(columns):
        table.add_column(column, justify="left" if n == 0 else "right")
    return table


def _accounts(
    title: str, lines: list[AccountLine], total: int, days: str, names: dict[str, str]
) -> RenderableType:
    if not lines:
        return Text(f"{title}: none.")
    table = _table(f"{title} ({total})", "Customer", "Owner", "ARR", days)
    for line in lines:
        shown = "never" if line.days is None else str(line.days)
        table.add_row(
            Text(line.name), Text(names.get(line.owner_user_id, line.owner_user_id)), money(line.arr), shown
        )
    if total > len(lines):
        table.caption = f"and {total - len(lines)} more"
    return table


def report_renderables(view: TeamView) -> RenderableType:
    """Everything `holdfast report` prints, in order."""
    coverage = view.coverage
    names = {o.owner_user_id: owner_label(o.owner_user_id, o.display_name) for o in view.owners}
    head = Text.assemble(
        (f"Team view of {view.team_id}, last {view.period_days} days to {view.today.isoformat()}\n", "bold"),
        f"Reason coverage: {percent(coverage.share)} of ARR ({money(coverage.confirmed_arr)} of "
        f"{money(coverage.arr)}) confirmed as holding; key accounts {percent(coverage.key_share)} "
        f"({money(coverage.key_confirmed_arr)} of {money(coverage.key_arr)}).",
    )
    trend = _table("Reason coverage, last 12 weeks", "Week of", "All ARR", "Key accounts")
    for point in view.trend:
        trend.add_row(point.week.isoformat(), percent(point.share), percent(point.key_share))
    owners = _table("Per owner", *OWNER_COLUMNS)
    for o in view.owners:
        name, *figures = owner_cells(o, names[o.owner_user_id])
        owners.add_row(Text(name), *figures)  # a name is shown as typed, never as Rich markup
    themes = _table(
        "Reasons map (by the theme they bought for)", "Theme", "Customers", "ARR", "Eroding", "Changed to"
    )
    for t in view.themes:
        themes.add_row(
            theme_label(t.theme),
            str(t.customers),
            money(t.arr),
            percent(t.eroding_share),
            changed_into(t.changed_to),
        )
    return Group(
        head,
        trend,
        owners,
        _accounts(
            LISTS[0],
            view.untouched_key_accounts,
            view.untouched_total,
            "Days since contact",
            names,
        ),
        _accounts(
            LISTS[1],
            view.renewals_unconfirmed,
            view.renewals_total,
            "Days to renewal",
            names,
        ),
        _accounts(
            LISTS[2],
            view.unowned,
            view.unowned_total,
            "Days since contact",
            names,
        ),
        themes,
        Text(tenure_sentence(view.tenure)),
    )
