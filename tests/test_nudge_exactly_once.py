"""Exactly once: runners racing on one database, and a runner process killed mid-run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from bot.nudge_job import LEASE, Outcome, RunReport
from storage.db import open_database
from storage.enums import DigestStatus
from tests.nudge_helpers import (
    WEDNESDAY,
    Clock,
    digests_posted,
    ledger,
    make_job,
    make_services,
    seed,
    statuses,
)
from tests.slack_stub import Call, SlackStub

ROOT = Path(__file__).resolve().parents[1]
OWNERS = [f"U{n:03}" for n in range(40)]


def test_two_runners_racing_send_each_digest_once(database_url: str, slack: SlackStub) -> None:
    """Two `holdfast serve` processes on one database, each with its own engine and sender threads."""
    setup = open_database(database_url)
    for owner in OWNERS:
        slack.add_user(owner, tz="UTC")
        seed(setup, owner, [f"{owner} Ltd", f"{owner} plc"])
    clock = Clock(WEDNESDAY.replace(hour=10))
    make_job(make_services(setup, slack, clock), slack).refresh_owners(clock.now)  # both start at planning
    setup.dispose()

    def slack_latency(call: Call) -> dict[str, Any]:
        time.sleep(0.01)  # Slack takes a moment to answer (not a wait for work): the runners overlap
        return slack.answer_default(call)

    slack.on("chat.postMessage", slack_latency)
    databases = [open_database(database_url) for _ in range(2)]
    jobs = [make_job(make_services(database, slack, clock), slack, send_threads=4) for database in databases]
    start = threading.Barrier(len(jobs))
    reports: list[RunReport] = []
    errors: list[BaseException] = []

    def run(job: Any) -> None:
        start.wait()
        try:
            reports.append(job())
        except BaseException as exc:  # noqa: BLE001 - asserted below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert digests_posted(slack) == dict.fromkeys(OWNERS, 1)
    assert len(slack.calls_to("chat.postMessage")) == len(OWNERS)
    assert statuses(databases[0]) == dict.fromkeys(OWNERS, DigestStatus.SENT)
    outcomes = [d.outcome for report in reports for d in report.deliveries]
    assert outcomes.count(Outcome.SENT) == len(OWNERS)
    # The runner that lost an owner either was refused the claim, or read the ledger later and did
    # not plan that owner at all.
    assert set(outcomes) <= {Outcome.SENT, Outcome.IN_PROGRESS, Outcome.ALREADY_SENT}
    for database in databases:
        database.dispose()


RUNNER = """
import sys
from datetime import datetime
from bot.nudge_job import NudgeJob
from bot.services import Services
from bot.settings import load_settings
from storage.db import open_database

url, api, now = sys.argv[1:4]
settings = load_settings(slack_bot_token="xoxb-test-token", slack_api_url=api, database_url=url)
services = Services(settings, open_database(url), lambda: datetime.fromisoformat(now))
NudgeJob(services, send_threads=1).run()
print("finished")
"""


def test_a_runner_process_killed_after_slack_took_the_post_is_not_doubled(
    database_url: str, slack: SlackStub, tmp_path: Path
) -> None:
    database = open_database(database_url)
    for owner in ("U1", "U2"):
        slack.add_user(owner, tz="Europe/London")
        seed(database, owner, [f"{owner} Corp"])
    clock = Clock()
    process: dict[str, subprocess.Popen[str]] = {}

    def accept_then_kill(call: Call) -> dict[str, Any]:
        answer = slack.answer_default(call)  # Slack has the message...
        os.kill(process["runner"].pid, signal.SIGKILL)  # ...and the runner dies before hearing back
        return answer

    slack.on("chat.postMessage", accept_then_kill)
    process["runner"] = subprocess.Popen(
        [sys.executable, "-c", RUNNER, database_url, slack.api_url, clock.now.isoformat()],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    out, _ = process["runner"].communicate(timeout=60)
    assert process["runner"].returncode == -signal.SIGKILL
    assert "finished" not in out
    assert digests_posted(slack) == {"U1": 1}
    assert statuses(database) == {"U1": DigestStatus.CLAIMED}

    slack.on("chat.postMessage", lambda call: None)
    clock.advance(seconds=LEASE.total_seconds())
    report = make_job(make_services(database, slack, clock), slack)()
    assert sorted((d.plan.owner_user_id, d.outcome) for d in report.deliveries) == [
        ("U1", Outcome.FOUND),
        ("U2", Outcome.SENT),
    ]
    assert digests_posted(slack) == {"U1": 1, "U2": 1}
    assert [row.status for row in ledger(database)] == [DigestStatus.SENT, DigestStatus.SENT]
    database.dispose()
