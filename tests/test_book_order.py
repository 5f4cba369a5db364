"""One order for the book: `/customer`'s list (`my_book`) ranks the owner's customers as the digest does."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlmodel import select

from bot.operations.actor import Actor
from bot.operations.key_accounts import KeyCutoffs
from bot.operations.my_book import my_book
from bot.rules.digest import plan_owner
from bot.rules.key_accounts import key_account_ids
from bot.rules.nudges import NudgeKind, book_order
from bot.rules.policy import Policy
from bot.rules.vocabulary import Change, Verdict
from bot.services import Services
from bot.settings import Settings
from storage.db import Database
from storage.models import Customer
from tests.factories import customer

NOW = datetime(2026, 6, 10, 9, tzinfo=UTC)
TODAY = NOW.date()
TEAM = "T0001"


def ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def _book() -> list[Customer]:
    return [
        customer("Quiet", arr=900_000, last_checkin_on=ago(2)),
        customer("Snoozed", arr=800_000, last_checkin_on=ago(90), snoozed_until=TODAY + timedelta(days=3)),
        customer(
            "Small renewal", arr=12_000, last_checkin_on=ago(3), renewal_date=TODAY + timedelta(days=30)
        ),
        customer(
            "Big at risk",
            arr=500_000,
            last_checkin_on=ago(20),
            concern_on=ago(20),
            last_verdict=Verdict.WEAKENED,
            last_verdict_on=ago(20),
            last_changes=[Change.CHAMPION_LEFT],
            last_changes_on=ago(20),
        ),
        customer("Stale", arr=40_000, last_checkin_on=ago(45)),
        customer("No ARR", last_checkin_on=ago(60)),
        customer("Tiny, fine", arr=5, last_checkin_on=ago(1)),
        customer("Someone else's", owner_user_id="U9", arr=10**6, last_checkin_on=ago(90)),
    ]


EXPECTED = ["Big at risk", "Small renewal", "Stale", "No ARR", "Quiet", "Snoozed", "Tiny, fine"]


def test_the_due_come_by_priority_then_the_rest_by_arr() -> None:
    book = [c for c in _book() if c.owner_user_id == "U1"]
    order = book_order(book, today=TODAY, policy=Policy(), key_ids=set())
    assert [d.customer.name for d in order] == EXPECTED
    assert [bool(d.kinds) for d in order] == [True] * 4 + [False] * 3


def test_my_book_is_ordered_as_the_digest(db: Database) -> None:
    with db.transaction() as session:
        session.add_all(_book())
    services = Services(Settings(), db, lambda: NOW)
    book = my_book(services, KeyCutoffs(services, spawn=lambda work: work()), Actor(TEAM, "U1"))

    assert [c.name for c, _ in book.rows] == EXPECTED
    assert [r.kind for r in book.rows[0][1]] == [NudgeKind.FOLLOW_UP]

    with db.session() as session:
        everyone = list(session.exec(select(Customer)).all())
    mine = [c for c in everyone if c.owner_user_id == "U1"]
    policy = Policy()
    digest = plan_owner(
        mine,
        team_id=TEAM,
        owner_user_id="U1",
        today=TODAY,
        policy=policy,
        key_ids=key_account_ids(everyone, policy.key_account_share),
        cap=10,
    )
    assert digest is not None
    assert [i.customer.name for i in digest.items] == EXPECTED[:4]
    assert [i.reasons for i in digest.items] == [reasons for _, reasons in book.rows[:4]]
