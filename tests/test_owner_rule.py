"""The one owner rule in the digest job: an owner who may no longer use Holdfast gets no digest."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.nudge_job import Outcome, Refused
from bot.rules.access import Denial
from storage.db import Database
from tests.nudge_helpers import Clock, digests_posted, ledger, make_job, make_services, seed
from tests.slack_stub import SlackStub

BOTH_DUE = datetime(2026, 6, 10, 13, 0, tzinfo=UTC)  # 14:00 in London, 09:00 in New York
NEXT_DAY = datetime(2026, 6, 11, 13, 0, tzinfo=UTC)


@pytest.fixture
def team(db: Database, slack: SlackStub) -> Database:
    slack.add_user("U1", tz="Europe/London")
    slack.add_user("U2", tz="America/New_York")
    seed(db, "U1", ["Acme", "Globex"])
    seed(db, "U2", ["Initech"])
    return db


@pytest.mark.parametrize(
    ("user", "settings", "denial"),
    [
        pytest.param({"is_restricted": True}, {}, Denial.GUEST, id="guest"),
        pytest.param({"is_stranger": True}, {}, Denial.EXTERNAL, id="slack-connect"),
        pytest.param({"team_id": "T0OTHER"}, {}, Denial.EXTERNAL, id="other-organisation"),
        pytest.param({}, {"access_usergroup_id": "S1"}, Denial.OUTSIDE, id="outside-access-group"),
    ],
)
def test_an_owner_who_can_no_longer_use_holdfast_gets_nothing_and_is_reported(
    team: Database,
    slack: SlackStub,
    caplog: pytest.LogCaptureFixture,
    user: dict[str, Any],
    settings: dict[str, Any],
    denial: Denial,
) -> None:
    slack.on("usergroups.users.list", lambda call: {"ok": True, "users": ["U2"]})
    clock = Clock(BOTH_DUE)
    make_job(make_services(team, slack, clock), slack)()
    assert digests_posted(slack) == {"U1": 1, "U2": 1}

    # Between runs U1 changes in Slack (or the access settings leave them out).
    slack.add_user("U1", tz="Europe/London", **user)
    clock.now = NEXT_DAY
    with caplog.at_level(logging.WARNING, logger="holdfast.nudges"):
        report = make_job(make_services(team, slack, clock, **settings), slack)()

    assert report.refused == [Refused("T0001", "U1", denial, 2)]
    assert [(d.plan.owner_user_id, d.outcome) for d in report.deliveries] == [("U2", Outcome.SENT)]
    assert digests_posted(slack) == {"U1": 1, "U2": 2}
    assert sorted((row.owner_user_id, row.local_day.day) for row in ledger(team)) == [
        ("U1", 10),
        ("U2", 10),
        ("U2", 11),
    ]
    assert (
        f"owner U1 cannot use Holdfast ({denial}): no digest sent; 2 customers need a new owner"
        in caplog.text
    )


def test_only_owners_in_access_user_ids_get_digests(db: Database, slack: SlackStub) -> None:
    slack.add_user("UANA", tz="UTC")
    slack.add_user("UBEN", tz="UTC")
    seed(db, "UANA", ["Acme"])
    seed(db, "UBEN", ["Globex", "Initech"])
    services = make_services(db, slack, Clock(BOTH_DUE), access_user_ids="UANA")
    report = make_job(services, slack)()
    assert report.refused == [Refused("T0001", "UBEN", Denial.OUTSIDE, 2)]
    assert digests_posted(slack) == {"UANA": 1}


def test_each_owner_is_asked_of_slack_before_the_send_even_with_a_fresh_time_zone(
    team: Database, slack: SlackStub
) -> None:
    clock = Clock(BOTH_DUE)
    services = make_services(team, slack, clock)
    make_job(services, slack).refresh_owners(clock.now)  # time zones fresh for the day
    slack.clear()
    slack.add_user("U2", tz="America/New_York", is_restricted=True)
    report = make_job(services, slack)()
    assert sorted(call.args["user"] for call in slack.calls_to("users.info")) == ["U1", "U2"]
    assert [r.user_id for r in report.refused] == ["U2"]
    assert digests_posted(slack) == {"U1": 1}


def test_when_slack_cannot_say_nothing_is_sent_and_the_next_run_tries_again(
    team: Database, slack: SlackStub
) -> None:
    slack.on(
        "users.info",
        lambda call: {"ok": False, "error": "internal_error"} if call.args["user"] == "U1" else None,
    )
    clock = Clock(BOTH_DUE)
    services = make_services(team, slack, clock)
    report = make_job(services, slack)()
    (failed,) = [d for d in report.deliveries if d.plan.owner_user_id == "U1"]
    assert failed.outcome == Outcome.FAILED
    assert failed.detail == "not sent: could not check the owner (Slack refused users.info (internal_error))"
    assert report.refused == []
    assert digests_posted(slack) == {"U2": 1}
    assert [row.owner_user_id for row in ledger(team)] == ["U2"]  # nothing claimed for U1

    slack.on("users.info", lambda call: None)
    make_job(services, slack)()
    assert digests_posted(slack) == {"U1": 1, "U2": 1}
