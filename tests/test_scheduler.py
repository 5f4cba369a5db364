"""The digest job's schedule: every few minutes, one run at a time, missed runs folded into one."""

from __future__ import annotations

from datetime import UTC, datetime

from apscheduler.triggers.interval import IntervalTrigger

from bot.scheduler import INTERVAL, JOB_ID, create_scheduler, start_digests
from storage.db import Database
from tests.nudge_helpers import Clock, make_services
from tests.slack_stub import SlackStub


def test_the_job_runs_every_interval_from_the_start_one_at_a_time() -> None:
    first = datetime(2026, 6, 10, 8, 30, tzinfo=UTC)
    calls: list[int] = []
    scheduler = create_scheduler(lambda: calls.append(1), first_run=first)
    scheduler.start(paused=True)
    try:
        (job,) = scheduler.get_jobs()
        assert job.id == JOB_ID
        assert isinstance(job.trigger, IntervalTrigger)
        assert job.trigger.interval == INTERVAL
        assert job.next_run_time == first
        assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (
            True,
            1,
            INTERVAL.total_seconds(),
        )
    finally:
        scheduler.shutdown(wait=True)
    assert calls == []  # paused: nothing ran


def test_start_digests_schedules_a_nudge_job_and_stops(sqlite_db: Database, slack: SlackStub) -> None:
    digests = start_digests(make_services(sqlite_db, slack, Clock()))
    try:
        digests.scheduler.pause()
        (job,) = digests.scheduler.get_jobs()
        assert job.func is digests.job
        assert digests.scheduler.running
    finally:
        digests.stop()
    assert not digests.scheduler.running
