"""A gentle start: customers due only because never checked in are spread over the coming days,
largest first, a few a day per owner, beside everyone truly due."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from bot.rules.digest import DigestPlan, plan_day, plan_owner
from bot.rules.nudges import NudgeKind, spread_new
from bot.rules.policy import Policy
from tests.factories import customer
from tests.test_rules_digest import NOW, WEEKDAYS

TODAY = date(2026, 6, 10)
POLICY = Policy()
IMPORTED = TODAY - timedelta(days=700)  # customer-since, as an import's CSV gives it


def imported(count: int, owner: str = "U1", **fields: Any) -> list[Any]:
    """A fresh import: `count` customers never checked in, "New 00" the smallest."""
    values: dict[str, Any] = {"owner_user_id": owner, "customer_since": IMPORTED}
    values.update(fields)
    return [customer(f"New {n:02}", arr=1000.0 * (n + 1), **values) for n in range(count)]


def truly_due() -> list[Any]:
    """Customers due for more than never having been checked in: never held back."""
    return [
        customer("Overdue", arr=10.0, last_checkin_on=TODAY - timedelta(days=45)),
        customer("Renewing", arr=20.0, customer_since=IMPORTED, renewal_date=TODAY + timedelta(days=30)),
        customer("Step", arr=30.0, customer_since=IMPORTED, next_step="Call back", next_step_due=TODAY),
    ]


def digest(book: list[Any], today: date = TODAY, policy: Policy = POLICY, cap: int = 15) -> DigestPlan:
    plan = plan_owner(
        book, team_id="T0001", owner_user_id="U1", today=today, policy=policy, key_ids=set(), cap=cap
    )
    assert plan is not None
    return plan


def new_asks(plan: DigestPlan) -> list[str]:
    return [
        i.customer.name for i in plan.items if [r.kind for r in i.reasons] == [NudgeKind.NEVER_CHECKED_IN]
    ]


def others(plan: DigestPlan) -> set[str]:
    return {i.customer.name for i in plan.items} - set(new_asks(plan))


def test_a_fresh_import_of_40_gives_3_asks_largest_first_plus_the_truly_due() -> None:
    plan = digest([*imported(40), *truly_due()])
    assert new_asks(plan) == ["New 39", "New 38", "New 37"]
    assert others(plan) == {"Overdue", "Renewing", "Step"}
    assert (plan.total, plan.more, plan.queued) == (6, 0, 37)


@pytest.mark.parametrize(
    ("new", "daily_cap", "asked", "queued"),
    [
        (0, 3, 0, 0),
        (1, 3, 1, 0),
        (3, 3, 3, 0),
        (4, 3, 3, 1),
        (40, 3, 3, 37),
        (40, 1, 1, 39),
        (40, 10, 10, 30),
        (5, 10, 5, 0),
    ],
)
def test_at_most_the_daily_cap_of_new_customers_are_asked_and_the_rest_counted(
    new: int, daily_cap: int, asked: int, queued: int
) -> None:
    plan = digest([*imported(new), *truly_due()], policy=Policy(new_customer_daily_cap=daily_cap))
    assert len(new_asks(plan)) == asked
    assert len(others(plan)) == 3
    assert (plan.total, plan.queued) == (3 + asked, queued)


@pytest.mark.parametrize(
    ("fields", "kinds"),
    [
        (
            {"renewal_date": TODAY + timedelta(days=30)},
            [NudgeKind.RENEWAL_UNCONFIRMED, NudgeKind.NEVER_CHECKED_IN],
        ),
        (
            {"next_step": "Call back", "next_step_due": TODAY},
            [NudgeKind.NEXT_STEP_DUE, NudgeKind.NEVER_CHECKED_IN],
        ),
    ],
)
def test_a_new_customer_with_another_reason_is_truly_due_and_not_capped(
    fields: dict[str, Any], kinds: list[NudgeKind]
) -> None:
    book = imported(10, **fields)
    plan = digest(book)
    assert (len(plan.items), plan.queued) == (10, 0)
    assert all([r.kind for r in item.reasons] == kinds for item in plan.items)


def test_only_new_customers_that_are_due_are_queued() -> None:
    # Customers for less than a cadence are not due yet, so not queued either; resting ones never are.
    recent = imported(5, customer_since=TODAY - timedelta(days=10))
    snoozed = imported(5, snoozed_until=TODAY + timedelta(days=3))
    plan = digest([*imported(4), *recent, *snoozed])
    assert (len(new_asks(plan)), plan.queued) == (3, 1)


def test_the_queue_moves_as_the_owner_checks_in_until_the_whole_import_is_met() -> None:
    book = [*imported(40), *truly_due()]
    day, met, queued = TODAY, [], []
    while (plan := digest(book, today=day)).queued or new_asks(plan):
        asked = new_asks(plan)
        assert len(asked) <= 3
        remaining = sorted(
            (c for c in book if c.last_checkin_on is None and c.name.startswith("New")), key=lambda c: -c.arr
        )
        assert asked == [c.name for c in remaining[:3]]  # largest first, every day
        queued.append(plan.queued)
        for c in book:
            if c.name in asked:
                c.last_checkin_on = day
        met.extend(asked)
        day += timedelta(days=1)
    assert sorted(met) == sorted(c.name for c in imported(40))
    assert queued == [37, 34, 31, 28, 25, 22, 19, 16, 13, 10, 7, 4, 1, 0]


def test_an_ignored_ask_stays_and_a_snoozed_one_makes_room_for_the_next() -> None:
    book = imported(10)
    first = digest(book)
    assert new_asks(digest(book, today=TODAY + timedelta(days=1))) == new_asks(first)  # ignored: the same
    snoozed = next(c for c in book if c.name == "New 09")
    snoozed.snoozed_until = TODAY + timedelta(days=7)
    later = digest(book, today=TODAY + timedelta(days=1))
    assert (new_asks(later), later.queued) == (["New 08", "New 07", "New 06"], 6)


def test_the_digest_cap_still_holds_and_new_customers_compete_on_priority() -> None:
    # 12 truly due, then 3 new ones asked: 10 shown, 5 more due today, 37 queued.
    book = [
        *imported(40),
        *(customer(f"Old {n}", arr=5.0, last_checkin_on=TODAY - timedelta(days=45)) for n in range(12)),
    ]
    plan = digest(book, cap=10)
    assert new_asks(plan) == ["New 39", "New 38", "New 37"]
    assert (len(plan.items), plan.more, plan.queued) == (10, 5, 37)


def test_each_owner_has_their_own_cap() -> None:
    book = [*imported(10, owner="U1"), *imported(2, owner="U2")]
    args: dict[str, Any] = {"now": NOW, "policy": POLICY, "hour": 9, "weekdays": WEEKDAYS, "cap": 10}
    result = plan_day(book, {}, **args)
    assert [(p.owner_user_id, len(p.items), p.queued) for p in result.plans] == [("U1", 3, 7), ("U2", 2, 0)]


def ranked(kinds: list[tuple[NudgeKind, ...]]) -> list[Any]:
    """Entries shaped like `Ranked` (sort key first, kinds last), in priority order."""
    return [(float(-n), 0.0, 0.0, "", n, f"C{n}", k) for n, k in enumerate(kinds)][::-1]


NEW = (NudgeKind.NEVER_CHECKED_IN,)
RENEWAL = (NudgeKind.RENEWAL_UNCONFIRMED, NudgeKind.NEVER_CHECKED_IN)


@pytest.mark.parametrize(
    ("kinds", "cap", "asked", "queued"),
    [
        ([NEW, NEW, NEW], 3, ["C2", "C1", "C0"], 0),
        ([NEW, NEW, NEW, NEW], 2, ["C3", "C2"], 2),
        ([RENEWAL, NEW, NEW, RENEWAL], 1, ["C3", "C2", "C0"], 1),
        ([(NudgeKind.OVERDUE,), NEW], 1, ["C1", "C0"], 0),
    ],
)
def test_spread_new_keeps_the_truly_due_and_the_first_new_ones(
    kinds: list[tuple[NudgeKind, ...]], cap: int, asked: list[str], queued: int
) -> None:
    kept, held = spread_new(ranked(kinds), cap)
    assert ([entry[5] for entry in sorted(kept)], held) == (asked, queued)
