"""A small book for the team view, whose figures the tests work out by hand (`test_team_figures`)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from bot.rules.vocabulary import Verdict
from storage.db import Database
from storage.models import CheckIn, Owner
from tests.factories import customer

TEAM = "T0001"

# name: (fields, with dates as days from today: `since` ago, `renewal` / `snoozed` ahead;
#        check-ins as (days ago, verdict))
BOOK: dict[str, tuple[dict[str, Any], list[tuple[int, Verdict]]]] = {
    "Key Big": (
        {"owner_user_id": "U1", "arr": 1000, "since": 730, "original_reason_theme": "price"},
        [(20, Verdict.HOLDS)],
    ),
    "Own Cadence": (
        {"owner_user_id": "U1", "arr": 100, "cadence_days": 7, "original_reason_theme": "price"},
        [(12, Verdict.HOLDS), (5, Verdict.WEAKENED)],
    ),
    "Regular": (
        {"owner_user_id": "U1", "arr": 200, "since": 200, "renewal": 50},
        [(40, Verdict.HOLDS), (29, Verdict.NOT_ASKED)],
    ),
    "Renewal": (
        {
            "owner_user_id": "U2",
            "arr": 300,
            "since": 1100,
            "renewal": 10,
            "original_reason_theme": "price",
            "current_reason_theme": "integration",
        },
        [(30, Verdict.CHANGED)],
    ),
    "Snoozed": ({"owner_user_id": "U2", "snoozed": 5, "since": 400}, []),
    "Gone": (
        {"owner_user_id": "U1", "arr": 5000, "active": False, "original_reason_theme": "price"},
        [(1, Verdict.HOLDS)],
    ),
    "Orphan": (
        {"owner_user_id": "U3", "arr": 50, "original_reason_theme": "support"},
        [(3, Verdict.NOT_ASKED)],
    ),
    "Newcomer": ({"owner_user_id": "U2", "arr": 80, "since": 100}, []),
}


def fold(today: date, fields: dict[str, Any], checkins: list[tuple[int, Verdict]]) -> dict[str, Any]:
    """The customer's columns, with the state `apply_checkin` folds from its check-ins written out."""

    def ago(days: int) -> date:
        return today - timedelta(days=days)

    folded = dict(fields)
    for name, column, sign in (
        ("since", "customer_since", -1),
        ("renewal", "renewal_date", 1),
        ("snoozed", "snoozed_until", 1),
    ):
        if name in folded:
            folded[column] = today + timedelta(days=sign * folded.pop(name))
    if checkins:
        folded["last_checkin_on"] = ago(min(days for days, _ in checkins))
    verdicts = [(days, v) for days, v in checkins if v != Verdict.NOT_ASKED]
    if verdicts:
        days, verdict = min(verdicts)
        folded.update(last_verdict=verdict, last_verdict_on=ago(days))
        if verdict in (Verdict.WEAKENED, Verdict.CHANGED):
            folded["concern_on"] = ago(days)
    holds = [days for days, v in checkins if v == Verdict.HOLDS]
    if holds:
        folded["reason_confirmed_on"] = ago(min(holds))
    return folded


def seed_report_book(db: Database, today: date | None = None) -> dict[str, int]:
    """Store `BOOK` in workspace `TEAM` as of `today` (the real today by default), with owners U1,
    U2 (paused for 3 days) and U3 (deactivated), and a customer elsewhere; the customers' ids."""
    today = today or date.today()
    ids = {}
    with db.session() as session:
        session.add(Owner(team_id=TEAM, user_id="U1", paused_until=today))
        session.add(Owner(team_id=TEAM, user_id="U2", paused_until=today + timedelta(days=3)))
        session.add(Owner(team_id=TEAM, user_id="U3", deactivated=True))
        session.add(customer("Elsewhere", team_id="T0OTHER", arr=9999, reason_confirmed_on=today))
        for name, (fields, checkins) in BOOK.items():
            row = customer(name, team_id=TEAM, **fold(today, fields, checkins))
            session.add(row)
            session.flush()
            assert row.id is not None
            ids[name] = row.id
            for days, verdict in checkins:
                occurred = today - timedelta(days=days)
                session.add(CheckIn(team_id=TEAM, customer_id=row.id, occurred_on=occurred, verdict=verdict))
        session.commit()
    return ids
