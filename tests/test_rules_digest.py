"""Whose digest is due when, for which local day, with what: tables of cases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from bot.rules.digest import (
    OwnerFacts,
    Skip,
    SnoozePeriod,
    local_now,
    owner_is_paused,
    plan_day,
    snooze_until,
    tz_is_stale,
    window_open,
    zone,
)
from bot.rules.nudges import NudgeKind
from bot.rules.policy import Policy
from bot.rules.vocabulary import Change, Verdict
from tests.factories import customer

WEEKDAYS = frozenset({0, 1, 2, 3, 4})
POLICY = Policy()


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "tz", "expected"),
    [
        # Wednesday 10 June 2026
        (utc(2026, 6, 10, 7, 59), "Europe/London", False),  # 08:59 BST
        (utc(2026, 6, 10, 8, 0), "Europe/London", True),  # 09:00 BST
        (utc(2026, 6, 10, 22, 59), "Europe/London", True),  # 23:59: a missed run catches up the same day
        (utc(2026, 6, 10, 23, 0), "Europe/London", False),  # 00:00 Thursday: not yet
        (utc(2026, 6, 10, 12, 59), "America/New_York", False),  # 08:59 EDT
        (utc(2026, 6, 10, 13, 0), "America/New_York", True),
        (utc(2026, 6, 10, 21, 0), "Pacific/Auckland", True),  # 09:00 Thursday NZST
        (utc(2026, 6, 13, 9, 0), "UTC", False),  # Saturday
        (utc(2026, 6, 14, 9, 0), "UTC", False),  # Sunday
        # Daylight saving: 09:00 local stays 09:00 local on both sides of the change.
        (utc(2026, 3, 27, 8, 0), "Europe/Berlin", True),  # Fri before the change: 09:00 CET is 08:00 UTC
        (utc(2026, 3, 27, 7, 59), "Europe/Berlin", False),
        (utc(2026, 3, 30, 7, 0), "Europe/Berlin", True),  # Mon after: 09:00 CEST is 07:00 UTC
        (utc(2026, 3, 30, 6, 59), "Europe/Berlin", False),
        (utc(2026, 11, 2, 14, 0), "America/Los_Angeles", False),  # Mon after fall back: 06:00 PST
        (utc(2026, 11, 2, 17, 0), "America/Los_Angeles", True),  # 09:00 PST
        (utc(2026, 11, 2, 16, 59), "America/Los_Angeles", False),
        # An unknown zone is treated as UTC.
        (utc(2026, 6, 10, 9, 0), "Mars/Olympus", True),
        (utc(2026, 6, 10, 8, 59), "", False),
    ],
)
def test_window_opens_at_the_local_hour_on_weekdays(now: datetime, tz: str, expected: bool) -> None:
    assert window_open(local_now(now, tz), hour=9, weekdays=WEEKDAYS) is expected


@pytest.mark.parametrize(
    ("paused_until", "today", "expected"),
    [
        (None, date(2026, 6, 10), False),
        (date(2026, 6, 11), date(2026, 6, 10), True),
        (date(2026, 6, 10), date(2026, 6, 10), False),
        (date(2026, 6, 1), date(2026, 6, 10), False),
    ],
)
def test_owner_is_paused_until_the_day(paused_until: date | None, today: date, expected: bool) -> None:
    assert owner_is_paused(paused_until, today) is expected


@pytest.mark.parametrize(
    ("today", "period", "expected"),
    [
        (date(2026, 6, 10), SnoozePeriod.WEEK, date(2026, 6, 17)),
        (date(2026, 12, 29), SnoozePeriod.WEEK, date(2027, 1, 5)),
        (date(2026, 6, 10), SnoozePeriod.MONTH, date(2026, 7, 10)),
        (date(2026, 1, 31), SnoozePeriod.MONTH, date(2026, 2, 28)),
        (date(2028, 1, 31), SnoozePeriod.MONTH, date(2028, 2, 29)),
        (date(2026, 12, 15), SnoozePeriod.MONTH, date(2027, 1, 15)),
    ],
)
def test_snooze_lasts_a_week_or_a_calendar_month(today: date, period: SnoozePeriod, expected: date) -> None:
    assert snooze_until(today, period) == expected


@pytest.mark.parametrize(
    ("age", "expected"),
    [
        (None, True),
        (timedelta(hours=1), False),
        (timedelta(hours=19, minutes=59), False),
        (timedelta(hours=20), True),
    ],
)
def test_time_zone_is_refreshed_daily(age: timedelta | None, expected: bool) -> None:
    now = utc(2026, 6, 10, 9)
    refreshed = None if age is None else now - age
    assert tz_is_stale(refreshed, now, timedelta(hours=20)) is expected


def test_zone_falls_back_to_utc() -> None:
    assert zone(None).key == "UTC"
    assert zone("Europe/Paris").key == "Europe/Paris"


NOW = utc(2026, 6, 10, 9, 30)  # Wednesday; 09:30 in London is 10:30 BST
TODAY = date(2026, 6, 10)


def overdue(name: str, owner: str = "U1", **fields: Any) -> Any:
    values: dict[str, Any] = {"owner_user_id": owner, "last_checkin_on": TODAY - timedelta(days=45)}
    values.update(fields)
    return customer(name, **values)


def plan(customers: list[Any], owners: dict[tuple[str, str], OwnerFacts] | None = None, **kw: Any) -> Any:
    args: dict[str, Any] = {"now": NOW, "policy": POLICY, "hour": 9, "weekdays": WEEKDAYS, "cap": 10}
    args.update(kw)
    return plan_day(customers, owners or {}, **args)


def test_one_plan_per_owner_by_priority_with_the_rest_counted() -> None:
    book = [overdue(f"C{i:02}", arr=1000 * i) for i in range(13)]
    # Half C12's ARR, but a renewal near with the reason unconfirmed: it comes first.
    book.append(overdue("Renewing", arr=6000, renewal_date=TODAY + timedelta(days=30)))
    book.append(overdue("Quiet", last_checkin_on=TODAY - timedelta(days=2)))
    book.append(overdue("Other", owner="U2"))
    result = plan(book, cap=10)
    assert [(p.owner_user_id, p.total, p.more) for p in result.plans] == [("U1", 14, 4), ("U2", 1, 0)]
    first = result.plans[0]
    assert [i.customer.name for i in first.items][:3] == ["Renewing", "C12", "C11"]
    assert [r.kind for r in first.items[0].reasons] == [NudgeKind.RENEWAL_UNCONFIRMED, NudgeKind.OVERDUE]
    assert first.items[0].question == "Why did you choose us, and is that still what you need from us?"
    assert first.local_day == TODAY
    assert len(first.customer_ids) == 10


def test_a_large_account_at_risk_comes_before_a_small_renewal_with_its_own_question() -> None:
    ago = TODAY - timedelta(days=20)
    small = overdue("Small", arr=12_000, last_checkin_on=TODAY, renewal_date=TODAY + timedelta(days=30))
    big = overdue(
        "Big",
        arr=500_000,
        original_reason="audit trail",
        last_checkin_on=ago,
        concern_on=ago,
        last_verdict=Verdict.WEAKENED,
        last_verdict_on=ago,
        last_changes=[Change.CHAMPION_LEFT],
        last_changes_on=ago,
    )
    book = [
        small,
        big,
        *(overdue(f"Other{n}", owner="U2", arr=20_000, last_checkin_on=TODAY) for n in range(8)),
    ]
    (digest,) = plan(book).plans
    assert [(i.customer.name, i.is_key) for i in digest.items] == [("Big", True), ("Small", False)]
    assert [r.sentence for r in digest.items[0].reasons] == [
        "Champion left and reason weakened on 21 May; nobody has followed up.",
        "Last check-in 20 days ago (due every 14 days).",
    ]
    assert [i.question for i in digest.items] == [
        "With the new people involved, does your reason for choosing us still hold?",
        "Why did you choose us, and is that still what you need from us?",
    ]


def test_a_partial_book_is_ordered_as_the_whole_one() -> None:
    book = [
        overdue(f"C{n}", arr=1000.0 * (n % 5), renewal_date=TODAY + timedelta(days=10 * n)) for n in range(15)
    ]
    book += [overdue(f"D{n}", owner="U2", arr=10.0**6) for n in range(5)]
    whole = plan(book).plans[0]
    keys = {"T0001": {c.id for c in book if c.arr == 10.0**6}}
    part = plan([c for c in book if c.owner_user_id == "U1"], key_ids=keys).plans[0]
    assert [i.customer.name for i in part.items] == [i.customer.name for i in whole.items]


def test_key_accounts_are_counted_across_the_whole_workspace() -> None:
    # U2's big customer is the workspace's key account; U1's customers are not, whatever U1 holds.
    book = [overdue(f"Small{i}", arr=10, last_checkin_on=TODAY - timedelta(days=20)) for i in range(4)]
    book.append(overdue("Whale", owner="U2", arr=10**6, last_checkin_on=TODAY - timedelta(days=20)))
    result = plan(book)
    assert [(p.owner_user_id, [i.customer.name for i in p.items]) for p in result.plans] == [
        ("U2", ["Whale"])
    ]
    assert result.plans[0].items[0].is_key


@pytest.mark.parametrize(
    ("owner", "skip"),
    [
        (OwnerFacts("T0001", "U1", deactivated=True), Skip.DEACTIVATED),
        (OwnerFacts("T0001", "U1", paused_until=TODAY + timedelta(days=1)), Skip.PAUSED),
        (OwnerFacts("T0001", "U1", tz="America/Los_Angeles"), Skip.NOT_YET),  # 02:30 there
    ],
)
def test_deactivated_paused_and_early_owners_are_skipped(owner: OwnerFacts, skip: Skip) -> None:
    result = plan([overdue("Acme")], {("T0001", "U1"): owner})
    assert result.plans == []
    assert result.skipped == [(owner, skip)]


def test_paused_owner_until_today_is_back() -> None:
    owner = OwnerFacts("T0001", "U1", paused_until=TODAY)
    assert len(plan([overdue("Acme")], {("T0001", "U1"): owner}).plans) == 1


def test_force_ignores_the_hour_and_weekend_but_not_deactivation() -> None:
    saturday = utc(2026, 6, 13, 3)
    owners = {("T0001", "U2"): OwnerFacts("T0001", "U2", deactivated=True)}
    result = plan([overdue("Acme"), overdue("Gone", owner="U2")], owners, now=saturday, force=True)
    assert [(p.owner_user_id, p.local_day) for p in result.plans] == [("U1", date(2026, 6, 13))]
    assert [(o.user_id, s) for o, s in result.skipped] == [("U2", Skip.DEACTIVATED)]


def test_each_owner_gets_their_own_local_day() -> None:
    # 21:00 UTC on Wednesday is 09:00 Thursday in Auckland; in London it is still Wednesday.
    now = utc(2026, 6, 10, 21)
    owners = {
        ("T0001", "U1"): OwnerFacts("T0001", "U1", tz="Pacific/Auckland"),
        ("T0001", "U2"): OwnerFacts("T0001", "U2", tz="Europe/London"),
    }
    due_thursday = TODAY + timedelta(days=1) - timedelta(days=30)
    book = [
        overdue("Kiwi", last_checkin_on=due_thursday),
        overdue("Brit", owner="U2", last_checkin_on=due_thursday),
    ]
    result = plan(book, owners, now=now)
    assert [(p.owner_user_id, p.local_day) for p in result.plans] == [("U1", date(2026, 6, 11))]


def test_day_and_owner_options() -> None:
    book = [overdue("Acme"), overdue("Globex", owner="U2")]
    result = plan(book, day=date(2026, 7, 1), force=True, only_owner="U2")
    assert [(p.owner_user_id, p.local_day) for p in result.plans] == [("U2", date(2026, 7, 1))]


def test_snoozed_and_inactive_customers_and_owners_with_nothing_due_get_nothing() -> None:
    book = [
        overdue("Snoozed", snoozed_until=TODAY + timedelta(days=3)),
        overdue("Gone", active=False),
        overdue("Fine", owner="U2", last_checkin_on=TODAY),
    ]
    result = plan(book)
    assert result.plans == []
    assert result.skipped == []
