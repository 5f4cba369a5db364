"""The team view as one self-contained HTML page (`holdfast report --format html`), for forwarding:
inline CSS, the two charts as PNG data URIs (`bot.charts`), no script, every text escaped."""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from html import escape

from bot.charts import coverage_trend_png, verdicts_by_theme_png
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

_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:60rem;
color:#1a202c;padding:0 1rem}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.1rem;margin-top:2rem}
.headline{font-size:2.4rem;font-weight:700;color:#2b6cb0}.sub{color:#4a5568}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{padding:.3rem .5rem;border-bottom:1px solid #e2e8f0}
th{text-align:left;background:#f7fafc}td.n{text-align:right}img{max-width:100%;height:auto}
.flag{color:#c53030;font-weight:600}
"""


def _img(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{escape(alt)}">'


def _table(head: Sequence[str], rows: Iterable[Sequence[str]], *, numeric_from: int = 1) -> str:
    header = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="n">{escape(c)}</td>' if n >= numeric_from else f"<td>{escape(c)}</td>"
            for n, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>"


def _accounts(title: str, lines: list[AccountLine], total: int, days: str, names: dict[str, str]) -> str:
    if not lines:
        return f"<h2>{escape(title)}</h2><p>None.</p>"
    rows = [
        [
            line.name,
            names.get(line.owner_user_id, line.owner_user_id),
            money(line.arr),
            "never" if line.days is None else str(line.days),
        ]
        for line in lines
    ]
    more = f"<p>and {total - len(lines)} more</p>" if total > len(lines) else ""
    return (
        f"<h2>{escape(title)} ({total})</h2>"
        + _table(["Customer", "Owner", "ARR", days], rows, numeric_from=2)
        + more
    )


def report_html(view: TeamView) -> str:
    """The whole page."""
    c = view.coverage
    names = {o.owner_user_id: owner_label(o.owner_user_id, o.display_name) for o in view.owners}
    owners = _table(OWNER_COLUMNS, (owner_cells(o, names[o.owner_user_id]) for o in view.owners))
    themes = _table(
        ["Theme", "Customers", "ARR", "Eroding", "Changed to"],
        (
            [
                theme_label(t.theme),
                str(t.customers),
                money(t.arr),
                percent(t.eroding_share),
                changed_into(t.changed_to),
            ]
            for t in view.themes
        ),
    )
    tenure = escape(tenure_sentence(view.tenure))
    trend_chart = _img(coverage_trend_png(view.trend), "Reason coverage over the last 12 weeks")
    themes_chart = _img(verdicts_by_theme_png(view.themes), "Latest verdict by reason theme")
    lists = "\n".join(
        [
            _accounts(
                LISTS[0], view.untouched_key_accounts, view.untouched_total, "Days since contact", names
            ),
            _accounts(LISTS[1], view.renewals_unconfirmed, view.renewals_total, "Days to renewal", names),
            _accounts(LISTS[2], view.unowned, view.unowned_total, "Days since contact", names),
        ]
    )
    title = f"Holdfast team view: {view.team_id}"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title><style>{_STYLE}</style></head>
<body>
<h1>{escape(title)}</h1>
<p class="sub">Last {view.period_days} days to {view.today.isoformat()}</p>
<h2>Reason coverage</h2>
<p><span class="headline" id="coverage">{percent(c.share)}</span> of ARR confirmed as holding
({escape(money(c.confirmed_arr))} of {escape(money(c.arr))});
key accounts <strong>{percent(c.key_share)}</strong>
({escape(money(c.key_confirmed_arr))} of {escape(money(c.key_arr))}).</p>
<figure id="trend-chart">{trend_chart}</figure>
<h2>Per owner</h2>{owners}
{lists}
<h2>Reasons map</h2>
<figure id="themes-chart">{themes_chart}</figure>
{themes}
<h2>New versus tenured</h2>
<p{' class="flag"' if view.tenure.neglected else ""}>{tenure}</p>
</body></html>
"""
