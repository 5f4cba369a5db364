"""The weekly team digest job against the Slack stand-in: when it is due, what the channel receives
(team-level only, escaped, with its charts), and exactly once a week across runners, restarts and
a runner killed after Slack took the post."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from bot.scheduler import TEAM_DIGEST_INTERVAL, TEAM_DIGEST_JOB_ID, start_digests
from bot.team_digest_job import LEASE, Outcome, TeamDigestJob, TeamDigestRun
from storage.db import Database, open_database
from storage.enums import DigestStatus
from storage.models import Owner, TeamDigest
from tests.nudge_helpers import Clock, make_services, seed, stub_client
from tests.slack_stub import Call, SlackStub

ROOT = Path(__file__).resolve().parents[1]
CHANNEL = "C0TEAM"
MONDAY = datetime(2026, 6, 8, 9, 0, tzinfo=UTC)  # the default weekday and hour
OWNERS = {"U0ALICE": "Alice Archer", "U0BOB": "Bob Baker"}
HOSTILE = "<!channel> & <@U0ALICE> Ltd"
PNG = b"\x89PNG\r\n\x1a\n"


def book(database: Database) -> None:
    """Two owners with display names; the largest customer (a key account, untouched for 45 days)
    has a hostile name."""
    with database.transaction() as session:
        for user_id, name in OWNERS.items():
            session.add(Owner(team_id="T0001", user_id=user_id, display_name=name))
    today = MONDAY.date()
    seed(database, "U0ALICE", [HOSTILE], today=today, arr=90_000.0)
    seed(database, "U0ALICE", ["Acme", "Beta"], today=today)
    seed(database, "U0BOB", ["Gamma", "Delta"], today=today)


def job_for(database: Database, slack: SlackStub, clock: Clock, **settings: Any) -> TeamDigestJob:
    values = {"team_digest_channel": CHANNEL} | settings
    return TeamDigestJob(make_services(database, slack, clock, **values), stub_client(slack))


def rows(database: Database) -> list[TeamDigest]:
    with database.session() as session:
        return list(session.exec(select(TeamDigest).order_by(col(TeamDigest.week))).all())


def digests_posted(slack: SlackStub) -> list[dict[str, Any]]:
    return [
        m
        for m in slack.posted(CHANNEL)
        if (m.get("metadata") or {}).get("event_type") == "holdfast_team_digest"
    ]


def bodies(slack: SlackStub) -> str:
    """Everything the app sent to Slack's chat and files methods (the uploaded bytes left out)."""
    sent = [c.args for c in slack.calls if c.method.startswith(("chat.", "files."))]
    return json.dumps(sent)


def test_off_when_no_channel_is_set(db: Database, slack: SlackStub) -> None:
    book(db)
    run = job_for(db, slack, Clock(MONDAY), team_digest_channel=None)()
    assert run == TeamDigestRun(Outcome.OFF)
    assert slack.calls == []
    assert rows(db) == []


@pytest.mark.parametrize(
    ("now", "due"),
    [
        (MONDAY - timedelta(minutes=1), False),
        (MONDAY, True),
        (MONDAY.replace(hour=23, minute=59), True),
        (MONDAY + timedelta(days=1), False),
        (MONDAY + timedelta(days=2, hours=5), True),  # Wednesday 14:00, when configured so
    ],
)
def test_due_only_on_the_configured_weekday_from_the_configured_hour(
    db: Database, slack: SlackStub, now: datetime, due: bool
) -> None:
    book(db)
    when = {"team_digest_weekday": "wed", "team_digest_hour": 14} if now.weekday() == 2 else {}
    run = job_for(db, slack, Clock(now), **when)()
    assert run.outcome == (Outcome.SENT if due else Outcome.NOT_DUE)
    assert len(digests_posted(slack)) == int(due)
    assert [row.week for row in rows(db)] == ([MONDAY.date()] if due else [])


def test_the_digest_and_its_charts_go_to_the_channel(db: Database, slack: SlackStub) -> None:
    book(db)
    run = job_for(db, slack, Clock(MONDAY))()
    assert run == TeamDigestRun(Outcome.SENT, MONDAY.date())
    (post,) = slack.calls_to("chat.postMessage")
    assert post.args["channel"] == CHANNEL
    (message,) = digests_posted(slack)
    assert message["blocks"][0]["text"]["text"] == "Team digest: week of 8 June"
    assert message["metadata"]["event_payload"] == {"team_digest_id": rows(db)[0].id, "week": "2026-06-08"}

    asked = slack.calls_to("files.getUploadURLExternal")
    assert [call.args["filename"] for call in asked] == [
        "reason-coverage-2026-06-08.png",
        "verdicts-by-theme-2026-06-08.png",
    ]
    (complete,) = slack.calls_to("files.completeUploadExternal")
    assert complete.args["channel_id"] == CHANNEL
    assert complete.args["initial_comment"].startswith("Reason coverage over 12 weeks")
    shared = json.loads(complete.args["files"])
    assert [f["title"] for f in shared] == [
        "Reason coverage, last 12 weeks",
        "Latest verdict by reason theme",
    ]
    for call, sent in zip(asked, shared, strict=True):
        data = slack.files[sent["id"]]["data"]
        assert data.startswith(PNG)
        assert int(call.args["length"]) == len(data)  # the length announced is the bytes uploaded
    chart_message = slack.posted(CHANNEL)[-1]
    assert [f["id"] for f in chart_message["files"]] == [f["id"] for f in shared]

    (row,) = rows(db)
    assert (row.status, row.channel, row.message_ts, row.error) == (
        DigestStatus.SENT,
        CHANNEL,
        message["ts"],
        None,
    )


def test_the_channel_names_no_owner_and_escapes_customer_names(db: Database, slack: SlackStub) -> None:
    book(db)
    assert job_for(db, slack, Clock(MONDAY))().outcome == Outcome.SENT
    sent = bodies(slack)
    for user_id, name in OWNERS.items():
        assert user_id not in sent.replace("&lt;@U0ALICE&gt;", "")  # only inside the escaped name
        assert name not in sent
    assert "<@" not in sent
    assert "<!channel>" not in sent
    (message,) = digests_posted(slack)
    untouched = message["blocks"][3]["text"]["text"]
    assert "*&lt;!channel&gt; &amp; &lt;@U0ALICE&gt; Ltd* · $90,000 · last contact 45 days ago" in untouched


@pytest.mark.parametrize(
    ("step", "answer"),
    [
        ("files.getUploadURLExternal", {"ok": False, "error": "missing_scope"}),
        ("upload", (500, {"ok": False}, {})),
        ("files.completeUploadExternal", {"ok": False, "error": "channel_not_found"}),
    ],
)
def test_an_upload_failure_still_posts_the_message_and_is_logged(
    db: Database, slack: SlackStub, caplog: pytest.LogCaptureFixture, step: str, answer: Any
) -> None:
    book(db)
    slack.on(step, lambda call: answer)
    clock = Clock(MONDAY)
    with caplog.at_level(logging.WARNING, logger="holdfast.team_digest"):
        run = job_for(db, slack, clock)()
    assert run.outcome == Outcome.SENT_WITHOUT_CHART
    assert len(digests_posted(slack)) == 1
    assert "files" not in slack.posted(CHANNEL)[-1]
    (row,) = rows(db)
    assert row.status == DigestStatus.SENT
    assert row.error is not None
    assert row.error.startswith("chart not uploaded: ")
    assert any("went out without its chart" in record.getMessage() for record in caplog.records)

    slack.on(step, lambda call: None)
    clock.advance(hours=1)
    assert job_for(db, slack, clock)().outcome == Outcome.ALREADY_SENT  # the chart is not tried again
    assert len(slack.calls_to("files.completeUploadExternal")) == (step == "files.completeUploadExternal")


def test_once_a_week_across_two_runners_and_a_restart(database_url: str, slack: SlackStub) -> None:
    setup = open_database(database_url)
    book(setup)
    setup.dispose()
    clock = Clock(MONDAY)
    databases = [open_database(database_url) for _ in range(2)]
    jobs = [job_for(database, slack, clock) for database in databases]
    start = threading.Barrier(len(jobs))
    runs: list[TeamDigestRun] = []

    def run(job: TeamDigestJob) -> None:
        start.wait()
        runs.append(job())

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outcomes = sorted(run.outcome for run in runs)
    assert outcomes in (
        sorted([Outcome.SENT, Outcome.ALREADY_SENT]),
        sorted([Outcome.SENT, Outcome.IN_PROGRESS]),
    )
    assert len(digests_posted(slack)) == 1

    clock.advance(hours=3)  # a restart later that day: a new process, a new runner
    restarted = job_for(databases[0], slack, clock)
    assert restarted().outcome == Outcome.ALREADY_SENT
    assert len(slack.calls_to("chat.postMessage")) == 1

    clock.advance(days=7)  # the next week's Monday
    assert restarted().outcome == Outcome.SENT
    assert len(digests_posted(slack)) == 2
    assert [(row.week, row.status) for row in rows(databases[0])] == [
        (MONDAY.date(), DigestStatus.SENT),
        (MONDAY.date() + timedelta(days=7), DigestStatus.SENT),
    ]
    for database in databases:
        database.dispose()


def test_a_slack_error_is_recorded_and_retried_after_checking_the_channel(
    db: Database, slack: SlackStub
) -> None:
    book(db)
    slack.on("chat.postMessage", lambda call: {"ok": False, "error": "not_in_channel"})
    clock = Clock(MONDAY)
    run = job_for(db, slack, clock)()
    assert run == TeamDigestRun(Outcome.FAILED, MONDAY.date(), "not_in_channel")
    (row,) = rows(db)
    assert (row.status, row.error, row.attempts) == (DigestStatus.FAILED, "not_in_channel", 1)

    slack.on("chat.postMessage", lambda call: None)
    clock.advance(minutes=5)
    assert job_for(db, slack, clock)().outcome == Outcome.SENT
    assert len(slack.calls_to("conversations.history")) == 1  # looked for a post that got through
    assert len(digests_posted(slack)) == 1


def test_when_the_channel_history_cannot_be_read_nothing_is_posted(db: Database, slack: SlackStub) -> None:
    book(db)
    slack.on("chat.postMessage", lambda call: {"ok": False, "error": "fatal_error"})
    clock = Clock(MONDAY)
    job_for(db, slack, clock)()
    slack.on("chat.postMessage", lambda call: None)
    slack.on("conversations.history", lambda call: {"ok": False, "error": "missing_scope"})
    clock.advance(minutes=5)
    run = job_for(db, slack, clock)()
    assert run.outcome == Outcome.FAILED
    assert run.detail == "missing_scope"
    assert digests_posted(slack) == []


RUNNER = """
import sys
from datetime import datetime
from bot.services import Services
from bot.settings import load_settings
from bot.team_digest_job import TeamDigestJob
from storage.db import open_database

url, api, now, channel = sys.argv[1:5]
settings = load_settings(
    slack_bot_token="xoxb-test-token", slack_api_url=api, database_url=url, team_digest_channel=channel
)
TeamDigestJob(Services(settings, open_database(url), lambda: datetime.fromisoformat(now))).run()
print("finished")
"""


def test_a_runner_killed_after_slack_took_the_post_is_not_doubled(
    db: Database, slack: SlackStub, tmp_path: Path
) -> None:
    book(db)
    process: dict[str, subprocess.Popen[str]] = {}

    def accept_then_kill(call: Call) -> dict[str, Any]:
        answer = slack.answer_default(call)  # Slack has the message...
        os.kill(process["runner"].pid, signal.SIGKILL)  # ...and the runner dies before hearing back
        return answer

    slack.on("chat.postMessage", accept_then_kill)
    url = db.url.render_as_string(hide_password=False)
    process["runner"] = subprocess.Popen(
        [sys.executable, "-c", RUNNER, url, slack.api_url, MONDAY.isoformat(), CHANNEL],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    out, _ = process["runner"].communicate(timeout=60)
    assert process["runner"].returncode == -signal.SIGKILL
    assert "finished" not in out
    assert len(digests_posted(slack)) == 1
    assert [row.status for row in rows(db)] == [DigestStatus.CLAIMED]  # posted, but not marked

    slack.on("chat.postMessage", lambda call: None)
    clock = Clock(MONDAY)
    assert job_for(db, slack, clock)().outcome == Outcome.IN_PROGRESS  # within the lease: left alone
    clock.advance(seconds=LEASE.total_seconds())
    assert job_for(db, slack, clock)().outcome == Outcome.FOUND
    assert len(digests_posted(slack)) == 1
    (row,) = rows(db)
    assert (row.status, row.message_ts) == (DigestStatus.SENT, digests_posted(slack)[0]["ts"])


def test_serve_schedules_the_team_digest(sqlite_db: Database, slack: SlackStub) -> None:
    digests = start_digests(make_services(sqlite_db, slack, Clock()))
    try:
        digests.team_digest_scheduler.pause()
        (job,) = digests.team_digest_scheduler.get_jobs()
        assert (job.id, job.func) == (TEAM_DIGEST_JOB_ID, digests.team_digest)
        assert job.trigger.interval == TEAM_DIGEST_INTERVAL
    finally:
        digests.stop()
    assert not digests.team_digest_scheduler.running
