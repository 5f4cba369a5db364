"""An owner hears, in one batched DM, what colleagues did on their customers: against the Slack stand-in."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import col, select

import bot.notice_job
from bot.notice_job import BATCH_WINDOW, LEASE, NoticeJob, Outcome
from bot.operations.actor import Actor
from bot.operations.log_checkin import Logged, log_answer, log_checkin, log_typed
from bot.operations.record_verdict import record_verdict
from bot.rules.forms import CheckinDraft
from bot.rules.vocabulary import Change, Verdict
from bot.scheduler import NOTICE_JOB_ID, start_digests
from bot.services import Services
from storage.db import Database
from storage.models import NoticeKind, NoticeStatus, OwnerNotice
from tests.live_app import NOW, LiveApp, reply
from tests.nudge_helpers import Clock, make_services, seed, stub_client
from tests.slack_requests import TEAM_ID, block_action
from tests.slack_stub import SlackStub


class Killed(BaseException):
    """Stands in for the process dying: nothing in the job catches it."""


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def book(db: Database, slack: SlackStub) -> dict[str, int]:
    for user in ("U1", "U2", "U3"):
        slack.add_user(user)
    acme, globex = seed(db, "U1", ["Acme & <Co>", "Globex"])
    (initech,) = seed(db, "U3", ["Initech"])
    return {"acme": acme, "globex": globex, "initech": initech}


@pytest.fixture
def services(db: Database, slack: SlackStub, clock: Clock) -> Services:
    return make_services(db, slack, clock)


def job(services: Services, slack: SlackStub, **kw: Any) -> NoticeJob:
    return NoticeJob(services, stub_client(slack), **kw)


def typed(
    services: Services, user: str, customer_id: int, note: str, verdict: Verdict | None = None
) -> Logged:
    logged = log_typed(
        services,
        Actor(TEAM_ID, user),
        customer_id=customer_id,
        note=note,
        verdict=verdict,
        typed_on=services.clock().date(),
        key=uuid.uuid4().hex,
    )
    assert isinstance(logged, Logged)
    return logged


def notices(database: Database) -> list[OwnerNotice]:
    with database.session() as session:
        return list(session.exec(select(OwnerNotice).order_by(col(OwnerNotice.id))).all())


def dms(slack: SlackStub, owner: str = "U1") -> list[dict[str, Any]]:
    """The notice DMs Slack accepted for `owner`."""
    return [
        m
        for m in slack.posted(SlackStub.dm_channel(owner))
        if (m.get("metadata") or {}).get("event_type") == "holdfast_owner_notices"
    ]


def lines(message: dict[str, Any]) -> list[str]:
    return [block["text"]["text"] for block in message["blocks"] if block["type"] == "section"]


def hints(message: dict[str, Any]) -> list[str]:
    return [block["elements"][0]["text"] for block in message["blocks"] if block["type"] == "context"]


def test_a_colleagues_checkin_reaches_the_owner_after_the_window_escaped(
    book: dict[str, int], services: Services, slack: SlackStub, clock: Clock, db: Database
) -> None:
    typed(services, "U2", book["acme"], "Spoke with <!channel> & <@U9> about the renewal", Verdict.HOLDS)
    (notice,) = notices(db)
    assert (notice.owner_user_id, notice.actor_user_id, notice.kind, notice.status) == (
        "U1",
        "U2",
        NoticeKind.CHECKIN,
        NoticeStatus.PENDING,
    )

    assert job(services, slack)().deliveries == []  # too fresh: more may follow
    clock.advance(seconds=BATCH_WINDOW.total_seconds() - 1)
    assert job(services, slack)().deliveries == []
    assert slack.calls_to("chat.postMessage") == []

    clock.advance(seconds=1)
    report = job(services, slack)()
    assert [(d.owner_user_id, d.outcome) for d in report.deliveries] == [("U1", Outcome.SENT)]
    (post,) = slack.calls_to("chat.postMessage")
    assert post.args["channel"] == "U1"
    (message,) = dms(slack)
    assert lines(message) == [
        "<@U2> on *Acme &amp; &lt;Co&gt;*: logged a check-in (reason holds)\n"
        ">Spoke with &lt;!channel&gt; &amp; &lt;@U9&gt; about the renewal"
    ]
    assert hints(message) == ["See the card: `/customer Acme &amp; &lt;Co&gt;`"]
    assert message["text"] == "<@U2> on Acme &amp; &lt;Co&gt;: logged a check-in (reason holds)"
    sent = json.dumps(post.args)
    assert "<!channel>" not in sent
    assert "<@U9>" not in sent
    (notice,) = notices(db)
    assert (notice.status, notice.message_ts, notice.sent_at) == (NoticeStatus.SENT, message["ts"], clock.now)

    clock.advance(minutes=5)
    assert job(services, slack)().deliveries == []
    assert len(dms(slack)) == 1


def test_events_within_the_window_make_one_dm(
    book: dict[str, int], services: Services, slack: SlackStub, clock: Clock, db: Database
) -> None:
    draft = CheckinDraft(
        customer_id=book["acme"],
        occurred_on=clock.now.date(),
        note="Their champion moved on " + "and more " * 40,
        verdict=Verdict.WEAKENED,
        changes=(Change.CHAMPION_LEFT,),
    )
    assert isinstance(log_checkin(services, Actor(TEAM_ID, "U2"), draft, key="k1"), Logged)
    clock.advance(minutes=1)
    answer = log_answer(
        services,
        Actor(TEAM_ID, "U3"),
        customer_id=book["globex"],
        verdict=Verdict.CHANGED,
        new_reason="Cost savings",
        key="k2",
    )
    assert isinstance(answer, Logged)
    typed(services, "U2", book["initech"], "For U3, not U1")

    clock.advance(seconds=BATCH_WINDOW.total_seconds() - 60)
    report = job(services, slack)()
    # U1's oldest notice is due, so both go; U3's, a minute old, waits.
    assert [(d.owner_user_id, d.outcome) for d in report.deliveries] == [("U1", Outcome.SENT)]
    (message,) = dms(slack)
    first, second = lines(message)
    assert first.startswith(
        "<@U2> on *Acme &amp; &lt;Co&gt;*: recorded that the reason weakened; "
        "reported a change at the customer: champion left\n>Their champion moved on and more"
    )
    assert len(first.split("\n>")[1]) <= 200  # the note shortened
    assert first.endswith("…")
    assert second == "<@U3> on *Globex*: recorded that the reason changed: their reason is now 'Cost savings'"
    assert hints(message) == ["See a card: `/customer &lt;name&gt;`"]
    assert message["text"] == "2 updates from colleagues on your customers"
    assert {n.owner_user_id: n.status for n in notices(db)} == {
        "U1": NoticeStatus.SENT,
        "U3": NoticeStatus.PENDING,
    }

    clock.advance(minutes=1)
    report = job(services, slack)()
    assert [(d.owner_user_id, d.outcome) for d in report.deliveries] == [("U3", Outcome.SENT)]
    assert len(dms(slack, "U3")) == 1
    assert len(dms(slack)) == 1


def test_the_owners_own_checkins_tell_nobody(
    book: dict[str, int], services: Services, slack: SlackStub, clock: Clock, db: Database
) -> None:
    logged = typed(services, "U1", book["acme"], "My own call")
    assert logged.checkin.id is not None
    record_verdict(services, Actor(TEAM_ID, "U1"), logged.checkin.id, Verdict.WEAKENED)
    answer = log_answer(
        services, Actor(TEAM_ID, "U1"), customer_id=book["globex"], verdict=Verdict.HOLDS, key="k"
    )
    assert isinstance(answer, Logged)
    clock.advance(minutes=10)
    assert job(services, slack)().deliveries == []
    assert notices(db) == []
    assert slack.calls_to("chat.postMessage") == []


def test_a_retried_request_adds_no_second_notice(
    book: dict[str, int], services: Services, db: Database
) -> None:
    for _ in range(2):
        log_answer(
            services, Actor(TEAM_ID, "U2"), customer_id=book["acme"], verdict=Verdict.HOLDS, key="same"
        )
    assert len(notices(db)) == 1


def test_a_colleagues_verdict_joins_their_waiting_checkin_and_later_ones_follow(
    book: dict[str, int], services: Services, slack: SlackStub, clock: Clock, db: Database
) -> None:
    colleague = Actor(TEAM_ID, "U2")
    logged = typed(services, "U2", book["acme"], "Budget talk")
    checkin_id = logged.checkin.id
    assert checkin_id is not None
    record_verdict(services, colleague, checkin_id, Verdict.WEAKENED)
    record_verdict(services, colleague, checkin_id, Verdict.WEAKENED)  # a double tap
    (notice,) = notices(db)
    assert (notice.kind, notice.verdict) == (NoticeKind.CHECKIN, Verdict.WEAKENED)

    clock.advance(seconds=BATCH_WINDOW.total_seconds())
    job(services, slack)()
    (message,) = dms(slack)
    assert lines(message) == [
        "<@U2> on *Acme &amp; &lt;Co&gt;*: recorded that the reason weakened\n>Budget talk"
    ]

    # After the DM: that the reason holds after all is not news; that it changed is.
    record_verdict(services, colleague, checkin_id, Verdict.HOLDS)
    assert len(notices(db)) == 1
    record_verdict(services, colleague, checkin_id, Verdict.CHANGED, "Cost savings")
    later = notices(db)[-1]
    assert (later.kind, later.verdict, later.new_reason, later.note) == (
        NoticeKind.VERDICT,
        Verdict.CHANGED,
        "Cost savings",
        "",
    )
    clock.advance(seconds=BATCH_WINDOW.total_seconds())
    job(services, slack)()
    assert [lines(m) for m in dms(slack)][1] == [
        "<@U2> on *Acme &amp; &lt;Co&gt;*: recorded that the reason changed: "
        "their reason is now 'Cost savings'"
    ]


def test_a_second_process_sends_nothing_twice(
    book: dict[str, int], services: Services, slack: SlackStub, clock: Clock, db: Database
) -> None:
    typed(services, "U2", book["acme"], "one")
    typed(services, "U3", book["globex"], "two")
    clock.advance(seconds=BATCH_WINDOW.total_seconds())
    runners = [job(make_services(db, slack, clock), slack, runner=f"host:{n}") for n in range(4)]
    start = threading.Barrier(len(runners))
    outcomes: list[Outcome] = []

    def run(runner: NoticeJob) -> None:
        start.wait()
        outcomes.extend(d.outcome for d in runner().deliveries)

    threads = [threading.Thread(target=run, args=(runner,)) for runner in runners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count(Outcome.SENT) == 1
    assert set(outcomes) <= {Outcome.SENT, Outcome.TAKEN}
    (message,) = dms(slack)
    assert len(lines(message)) == 2
    assert {n.status for n in notices(db)} == {NoticeStatus.SENT}


def test_a_runner_killed_after_slack_took_the_dm_is_not_doubled_on_restart(
    book: dict[str, int],
    services: Services,
    slack: SlackStub,
    clock: Clock,
    db: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    typed(services, "U2", book["acme"], "one")
    clock.advance(seconds=BATCH_WINDOW.total_seconds())

    def die(*args: Any, **kwargs: Any) -> None:
        raise Killed

    with monkeypatch.context() as patch:
        patch.setattr(bot.notice_job, "mark_sent", die)
        with pytest.raises(Killed):
            job(services, slack)()
    assert len(dms(slack)) == 1
    assert [n.status for n in notices(db)] == [NoticeStatus.CLAIMED]

    # A restart within the lease leaves the claim alone; a notice logged meanwhile waits with it.
    clock.advance(minutes=5)
    typed(services, "U3", book["globex"], "two")
    clock.advance(seconds=BATCH_WINDOW.total_seconds())
    report = job(services, slack)()
    assert [d.outcome for d in report.deliveries] == [Outcome.SENT]  # only "two"
    assert [lines(m)[0].split("\n")[0] for m in dms(slack)][1] == "<@U3> on *Globex*: logged a check-in"

    # After the lease the first DM is found in Slack and recorded, not sent again.
    clock.advance(seconds=LEASE.total_seconds())
    report = job(services, slack)()
    assert [d.outcome for d in report.deliveries] == [Outcome.FOUND]
    assert len(dms(slack)) == 2
    first = notices(db)[0]
    assert (first.status, first.message_ts, first.attempts) == (NoticeStatus.SENT, dms(slack)[0]["ts"], 2)


def test_a_runner_killed_before_posting_sends_after_the_lease(
    book: dict[str, int],
    services: Services,
    slack: SlackStub,
    clock: Clock,
    db: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    typed(services, "U2", book["acme"], "one")
    clock.advance(seconds=BATCH_WINDOW.total_seconds())

    def die(*args: Any, **kwargs: Any) -> None:
        raise Killed

    with monkeypatch.context() as patch:
        patch.setattr(bot.notice_job, "notice_message", die)
        with pytest.raises(Killed):
            job(services, slack)()
    assert slack.calls_to("chat.postMessage") == []
    clock.advance(seconds=LEASE.total_seconds())
    assert [d.outcome for d in job(services, slack)().deliveries] == [Outcome.SENT]
    assert len(slack.calls_to("conversations.history")) == 1  # looked for an earlier post first
    assert len(dms(slack)) == 1


def test_a_slack_failure_is_sent_on_a_later_run(
    book: dict[str, int], services: Services, slack: SlackStub, clock: Clock, db: Database
) -> None:
    answers = iter([{"ok": False, "error": "fatal_error"}])
    slack.on("chat.postMessage", lambda call: next(answers, None))
    typed(services, "U2", book["acme"], "one")
    clock.advance(seconds=BATCH_WINDOW.total_seconds())
    report = job(services, slack)()
    assert [(d.outcome, d.detail) for d in report.deliveries] == [(Outcome.FAILED, "fatal_error")]
    (notice,) = notices(db)
    assert (notice.status, notice.error, notice.attempts) == (NoticeStatus.FAILED, "fatal_error", 1)

    clock.advance(minutes=1)
    assert [d.outcome for d in job(services, slack)().deliveries] == [Outcome.SENT]
    (notice,) = notices(db)
    assert (notice.status, notice.error, notice.attempts) == (NoticeStatus.SENT, None, 2)
    assert len(dms(slack)) == 1


def test_after_max_attempts_a_notice_is_given_up(
    book: dict[str, int], services: Services, slack: SlackStub, clock: Clock, db: Database
) -> None:
    slack.on("chat.postMessage", lambda call: {"ok": False, "error": "fatal_error"})
    typed(services, "U2", book["acme"], "one")
    clock.advance(seconds=BATCH_WINDOW.total_seconds())
    for _ in range(4):
        job(services, slack, max_attempts=3)()
        clock.advance(minutes=1)
    assert len(slack.calls_to("chat.postMessage")) == 3
    (notice,) = notices(db)
    assert (notice.status, notice.attempts) == (NoticeStatus.FAILED, 3)


def test_an_owner_who_may_no_longer_use_holdfast_is_told_nothing(
    book: dict[str, int], services: Services, slack: SlackStub, clock: Clock, db: Database
) -> None:
    slack.add_user("U1", deleted=True)
    typed(services, "U2", book["acme"], "one")
    clock.advance(seconds=BATCH_WINDOW.total_seconds())
    report = job(services, slack)()
    assert [d.outcome for d in report.deliveries] == [Outcome.DROPPED]
    (notice,) = notices(db)
    assert (notice.status, notice.error) == (NoticeStatus.DROPPED, "not sent: deactivated in Slack")
    clock.advance(minutes=1)
    assert job(services, slack)().deliveries == []
    assert slack.calls_to("chat.postMessage") == []


def test_serve_runs_the_notice_job_every_minute_and_stops_it(
    sqlite_db: Database, slack: SlackStub, clock: Clock
) -> None:
    jobs = start_digests(make_services(sqlite_db, slack, clock))
    try:
        jobs.notice_scheduler.pause()
        (scheduled,) = jobs.notice_scheduler.get_jobs()
        assert (scheduled.id, scheduled.func, scheduled.max_instances) == (NOTICE_JOB_ID, jobs.notices, 1)
        assert scheduled.trigger.interval == timedelta(minutes=1)
    finally:
        jobs.stop()
    assert not jobs.notice_scheduler.running
    assert not jobs.scheduler.running


def test_a_colleagues_checkin_command_tells_the_owner(live: LiveApp) -> None:
    live.slack.add_user("U2")
    live.add_customer("Acme", original_reason="Fast onboarding")
    body = reply(live.command("/checkin", "Acme: Spoke with Jo about <!here>", user_id="U2"))
    (notice,) = notices(live.services.database)
    assert (notice.owner_user_id, notice.actor_user_id, notice.verdict, notice.note) == (
        "U1",
        "U2",
        Verdict.NOT_ASKED,
        "Spoke with Jo about <!here>",
    )

    # U2 answers the reason question under their check-in: the waiting notice carries it.
    weakened = body["blocks"][2]["elements"][1]
    live.interact(
        block_action(
            weakened["action_id"], weakened["value"], user_id="U2", response_url=live.slack.response_url("q")
        )
    )
    live.slack.wait_for("response_url")
    (notice,) = notices(live.services.database)
    assert notice.verdict == Verdict.WEAKENED

    later = Services(live.services.settings, live.services.database, lambda: NOW + BATCH_WINDOW)
    assert [d.outcome for d in job(later, live.slack)().deliveries] == [Outcome.SENT]
    (message,) = dms(live.slack)
    assert lines(message) == [
        "<@U2> on *Acme*: recorded that the reason weakened\n>Spoke with Jo about &lt;!here&gt;"
    ]
    assert hints(message) == ["See the card: `/customer Acme`"]
