"""A hand-built `TeamView` for the team digest's tests, with owners and hostile customer names in it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from bot.operations.team_view import (
    AccountLine,
    OwnerLine,
    ReasonCoverage,
    TeamView,
    TenureSplit,
    ThemeLine,
    WeekPoint,
)

TODAY = date(2026, 6, 8)  # a Monday
OWNERS = ("U0OWNERA", "U0OWNERB")
HOSTILE = "<!channel> & <@U0SOMEONE> Ltd"


def _week(n: int) -> WeekPoint:
    return WeekPoint(TODAY - timedelta(weeks=11 - n), 0.30 + n * 0.01, 0.50 + n * 0.01)


def sample_view(**changes: Any) -> TeamView:
    """Twelve weeks of trend ending up 1 point, two owners, lists longer than the digest shows."""
    key = [AccountLine(n, f"Key {n}", OWNERS[n % 2], 100_000.0 - n, 40 + n) for n in range(1, 6)]
    view = TeamView(
        team_id="T0001",
        today=TODAY,
        period_days=30,
        coverage=ReasonCoverage(
            arr=1_000_000.0, confirmed_arr=410_000.0, key_arr=500_000.0, key_confirmed_arr=305_000.0
        ),
        trend=[_week(n) for n in range(12)],
        owners=[OwnerLine(owner, 3, 300_000.0, 2, 2, 1, 1, 0, 1, 0, False) for owner in OWNERS],
        untouched_key_accounts=[AccountLine(9, HOSTILE, OWNERS[0], 250_000.0, None), *key],
        renewals_unconfirmed=[AccountLine(20, "Renewco", OWNERS[1], 80_000.0, 12)],
        unowned=[],
        themes=[
            ThemeLine("price", 10, 400_000.0, 3, {"product fit": 2, None: 1}, holds=5, weakened=1, changed=2),
            ThemeLine("integration", 4, 100_000.0, 2, {}, holds=1, weakened=2),
            ThemeLine(None, 6, 50_000.0, 0, {}, holds=2),
        ],
        untouched_total=6,
        renewals_total=1,
        tenure=TenureSplit(
            new_customers=5,
            tenured_customers=15,
            new_arr=200_000.0,
            tenured_arr=800_000.0,
            new_checkins=12,
            tenured_checkins=8,
            neglected=True,
        ),
    )
    return replace(view, **changes)
