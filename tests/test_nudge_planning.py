"""Planning's fast path (light rows, reasons worded only for the customers shown) plans exactly what
the rules plan from ORM customers: same digests, same order, same sentences, on each backend."""

from __future__ import annotations

import random
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import select

from bot.rules.digest import DayPlan, OwnerFacts, plan_day
from bot.rules.names import name_key
from bot.rules.nudges import SENTENCE_LIMIT, NudgeKind, describe, due_day, due_kinds, due_reasons
from bot.rules.policy import Policy
from bot.rules.vocabulary import Change, Expectation, Verdict
from storage.db import Database
from storage.models import Customer
from storage.nudges import CustomerRow, planning_customers
from tests.factories import customer

NOW = datetime(2026, 6, 10, 10, 0, tzinfo=UTC)
TODAY = NOW.date()
POLICY = Policy()
OWNERS = [f"U{n}" for n in range(8)]


def _random_customer(rng: random.Random, n: int) -> dict[str, Any]:
    """A customer with every planning field exercised: None, today, boundaries, repeats."""

    def day(lo: int, hi: int) -> date | None:
        return None if rng.random() < 0.15 else TODAY + timedelta(days=rng.randint(lo, hi))

    last = day(-120, 0)
    concern = rng.choice([None, last, day(-60, 0)])
    verdict = rng.choice([None, *Verdict])
    changes = rng.sample(list(Change), rng.randint(0, 2)) if rng.random() < 0.4 else []
    return {
        "team_id": rng.choice(["T1", "T1", "T2"]),
        "owner_user_id": rng.choice(OWNERS),
        "name": f"Customer {n} {rng.choice(['Ltd', 'inc', 'GmbH'])}",
        "arr": rng.choice([None, 0.0, 1000.0, 5000.0, round(rng.uniform(1, 10**6), 2)]),
        "active": rng.random() > 0.1,
        "cadence_days": rng.choice([None, None, None, 7, 45]),
        "customer_since": day(-400, 0),
        "renewal_date": day(-5, 150),
        "original_reason": rng.choice([None, "price", "audit trail", "  faster\n onboarding "]),
        "current_reason": rng.choice([None, None, "self-serve reporting", "price"]),
        "snoozed_until": rng.choice([None, None, None, day(-3, 3)]),
        "last_checkin_on": last,
        "last_verdict": verdict,
        "last_verdict_on": rng.choice([concern, day(-90, 0)]) if verdict else None,
        "reason_confirmed_on": day(-120, 0),
        "last_expectation": rng.choice([None, *Expectation]),
        "concern_on": concern,
        "last_changes": changes,
        "last_changes_on": rng.choice([concern, day(-90, 0)]) if changes else None,
        "next_step": rng.choice([None, "", "Send the renewal proposal", "x" * 200]),
        "next_step_due": rng.choice([None, last, day(-10, 5)]),
    }


def _seed_book(database: Database, count: int = 400, seed: int = 3) -> None:
    rng = random.Random(seed)
    with database.transaction() as session:
        for n in range(count):
            values = _random_customer(rng, n)
            session.add(Customer(name_key=name_key(values["name"]), **values))


def _plan(customers: Any, *, only_owner: str | None = None) -> DayPlan:
    owners = {
        ("T1", "U1"): OwnerFacts("T1", "U1", "Asia/Tokyo"),
        ("T1", "U2"): OwnerFacts("T1", "U2", paused_until=TODAY + timedelta(days=1)),
        ("T2", "U3"): OwnerFacts("T2", "U3", deactivated=True),
    }
    return plan_day(
        customers,
        owners,
        now=NOW,
        policy=POLICY,
        hour=9,
        weekdays=frozenset(range(5)),
        cap=3,
        force=True,
        only_owner=only_owner,
    )


def _shape(plan: DayPlan) -> list[object]:
    """Everything a digest shows, customers by id."""
    digests = [
        (
            p.team_id,
            p.owner_user_id,
            p.local_day,
            p.more,
            [(i.customer.id, i.is_key, i.reasons, i.question) for i in p.items],
        )
        for p in plan.plans
    ]
    return [*digests, *plan.skipped]


def test_planning_rows_hold_what_the_orm_reads(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("storage.nudges._CHUNK", 7)  # rows are read a chunk at a time
    _seed_book(db)
    with db.session() as session:
        rows = planning_customers(session=session)
        orm = {c.id: c for c in session.exec(select(Customer)).all()}
    assert len(rows) == sum(c.active for c in orm.values()) > 300
    for row in rows:
        expected = orm[row.id]
        for name in CustomerRow._fields:
            value, wanted = getattr(row, name), getattr(expected, name)
            assert value == (tuple(wanted) if name == "last_changes" else wanted), name
            assert type(value) is type(tuple(wanted) if name == "last_changes" else wanted), name


def test_fast_path_plans_exactly_what_orm_customers_plan(db: Database) -> None:
    _seed_book(db)
    with db.session() as session:
        rows = planning_customers(session=session)
        orm = list(session.exec(select(Customer)).all())
        fast, slow = _plan(rows), _plan(orm)
        assert _shape(fast) == _shape(slow)
        assert sum(p.more for p in fast.plans) > 0  # the cap bites: some due customers are not worded
        assert {r.kind for p in fast.plans for i in p.items for r in i.reasons} == set(NudgeKind)
        one = planning_customers(session=session, owner_user_ids=["U4"])
        assert _shape(_plan(one)) == _shape(_plan(orm, only_owner="U4"))


def test_no_active_customers_plan_nothing(db: Database) -> None:
    with db.session() as session:
        assert planning_customers(session=session) == []


_days = st.one_of(st.none(), st.integers(-200, 200).map(lambda n: TODAY + timedelta(days=n)))


@given(
    last=_days,
    since=_days,
    renewal=_days,
    confirmed=_days,
    concern=_days,
    verdict=st.sampled_from([None, *Verdict]),
    changes=st.lists(st.sampled_from(list(Change)), unique=True),
    step_due=_days,
    step=st.sampled_from([None, "", "Call back", "Send the " + "renewal proposal " * 30]),
    reason=st.sampled_from([None, "audit trail"]),
    cadence=st.sampled_from([None, 1, 30, 3650]),
    is_key=st.booleans(),
)
def test_every_kind_found_can_be_worded(
    last: date | None,
    since: date | None,
    renewal: date | None,
    confirmed: date | None,
    concern: date | None,
    verdict: Verdict | None,
    changes: list[Change],
    step_due: date | None,
    step: str | None,
    reason: str | None,
    cadence: int | None,
    is_key: bool,
) -> None:
    c = customer(
        last_checkin_on=last,
        customer_since=since,
        renewal_date=renewal,
        reason_confirmed_on=confirmed,
        concern_on=concern,
        last_verdict=verdict,
        last_verdict_on=concern,
        last_changes=changes,
        last_changes_on=concern if changes else None,
        next_step_due=step_due,
        next_step=step,
        original_reason=reason,
        cadence_days=cadence,
    )
    kinds, weights = due_day(TODAY, POLICY).due(c, is_key)
    assert kinds == due_kinds(c, today=TODAY, policy=POLICY, is_key=is_key)
    assert list(weights) == sorted(weights, reverse=True)  # the most urgent first
    assert all(w > 0 for w in weights)
    reasons = describe(kinds, c, today=TODAY, policy=POLICY, is_key=is_key)
    assert tuple(r.kind for r in reasons) == kinds
    assert all(r.sentence.endswith(".") and len(r.sentence) <= SENTENCE_LIMIT for r in reasons)
    assert "audit trail" not in " ".join(r.sentence for r in reasons)
    assert not re.search(r"\b0 days", " ".join(r.sentence for r in reasons))
    assert due_reasons(c, today=TODAY, policy=POLICY, is_key=is_key) == reasons
