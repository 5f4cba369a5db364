"""The team view's charts as PNG images (matplotlib, no display): the HTML report inlines them and the
weekly team digest uploads them. Pure: figures in, bytes out (no pyplot state, safe in threads)."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

from matplotlib.figure import Figure

from bot.operations.team_view import ThemeLine, WeekPoint
from bot.team_format import theme_label

DPI = 100
_COVERAGE, _KEY = "#2b6cb0", "#dd6b20"
# The verdict mix, in the order the bars stack: holds, weakened, changed, no verdict.
_MIX = (("Holds", "#38a169"), ("Weakened", "#d69e2e"), ("Changed", "#e53e3e"), ("No verdict", "#cbd5e0"))


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    return buffer.getvalue()


def _percent(share: float | None) -> float:
    return math.nan if share is None else share * 100


def coverage_trend_png(trend: Sequence[WeekPoint]) -> bytes:
    """Reason coverage (all ARR and key-account ARR) at the end of each week, as a line chart."""
    figure = Figure(figsize=(7, 3))
    axes = figure.add_subplot()
    weeks = range(len(trend))
    axes.plot(weeks, [_percent(p.share) for p in trend], marker="o", color=_COVERAGE, label="All ARR")
    axes.plot(weeks, [_percent(p.key_share) for p in trend], marker="s", color=_KEY, label="Key accounts")
    axes.set_ylim(0, 100)
    axes.set_ylabel("ARR confirmed (%)")
    axes.set_title("Reason coverage, last 12 weeks")
    axes.grid(True, alpha=0.3)
    axes.legend(loc="upper left", fontsize="small")
    axes.set_xticks(weeks, [f"{p.week.day} {p.week:%b}" for p in trend], rotation=45, fontsize="small")
    axes.set_xlabel("Week of")
    return _png(figure)


def verdicts_by_theme_png(themes: Sequence[ThemeLine]) -> bytes:
    """Each theme's customers by their latest verdict (holds / weakened / changed / none), as bars."""
    figure = Figure(figsize=(7, 0.45 * max(len(themes), 2) + 1.2))
    axes = figure.add_subplot()
    labels = [theme_label(line.theme) for line in themes]
    counts = [
        (line.holds, line.weakened, line.changed, line.customers - line.holds - line.weakened - line.changed)
        for line in themes
    ]
    left = [0] * len(themes)
    for n, (label, colour) in enumerate(_MIX):
        widths = [row[n] for row in counts]
        axes.barh(labels, widths, left=left, color=colour, label=label)
        left = [a + b for a, b in zip(left, widths, strict=True)]
    axes.invert_yaxis()
    axes.set_xlabel("Customers")
    axes.set_title("Latest verdict by reason theme")
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=len(_MIX), fontsize="small")
    return _png(figure)
