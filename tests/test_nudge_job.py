"""The digest job against a Slack stand-in: when digests go out, and that each goes out once."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import select

import bot.nudge_job
import bot.slack_history
import storage.nudges
from bot.nudge_job import LEASE, Outcome
from bot.rules.digest import Skip
from bot.slack_history import find_posted
from storage.db import Database
from storage.enums import DigestStatus
from storage.models import Owner
from tests.nudge_helpers import (
    Clock,
    digests_posted,
    ledger,
    make_job,
    make_services,
    seed,
    statuses,
    stub_client,
)
from tests.slack_requests import TEAM_ID
from tests.slack_stub import Call, SlackStub, rate_limited


class Killed(BaseException):
    """Stands in for the process dying: nothing in the job catches it."""


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def team(db: Database, slack: SlackStub) -> Database:
    slack.add_user("U1", tz="Europe/London")
    slack.add_user("U2", tz="America/New_York")
    seed(db, "U1", ["Acme", "Globex"])
    seed(db, "U2", ["Initech"])
    return db


def test_each_owner_gets_one_digest_at_their_local_hour_and_never_again(
    team: Database, slack: SlackStub, clock: Clock
) -> None:
    services = make_services(team, slack, clock)
    report = make_job(services, slack)()
    # 09:30 in London: U1's digest; 04:30 in New York: not yet.
    assert [(d.plan.owner_user_id, d.outcome) for d in report.deliveries] == [("U1", Outcome.SENT)]
    (post,) = slack.calls_to("chat.postMessage")
    assert post.args["channel"] == "U1"
    assert post.args["metadata"]["event_type"] == "holdfast_digest"
    (row,) = ledger(team)
    assert post.args["metadata"]["event_payload"] == {"digest_id": row.id, "owner": "U1", "day": "2026-06-10"}
    assert (row.status, row.channel, row.local_day) == (DigestStatus.SENT, "DU1", clock.now.date())
    assert row.message_ts == slack.posted("DU1")[0]["ts"]
    assert "Acme" in post.args["text"]
    assert "Globex" in post.args["text"]

    # The same process, then a restarted one, later the same day: nothing again.
    clock.advance(minutes=5)
    make_job(services, slack)()
    make_job(make_services(team, slack, clock), slack)()
    assert len(slack.calls_to("chat.postMessage")) == 1

    # 09:00 in New York: U2's digest; U1's, sent already, is not planned again.
    clock.now = datetime(2026, 6, 10, 13, 0, tzinfo=UTC)
    report = make_job(services, slack)()
    assert [p.owner_user_id for p in report.plans] == ["U2"]
    assert [(d.plan.owner_user_id, d.outcome) for d in report.deliveries] == [("U2", Outcome.SENT)]
    assert digests_posted(slack) == {"U1": 1, "U2": 1}

    # A run by hand plans everyone, and the ledger still says no to a second digest.
    report = make_job(services, slack).run(force=True)
    assert [(d.plan.owner_user_id, d.outcome) for d in report.deliveries] == [
        ("U1", Outcome.ALREADY_SENT),
        ("U2", Outcome.ALREADY_SENT),
    ]
    assert digests_posted(slack) == {"U1": 1, "U2": 1}


def test_a_run_missed_while_down_catches_up_the_same_day_but_not_the_next(
    team: Database, slack: SlackStub, clock: Clock
) -> None:
    clock.now = datetime(2026, 6, 10, 22, 50, tzinfo=UTC)  # 23:50 in London: the bot was down all day
    services = make_services(team, slack, clock)
    make_job(services, slack)()
    assert digests_posted(slack) == {"U1": 1, "U2": 1}
    clock.now = datetime(2026, 6, 11, 7, 59, tzinfo=UTC)  # 08:59 Thursday in London
    make_job(services, slack)()
    assert digests_posted(slack) == {"U1": 1, "U2": 1}
    clock.now = datetime(2026, 6, 11, 8, 0, tzinfo=UTC)
    make_job(services, slack)()
    assert digests_posted(slack) == {"U1": 2, "U2": 1}
    assert [(r.owner_user_id, r.local_day.day) for r in ledger(team)] == [("U1", 10), ("U2", 10), ("U1", 11)]


def test_weekends_and_configured_hours_and_days(team: Database, slack: SlackStub, clock: Clock) -> None:
    clock.now = datetime(2026, 6, 13, 12, 0, tzinfo=UTC)  # Saturday
    make_job(make_services(team, slack, clock), slack)()
    assert slack.calls_to("chat.postMessage") == []
    services = make_services(team, slack, clock, digest_weekdays="sat", digest_hour=14)
    make_job(services, slack)()
    assert slack.calls_to("chat.postMessage") == []  # 13:00 in London
    clock.advance(hours=1)
    make_job(services, slack)()
    assert digests_posted(slack) == {"U1": 1}


def test_time_zones_come_from_slack_cached_and_refreshed_daily(
    team: Database, slack: SlackStub, clock: Clock
) -> None:
    services = make_services(team, slack, clock)
    make_job(services, slack)()
    clock.advance(hours=3)
    make_job(services, slack)()
    assert sorted(c.args["user"] for c in slack.calls_to("users.info")) == ["U1", "U2"]
    slack.add_user("U2", tz="Asia/Tokyo")
    clock.advance(hours=20)  # Thursday 07:30 UTC: 16:30 in Tokyo
    report = make_job(services, slack)()
    assert len(slack.calls_to("users.info")) == 4
    with team.session() as session:
        owner = session.get(Owner, 2)
        assert owner is not None
        assert owner.tz == "Asia/Tokyo"
    assert [d.plan.owner_user_id for d in report.deliveries] == ["U2"]


def test_deactivated_owners_are_skipped_and_logged(
    team: Database, slack: SlackStub, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    slack.add_user("U1", deleted=True)
    seed(team, "U9", ["Orphan"])  # not known to Slack at all
    clock.now = datetime(2026, 6, 10, 14, 0, tzinfo=UTC)
    with caplog.at_level(logging.WARNING, logger="holdfast.nudges"):
        report = make_job(make_services(team, slack, clock), slack)()
    assert digests_posted(slack) == {"U2": 1}
    assert sorted(o.user_id for o, _ in report.skipped) == ["U1", "U9"]
    assert "U1 is deactivated" in caplog.text
    assert "U9 is deactivated" in caplog.text


def test_paused_owners_and_snoozed_customers_get_nothing(
    team: Database, slack: SlackStub, clock: Clock
) -> None:
    services = make_services(team, slack, clock)
    make_job(services, slack).refresh_owners(clock.now)
    with team.transaction() as session:
        for row in session.exec(select(Owner)).all():
            row.paused_until = clock.now.date() + timedelta(days=1)
            session.add(row)
    clock.now = datetime(2026, 6, 10, 14, 0, tzinfo=UTC)
    make_job(services, slack)()
    assert slack.calls_to("chat.postMessage") == []


def test_a_429_waits_its_retry_after_then_sends_once(team: Database, slack: SlackStub, clock: Clock) -> None:
    answers = iter([rate_limited(1)])
    slack.on("chat.postMessage", lambda call: next(answers, None))
    report = make_job(make_services(team, slack, clock), slack)()
    first, second = slack.calls_to("chat.postMessage")
    assert second.at - first.at >= 1.0
    assert [d.outcome for d in report.deliveries] == [Outcome.SENT]
    assert digests_posted(slack) == {"U1": 1}
    assert statuses(team) == {"U1": DigestStatus.SENT}


def test_a_slack_error_is_recorded_and_retried_on_the_next_run(
    team: Database, slack: SlackStub, clock: Clock
) -> None:
    answers = iter([{"ok": False, "error": "fatal_error"}])
    slack.on("chat.postMessage", lambda call: next(answers, None))
    services = make_services(team, slack, clock)
    report = make_job(services, slack)()
    assert [(d.outcome, d.detail) for d in report.deliveries] == [(Outcome.FAILED, "fatal_error")]
    (row,) = ledger(team)
    assert (row.status, row.error, row.attempts) == (DigestStatus.FAILED, "fatal_error", 1)
    clock.advance(minutes=5)
    report = make_job(services, slack)()
    assert [d.outcome for d in report.deliveries] == [Outcome.SENT]
    (row,) = ledger(team)
    assert (row.status, row.error, row.attempts) == (DigestStatus.SENT, None, 2)
    assert len(slack.calls_to("conversations.history")) == 1  # checked before sending again
    assert digests_posted(slack) == {"U1": 1}


def test_a_scheduled_run_stops_retrying_after_max_attempts_but_a_forced_one_does_not(
    team: Database, slack: SlackStub, clock: Clock
) -> None:
    slack.on("chat.postMessage", lambda call: {"ok": False, "error": "fatal_error"})
    services = make_services(team, slack, clock)
    for _ in range(4):
        make_job(services, slack, max_attempts=3)()
    assert len(slack.calls_to("chat.postMessage")) == 3
    make_job(services, slack, max_attempts=3).run(force=True, owner="U1")
    assert len(slack.calls_to("chat.postMessage")) == 4


def test_a_runner_killed_after_slack_accepted_the_post_is_not_doubled_on_restart(
    team: Database, slack: SlackStub, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = make_services(team, slack, clock)

    def die(*args: Any, **kwargs: Any) -> None:
        raise Killed

    with monkeypatch.context() as patch:
        patch.setattr(bot.nudge_job, "mark_sent", die)
        with pytest.raises(Killed):
            make_job(services, slack, send_threads=1)()
    assert digests_posted(slack) == {"U1": 1}
    assert statuses(team) == {"U1": DigestStatus.CLAIMED}

    # Restarted within the lease: the claim might still be alive, so hands off (not even planned).
    clock.advance(minutes=5)
    report = make_job(services, slack)()
    assert (report.plans, report.deliveries) == ([], [])
    report = make_job(services, slack).run(force=True, owner="U1")
    assert [d.outcome for d in report.deliveries] == [Outcome.IN_PROGRESS]

    # After the lease: the earlier post is found in Slack and recorded, not sent again.
    clock.advance(seconds=LEASE.total_seconds())
    report = make_job(services, slack)()
    assert [d.outcome for d in report.deliveries] == [Outcome.FOUND]
    assert digests_posted(slack) == {"U1": 1}
    (row,) = ledger(team)
    assert (row.status, row.message_ts, row.attempts) == (DigestStatus.SENT, slack.posted("DU1")[0]["ts"], 2)


def test_a_runner_killed_between_claim_and_post_sends_on_restart(
    team: Database, slack: SlackStub, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = make_services(team, slack, clock)

    def die(*args: Any, **kwargs: Any) -> None:
        raise Killed

    with monkeypatch.context() as patch:
        patch.setattr(bot.nudge_job, "digest_message", die)
        with pytest.raises(Killed):
            make_job(services, slack)()
    assert statuses(team) == {"U1": DigestStatus.CLAIMED}
    assert slack.calls_to("chat.postMessage") == []
    clock.advance(seconds=LEASE.total_seconds() + 1)
    report = make_job(services, slack)()
    assert [d.outcome for d in report.deliveries] == [Outcome.SENT]
    assert digests_posted(slack) == {"U1": 1}


def test_when_slack_history_cannot_be_read_nothing_is_posted_blind(
    team: Database, slack: SlackStub, clock: Clock
) -> None:
    answers = iter([{"ok": False, "error": "fatal_error"}])
    slack.on("chat.postMessage", lambda call: next(answers, None))
    slack.on("conversations.history", lambda call: {"ok": False, "error": "missing_scope"})
    services = make_services(team, slack, clock)
    make_job(services, slack)()
    clock.advance(minutes=5)
    report = make_job(services, slack)()
    assert [(d.outcome, d.detail) for d in report.deliveries] == [(Outcome.FAILED, "missing_scope")]
    assert len(slack.calls_to("chat.postMessage")) == 1


def test_history_is_searched_across_pages(slack: SlackStub, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bot.slack_history, "HISTORY_PAGE_SIZE", 2)
    client = stub_client(slack)

    def post(**args: object) -> None:
        slack.answer_default(Call("chat.postMessage", {"channel": "U1", **args}, {}, "/api/chat.postMessage"))

    def find() -> str | None:
        return find_posted(client, "DU1", event_type="holdfast_digest", key="digest_id", value=77)

    for n in range(5):
        post(text=f"chatter {n}")
    assert find() is None
    post(metadata={"event_type": "holdfast_digest", "event_payload": {"digest_id": 77}})
    for n in range(3):
        post(text=f"later {n}")
    assert find() == slack.posted("DU1")[5]["ts"]  # on the third page of two


def test_dry_run_plans_from_storage_without_calling_slack_or_writing(
    team: Database, slack: SlackStub, clock: Clock
) -> None:
    report = make_job(make_services(team, slack, clock), slack).run(dry_run=True, force=True)
    assert [(p.owner_user_id, len(p.items)) for p in report.plans] == [("U1", 2), ("U2", 1)]
    assert slack.calls == []
    assert ledger(team) == []
    with team.session() as session:
        assert session.exec(select(Owner)).all() == []


def test_a_stopped_job_claims_nothing_more_and_the_next_run_sends(
    team: Database, slack: SlackStub, clock: Clock
) -> None:
    clock.now = datetime(2026, 6, 10, 13, 0, tzinfo=UTC)  # both owners due
    services = make_services(team, slack, clock)
    stopping = make_job(services, slack)
    stopping.stop()
    report = stopping()
    assert {d.outcome for d in report.deliveries} == {Outcome.STOPPED}
    assert ledger(team) == []
    assert slack.calls_to("chat.postMessage") == []
    make_job(services, slack)()
    assert digests_posted(slack) == {"U1": 1, "U2": 1}


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str | None, set[str] | None]]:
    """The customer reads planning makes: (workspace, owners; None: all of them)."""
    seen: list[tuple[str | None, set[str] | None]] = []
    real = storage.nudges.planning_customers

    def spy(**kwargs: Any) -> Any:
        owners = kwargs.get("owner_user_ids")
        seen.append((kwargs.get("team_id"), None if owners is None else set(owners)))
        return real(**kwargs)

    monkeypatch.setattr(bot.nudge_job, "planning_customers", spy)
    return seen


def test_a_run_with_nobody_due_reads_no_customers_and_sends_nothing(
    team: Database, slack: SlackStub, clock: Clock, reads: list[Any]
) -> None:
    services = make_services(team, slack, clock)
    clock.now = datetime(2026, 6, 10, 7, 0, tzinfo=UTC)  # 08:00 in London, 03:00 in New York
    report = make_job(services, slack)()
    assert (report.plans, report.deliveries, reads) == ([], [], [])
    assert sorted((o.user_id, why) for o, why in report.skipped) == [
        ("U1", Skip.NOT_YET),
        ("U2", Skip.NOT_YET),
    ]
    clock.now = datetime(2026, 6, 10, 13, 0, tzinfo=UTC)
    make_job(services, slack)()
    assert digests_posted(slack) == {"U1": 1, "U2": 1}
    reads.clear()
    clock.advance(minutes=5)  # both sent today: nobody is due until tomorrow
    report = make_job(services, slack)()
    assert (report.plans, report.deliveries, reads) == ([], [], [])
    assert len(slack.calls_to("chat.postMessage")) == 2


def test_owners_in_other_time_zones_get_theirs_at_their_own_time_and_only_theirs_are_read(
    team: Database, slack: SlackStub, clock: Clock, reads: list[Any]
) -> None:
    services = make_services(team, slack, clock)
    report = make_job(services, slack)()  # 09:30 in London, 04:30 in New York
    assert reads == [(TEAM_ID, {"U1"})]
    assert [sorted(i.customer.name for i in p.items) for p in report.plans] == [["Acme", "Globex"]]
    reads.clear()
    clock.now = datetime(2026, 6, 10, 13, 0, tzinfo=UTC)  # 09:00 in New York
    report = make_job(services, slack)()
    assert reads == [(TEAM_ID, {"U2"})]
    assert [(p.owner_user_id, [i.customer.name for i in p.items]) for p in report.plans] == [
        ("U2", ["Initech"])
    ]
    assert digests_posted(slack) == {"U1": 1, "U2": 1}


def test_key_accounts_are_ranked_over_the_whole_book_when_only_some_owners_are_due(
    db: Database, slack: SlackStub, clock: Clock
) -> None:
    slack.add_user("U1", tz="Europe/London")
    slack.add_user("U2", tz="America/New_York")
    for arr in (100.0, 200.0, 300.0, 400.0):
        seed(db, "U1", [f"Small {arr:.0f}"], arr=arr)
    seed(db, "U2", ["Big"], arr=10_000.0)  # the top 20% of five customers: only Big
    services = make_services(db, slack, clock)
    job = make_job(services, slack)
    job.refresh_owners(clock.now)  # their time zones
    (only_u1,) = job.run(dry_run=True).plans  # 09:30 in London: U1 alone is due
    everyone = {p.owner_user_id: p for p in job.run(dry_run=True, force=True).plans}
    assert [(i.customer.name, i.is_key) for i in only_u1.items] == [
        (i.customer.name, i.is_key) for i in everyone["U1"].items
    ]
    assert not any(i.is_key for i in only_u1.items)
    assert [i.is_key for i in everyone["U2"].items] == [True]
