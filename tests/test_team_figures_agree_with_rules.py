"""The team view's SQL and the pure rules, on the same random books, give the same answers: per
owner the customers, contacted and confirmed ARR (`bot.rules.coverage`) and the follow-ups due, the
renewal and untouched key-account lists (`DueDay`), and the trend's coverage as the rules see each
week's end from the check-ins up to it. On SQLite and PostgreSQL."""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import date, timedelta

import pytest
from sqlmodel import select

from bot.operations.team_view import TREND_WEEKS, TeamView, team_view
from bot.rules.coverage import coverage, is_confirmed, was_contacted
from bot.rules.key_accounts import key_account_ids
from bot.rules.nudges import NudgeKind, due_day
from bot.rules.policy import Policy
from bot.rules.vocabulary import Change, Verdict
from bot.services import Services
from bot.settings import Settings
from storage.checkins import apply_checkin
from storage.db import Database
from storage.models import CheckIn, Customer
from tests.factories import customer

TEAM = "T0001"
TODAY = date(2026, 6, 10)
OWNERS = ("U1", "U2", "U3")
SEEDS = range(4)
UNTOUCHED = frozenset({NudgeKind.OVERDUE, NudgeKind.NEVER_CHECKED_IN})


def _maybe(rng: random.Random, value: object, chance: float = 0.7) -> object:
    return value if rng.random() < chance else None


# A check-in as (day, verdict, changes at the customer).
Talk = tuple[date, Verdict, list[Change]]


def _talks(rng: random.Random) -> list[Talk]:
    """Up to six check-ins in the last 200 days, some on the same day, any verdict."""
    days = [rng.randint(0, 200) for _ in range(rng.randint(0, 6))]
    if days and rng.random() < 0.3:
        days.append(days[0])  # two conversations on one day
    return [
        (
            TODAY - timedelta(days=ago),
            rng.choice(list(Verdict)),
            [rng.choice(list(Change))] if rng.random() < 0.15 else [],
        )
        for ago in days
    ]


def _checkin(customer_id: int, talk: Talk) -> CheckIn:
    day, verdict, changes = talk
    return CheckIn(team_id=TEAM, customer_id=customer_id, occurred_on=day, verdict=verdict, changes=changes)


def _folded(row: Customer, talks: Iterable[Talk]) -> Customer:
    """`row` with its state folded from `talks` (in any order) by `apply_checkin`."""
    assert row.id is not None
    for talk in talks:
        apply_checkin(row, _checkin(row.id, talk))
    return row


def seed_random_book(db: Database, seed: int, size: int = 60) -> dict[int, list[Talk]]:
    """A random book in `TEAM` (its state folded from its check-ins by `apply_checkin`), with
    ties in ARR; each customer's check-ins by id."""
    rng = random.Random(seed)
    books: dict[int, list[Talk]] = {}
    with db.session() as session:
        for n in range(size):
            row = customer(
                f"Customer {seed}-{n}",
                team_id=TEAM,
                owner_user_id=rng.choice(OWNERS),
                arr=rng.choice([None, 0.0, 500.0, 1000.0, round(rng.uniform(1, 5000), 2)]),
                cadence_days=rng.choice([None, None, None, 0, 7, 21, 45]),
                customer_since=_maybe(rng, TODAY - timedelta(days=rng.randint(0, 900))),
                renewal_date=_maybe(rng, TODAY + timedelta(days=rng.randint(-20, 200))),
                active=rng.random() > 0.1,
                snoozed_until=_maybe(rng, TODAY + timedelta(days=rng.randint(-5, 10)), 0.15),
            )
            assert row.id is not None
            talks = _talks(rng)
            session.add(_folded(row, talks))
            session.flush()
            session.add_all(_checkin(row.id, talk) for talk in talks)
            books[row.id] = talks
        session.commit()
    return books


def _stored(db: Database) -> list[Customer]:
    with db.session() as session:
        rows = list(session.exec(select(Customer).where(Customer.team_id == TEAM)).all())
        session.expunge_all()
    return rows


def _view(db: Database, period: int) -> TeamView:
    return team_view(Services(Settings(_env_file=None), db), TEAM, today=TODAY, period_days=period)


def _policy() -> Policy:
    return Settings(_env_file=None).policy()


@pytest.mark.parametrize("period", [30, 90])
@pytest.mark.parametrize("seed", SEEDS)
def test_each_owner_line_is_what_the_coverage_rules_say_of_their_book(
    db: Database, seed: int, period: int
) -> None:
    seed_random_book(db, seed)
    book, policy = _stored(db), _policy()
    keys = key_account_ids(book, policy.key_account_share)
    day = due_day(TODAY, policy)
    lines = {line.owner_user_id: line for line in _view(db, period).owners}
    for owner in OWNERS:
        mine = [c for c in book if c.owner_user_id == owner and c.active]
        if not mine:
            assert owner not in lines
            continue
        line = lines[owner]
        rules = coverage(mine, today=TODAY, policy=policy, key_ids=keys)
        assert (line.customers, line.contacted) == (rules.customers, rules.contacted)
        assert line.arr == pytest.approx(rules.arr)
        confirmed = sum(c.arr or 0.0 for c in mine if is_confirmed(c, TODAY, period))
        assert line.confirmed_arr == pytest.approx(confirmed)
        if period == 90:  # the Home tab's own window
            assert line.confirmed_arr == pytest.approx(rules.confirmed_arr)
        contacted = [c for c in mine if was_contacted(c, today=TODAY, policy=policy, is_key=c.id in keys)]
        assert line.contacted == len(contacted)
        follow_ups = [c for c in mine if NudgeKind.FOLLOW_UP in day.standing(c, c.id in keys)]
        assert line.concerns_open == len(follow_ups)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_lists_are_the_customers_the_due_rules_name(db: Database, seed: int) -> None:
    seed_random_book(db, seed)
    book, policy = _stored(db), _policy()
    keys = key_account_ids(book, policy.key_account_share)
    day = due_day(TODAY, policy)
    active = [c for c in book if c.active]
    team = _view(db, 30)

    renewals = [c for c in active if NudgeKind.RENEWAL_UNCONFIRMED in day.standing(c, c.id in keys)]
    renewals.sort(key=lambda c: (c.renewal_date, c.arr is None, -(c.arr or 0.0), c.id))
    assert [line.customer_id for line in team.renewals_unconfirmed] == [c.id for c in renewals]
    assert [line.days for line in team.renewals_unconfirmed] == [
        (c.renewal_date - TODAY).days for c in renewals if c.renewal_date
    ]
    assert team.renewals_total == len(renewals)

    untouched = [c for c in active if c.id in keys and UNTOUCHED & set(day.standing(c, True))]
    untouched.sort(key=lambda c: (-(c.arr or 0.0), c.id))
    assert [line.customer_id for line in team.untouched_key_accounts] == [c.id for c in untouched]
    assert team.untouched_total == len(untouched)


@pytest.mark.parametrize("period", [30, 90])
@pytest.mark.parametrize("seed", SEEDS)
def test_the_trend_is_coverage_as_the_rules_saw_each_weeks_end(db: Database, seed: int, period: int) -> None:
    books = seed_random_book(db, seed)
    book, policy = _stored(db), _policy()
    keys = key_account_ids(book, policy.key_account_share)
    active = [c for c in book if c.active]
    team = _view(db, period)
    assert len(team.trend) == TREND_WEEKS
    arr = sum(c.arr or 0.0 for c in active)
    key_arr = sum(c.arr or 0.0 for c in active if c.id in keys)
    for point in team.trend:
        end = min(point.week + timedelta(days=6), TODAY)

        def then(row: Customer, end: date = end) -> Customer:
            """The customer as its check-ins up to `end` left it."""
            assert row.id is not None
            return _folded(customer(row.name), [t for t in books[row.id] if t[0] <= end])

        held = [c for c in active if is_confirmed(then(c), end, period)]
        assert point.share == pytest.approx(sum(c.arr or 0.0 for c in held) / arr)
        held_keys = sum(c.arr or 0.0 for c in held if c.id in keys)
        assert point.key_share == (pytest.approx(held_keys / key_arr) if key_arr else None)
    assert team.trend[-1].share == pytest.approx(team.coverage.share)
