"""Health: the worst signal decides, every signal is listed."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from bot.rules.health import HealthLevel, health
from bot.rules.policy import Policy
from bot.rules.vocabulary import Change, Expectation, Verdict
from tests.factories import customer

TODAY = date(2026, 6, 10)
H, W, R = HealthLevel.HEALTHY, HealthLevel.WATCH, HealthLevel.AT_RISK


def ago(n: int) -> date:
    return TODAY - timedelta(days=n)


@pytest.mark.parametrize(
    ("fields", "level", "count"),
    [
        ({"last_checkin_on": ago(5)}, H, 0),
        ({"last_checkin_on": ago(31)}, W, 1),
        ({"last_checkin_on": ago(61)}, R, 1),
        ({"customer_since": ago(3)}, H, 0),
        ({"customer_since": ago(300)}, W, 1),
        ({"last_checkin_on": ago(5), "last_verdict": Verdict.WEAKENED, "last_verdict_on": ago(5)}, W, 1),
        ({"last_checkin_on": ago(5), "last_verdict": Verdict.CHANGED, "last_verdict_on": ago(5)}, R, 1),
        ({"last_checkin_on": ago(5), "last_verdict": Verdict.HOLDS, "last_verdict_on": ago(5)}, H, 0),
        ({"last_checkin_on": ago(5), "last_expectation": Expectation.BELOW}, R, 1),
        ({"last_checkin_on": ago(5), "renewal_date": TODAY + timedelta(days=100)}, W, 1),
        ({"last_checkin_on": ago(5), "renewal_date": TODAY + timedelta(days=20)}, R, 1),
        (
            {
                "last_checkin_on": ago(5),
                "renewal_date": TODAY + timedelta(days=20),
                "reason_confirmed_on": ago(5),
            },
            H,
            0,
        ),
        ({"last_checkin_on": ago(5), "last_changes": [Change.BUDGET_CUT], "last_changes_on": ago(5)}, W, 1),
        ({"last_checkin_on": ago(5), "last_changes": [Change.BUDGET_CUT], "last_changes_on": ago(91)}, H, 0),
        (
            {
                "last_checkin_on": ago(61),
                "last_expectation": Expectation.BELOW,
                "last_verdict": Verdict.WEAKENED,
                "last_verdict_on": ago(61),
            },
            R,
            3,
        ),
    ],
)
def test_health(fields: dict[str, Any], level: HealthLevel, count: int) -> None:
    result = health(customer(**fields), today=TODAY, policy=Policy(), is_key=False)
    assert result.level == level
    assert len(result.signals) == count
    assert [s.level for s in result.signals] == sorted((s.level for s in result.signals), reverse=True)
