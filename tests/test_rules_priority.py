"""Priority, value × urgency: which due customer comes first, in named cases."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.rules.nudges import NudgeKind, due_customers, due_day, due_reasons, first_due
from bot.rules.policy import Policy
from bot.rules.priority import lateness, priority, value
from bot.rules.vocabulary import Change, Verdict
from tests.factories import customer

TODAY = date(2026, 6, 10)
POLICY = Policy()


def ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def ahead(n: int) -> date:
    return TODAY + timedelta(days=n)


def concern(n: int, verdict: Verdict | None = None, *changes: Change) -> dict[str, Any]:
    """A concern raised `n` days ago, with its verdict and changes, and nothing logged since."""
    fields: dict[str, Any] = {"last_checkin_on": ago(n), "concern_on": ago(n)}
    if verdict is not None:
        fields.update(last_verdict=verdict, last_verdict_on=ago(n))
    if changes:
        fields.update(last_changes=list(changes), last_changes_on=ago(n))
    return fields


RECENT = {"last_checkin_on": ago(2)}  # in touch: due for nothing else
STALE = {"last_checkin_on": ago(31)}  # one day past a 30-day cadence
RENEWAL = {**RECENT, "renewal_date": ahead(30)}  # inside the window, reason never confirmed


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param(
            {"arr": 500_000, "key": True, **concern(20, Verdict.WEAKENED, Change.CHAMPION_LEFT)},
            {"arr": 12_000, **RENEWAL},
            id="a 500k key account whose reason weakened and champion left, before a 12k unconfirmed renewal",
        ),
        pytest.param(
            {"arr": 12_000, **RENEWAL},
            {"arr": 12_000, **STALE},
            id="same ARR: an unconfirmed renewal before a stale contact",
        ),
        pytest.param(
            {"arr": 12_000, **concern(14, Verdict.CHANGED)},
            {"arr": 12_000, "last_checkin_on": ago(90)},
            id="same ARR: a changed reason just due before a contact two months overdue",
        ),
        pytest.param(
            {"arr": 12_000, **concern(14, None, Change.CHAMPION_LEFT)},
            {"arr": 12_000, **concern(14, None, Change.GROWTH)},
            id="same ARR: a departed champion before growth",
        ),
        pytest.param(
            {"arr": 12_000, **concern(14, Verdict.CHANGED)},
            {"arr": 12_000, **concern(14, Verdict.WEAKENED)},
            id="same ARR: a changed reason before a weakened one",
        ),
        pytest.param(
            {"arr": 12_000, **RECENT, "renewal_date": ahead(10)},
            {"arr": 12_000, **RECENT, "renewal_date": ahead(100)},
            id="same ARR: the nearer renewal first",
        ),
        pytest.param(
            {"arr": 12_000, **concern(40, Verdict.WEAKENED)},
            {"arr": 12_000, **concern(14, Verdict.WEAKENED)},
            id="same ARR: a follow-up weeks late before one just due",
        ),
        pytest.param(
            {"arr": 12_000, "last_checkin_on": ago(50)},
            {"arr": 12_000, "last_checkin_on": ago(35)},
            id="same ARR: the longer overdue first",
        ),
        pytest.param(
            {"arr": 12_000, **RENEWAL, "last_checkin_on": ago(40)},
            {"arr": 12_000, **RENEWAL},
            id="same ARR: a renewal and a stale contact before the renewal alone",
        ),
        pytest.param(
            {"arr": 90_000, **STALE},
            {"arr": 10_000, **STALE},
            id="same reason: the larger account first",
        ),
        pytest.param(
            {"arr": 500_000, "last_checkin_on": ago(60)},
            {"arr": 10_000, **RECENT, "next_step": "Send pricing", "next_step_due": TODAY},
            id="a 500k account a month overdue before a 10k account with a next step due",
        ),
        pytest.param(
            {"arr": 50_000, **concern(14, Verdict.CHANGED)},
            {"arr": 500_000, **STALE},
            id="a 50k account whose reason changed before a 500k account a day past its cadence",
        ),
        pytest.param(
            {"arr": 1_000, **STALE},
            {"arr": None, **concern(20, Verdict.CHANGED, Change.CHAMPION_LEFT)},
            id="an account with ARR before one without, whatever the reason",
        ),
        pytest.param(
            {"arr": None, **concern(14, Verdict.CHANGED)},
            {"arr": None, **STALE},
            id="without ARR, urgency decides",
        ),
    ],
)
def test_who_comes_first(first: dict[str, Any], second: dict[str, Any]) -> None:
    book = [
        customer(name, **{k: v for k, v in fields.items() if k != "key"})
        for name, fields in (("Second", second), ("First", first))
    ]
    keys = {c.id for c, fields in zip(book, (second, first), strict=True) if c.id and fields.get("key")}
    due = due_customers(book, today=TODAY, policy=POLICY, key_ids=keys)
    assert [d.customer.name for d in due] == ["First", "Second"]
    assert due[0].priority >= due[1].priority


def test_the_order_does_not_depend_on_the_workspace_total() -> None:
    book = [
        customer(f"C{n}", arr=arr, **fields)
        for n, (arr, fields) in enumerate(
            [(500_000, STALE), (12_000, RENEWAL), (80_000, concern(20, Verdict.WEAKENED)), (None, STALE)]
        )
    ]
    orders = [
        [d.customer.name for d in first_due(book, today=TODAY, policy=POLICY, key_ids=set(), arr_total=t)[0]]
        for t in (None, 10**6, 10**9)
    ]
    assert orders[0] == orders[1] == orders[2] == ["C2", "C1", "C0", "C3"]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        # renewal 4, doubled on its day
        ({**RECENT, "renewal_date": ahead(120)}, [4.0]),
        ({**RECENT, "renewal_date": ahead(60)}, [6.0]),
        ({**RECENT, "renewal_date": TODAY}, [8.0]),
        # follow-up: its gravest event, plus one for each further one; doubled 30 days late
        (concern(14, Verdict.WEAKENED, Change.CHAMPION_LEFT), [6.0]),
        (concern(29, Verdict.CHANGED), [7.5]),
        (
            concern(44, None, Change.REORG, Change.BUDGET_CUT, Change.GROWTH),
            [12.0, 1 + 14 / 30],
        ),  # and overdue
        ({**concern(14), "last_changes": [Change.MERGER], "last_changes_on": ago(40)}, [2.0]),  # older
        # next step 2; contact 1, doubled a whole cadence late
        ({"last_checkin_on": ago(20), "next_step": "Call", "next_step_due": ago(15)}, [2.0 * 1.5]),
        ({"last_checkin_on": ago(30)}, [1.0]),
        ({"last_checkin_on": ago(45)}, [1.5]),
        ({"last_checkin_on": ago(400)}, [2.0]),
        ({"customer_since": ago(45)}, [1.5]),
        ({}, [1.0]),  # never checked in, since unknown: not late
    ],
)
def test_what_each_reason_weighs(fields: dict[str, Any], expected: list[float]) -> None:
    c = customer(**fields)
    assert due_day(TODAY, POLICY).due(c, False)[1] == pytest.approx(expected)


def test_reasons_are_worded_gravest_first() -> None:
    c = customer(
        renewal_date=ahead(110), next_step="Call", next_step_due=ago(1), **concern(40, None, Change.REORG)
    )
    kinds = [r.kind for r in due_reasons(c, today=TODAY, policy=POLICY, is_key=False)]
    # follow-up 3 × 2, renewal 4 × 1.08, next step 2 × 1.03, contact 1 × 1.33
    assert kinds == [
        NudgeKind.FOLLOW_UP,
        NudgeKind.RENEWAL_UNCONFIRMED,
        NudgeKind.NEXT_STEP_DUE,
        NudgeKind.OVERDUE,
    ]


@pytest.mark.parametrize(
    ("days_late", "span", "expected"),
    [(-3, 30, 0.0), (0, 30, 0.0), (15, 30, 0.5), (30, 30, 1.0), (90, 30, 1.0), (1, 0, 1.0), (0, 0, 0.0)],
)
def test_lateness(days_late: int, span: int, expected: float) -> None:
    assert lateness(days_late, span) == expected


@pytest.mark.parametrize(
    ("arr", "total", "expected"),
    [
        (25.0, 100.0, 0.5),
        (100.0, 100.0, 1.0),
        (None, 100.0, 0.0),
        (0.0, 100.0, 0.0),
        (-5.0, 100.0, 0.0),
        (5.0, 0.0, 0.0),
    ],
)
def test_value_is_the_square_root_of_the_arr_share(arr: float | None, total: float, expected: float) -> None:
    assert value(arr, total) == expected


_amounts = st.floats(0, 1e12)


@given(_amounts, _amounts, st.floats(0, 50), st.floats(0, 50))
def test_more_arr_or_more_urgency_never_ranks_lower(a: float, b: float, u: float, v: float) -> None:
    total = 2e12
    (small, large), (less, more) = sorted((a, b)), sorted((u, v))
    assert priority(value(small, total), less) <= priority(value(large, total), more)
