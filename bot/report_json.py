"""The team view as JSON (`holdfast report --format json`): a stable shape for anyone's dashboard.

    {"schema": "holdfast.team_view/1", "team_id", "today": "YYYY-MM-DD", "period_days",
     "coverage": {"arr", "confirmed_arr", "share", "key_arr", "key_confirmed_arr", "key_share"},
     "trend": [{"week": "YYYY-MM-DD" (its Monday), "share", "key_share"}],   # 12, oldest first
     "owners": [{"owner_user_id", "display_name", "customers", "arr", "confirmed_arr", "contacted",
                 "asked", "holds", "weakened", "changed", "concerns_open", "snoozed", "paused",
                 "deactivated"}],
     "untouched_key_accounts": {"total", "lines": [{"customer_id", "name", "owner_user_id", "arr",
                                                    "days_since_contact"}]},
     "renewals_unconfirmed": {"total", "lines": [{..., "days_to_renewal"}]},
     "unowned": {"total", "lines": [{..., "days_since_contact"}]},
     "themes": [{"theme", "label", "customers", "arr", "holds", "weakened", "changed", "eroding",
                 "eroding_share", "changed_to": [{"theme", "label", "customers"}]}],
     "tenure": {"new_customers", "tenured_customers", "new_arr", "tenured_arr", "new_checkins",
                "tenured_checkins", "tenured_customer_share", "tenured_arr_share",
                "tenured_checkin_share", "neglected"}}

Shares are fractions from 0 to 1, or null when there is nothing to divide by; a theme is its stored key,
null when not set. Fields may be added under the same schema; none is renamed or removed.
"""

from __future__ import annotations

import json
from typing import Any

from bot.operations.team_view import AccountLine, TeamView
from bot.team_format import theme_label

SCHEMA = "holdfast.team_view/1"


def _accounts(lines: list[AccountLine], total: int, days: str) -> dict[str, Any]:
    return {
        "total": total,
        "lines": [
            {
                "customer_id": line.customer_id,
                "name": line.name,
                "owner_user_id": line.owner_user_id,
                "arr": line.arr,
                days: line.days,
            }
            for line in lines
        ],
    }


def report_data(view: TeamView) -> dict[str, Any]:
    """The team view as the JSON-ready dict documented above."""
    coverage, tenure = view.coverage, view.tenure
    return {
        "schema": SCHEMA,
        "team_id": view.team_id,
        "today": view.today.isoformat(),
        "period_days": view.period_days,
        "coverage": {
            "arr": coverage.arr,
            "confirmed_arr": coverage.confirmed_arr,
            "share": coverage.share,
            "key_arr": coverage.key_arr,
            "key_confirmed_arr": coverage.key_confirmed_arr,
            "key_share": coverage.key_share,
        },
        "trend": [
            {"week": point.week.isoformat(), "share": point.share, "key_share": point.key_share}
            for point in view.trend
        ],
        "owners": [
            {
                "owner_user_id": o.owner_user_id,
                "display_name": o.display_name,
                "customers": o.customers,
                "arr": o.arr,
                "confirmed_arr": o.confirmed_arr,
                "contacted": o.contacted,
                "asked": o.asked,
                "holds": o.holds,
                "weakened": o.weakened,
                "changed": o.changed,
                "concerns_open": o.concerns_open,
                "snoozed": o.snoozed,
                "paused": o.paused,
                "deactivated": o.deactivated,
            }
            for o in view.owners
        ],
        "untouched_key_accounts": _accounts(
            view.untouched_key_accounts, view.untouched_total, "days_since_contact"
        ),
        "renewals_unconfirmed": _accounts(view.renewals_unconfirmed, view.renewals_total, "days_to_renewal"),
        "unowned": _accounts(view.unowned, view.unowned_total, "days_since_contact"),
        "themes": [
            {
                "theme": t.theme,
                "label": theme_label(t.theme),
                "customers": t.customers,
                "arr": t.arr,
                "holds": t.holds,
                "weakened": t.weakened,
                "changed": t.changed,
                "eroding": t.eroding,
                "eroding_share": t.eroding_share,
                "changed_to": [
                    {"theme": to, "label": theme_label(to), "customers": n} for to, n in t.changed_to.items()
                ],
            }
            for t in view.themes
        ],
        "tenure": {
            "new_customers": tenure.new_customers,
            "tenured_customers": tenure.tenured_customers,
            "new_arr": tenure.new_arr,
            "tenured_arr": tenure.tenured_arr,
            "new_checkins": tenure.new_checkins,
            "tenured_checkins": tenure.tenured_checkins,
            "tenured_customer_share": tenure.tenured_customer_share,
            "tenured_arr_share": tenure.tenured_arr_share,
            "tenured_checkin_share": tenure.tenured_checkin_share,
            "neglected": tenure.neglected,
        },
    }


def report_json(view: TeamView) -> str:
    return json.dumps(report_data(view), indent=2, ensure_ascii=False) + "\n"
