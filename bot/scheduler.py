"""The digest job on APScheduler, for `holdfast serve`.

`start_digests(services)` runs `bot.nudge_job.NudgeJob` every `INTERVAL`, first right away, on the
scheduler's own single thread: never two runs at once in a process (`max_instances=1`), missed runs
folded into one (`coalesce`), so Slack calls and their Retry-After waits never hold up Bolt's
request listeners. Whether a digest is due is decided on each run from the clock and the ledger
(see `bot.nudge_job`), so the interval only sets how soon after `DIGEST_HOUR` digests go out.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from slack_sdk import WebClient

from bot.nudge_job import NudgeJob
from bot.services import Services

JOB_ID = "holdfast-digests"
INTERVAL = timedelta(minutes=5)


def create_scheduler(
    job: Callable[[], object], *, first_run: datetime, interval: timedelta = INTERVAL
) -> BackgroundScheduler:
    """A scheduler (not started) running `job` every `interval` from `first_run`, one run at a time."""
    seconds = int(interval.total_seconds())
    scheduler = BackgroundScheduler(
        timezone=UTC,
        executors={"default": ThreadPoolExecutor(max_workers=1)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": seconds},
    )
    scheduler.add_job(
        job,
        trigger=IntervalTrigger(seconds=seconds, timezone=UTC),
        id=JOB_ID,
        name="Holdfast daily digests",
        next_run_time=first_run,
        replace_existing=True,
    )
    return scheduler


class Digests:
    """The digest job running on its scheduler inside `holdfast serve`."""

    def __init__(self, services: Services, client: WebClient | None = None) -> None:
        self.job = NudgeJob(services, client)
        self.scheduler = create_scheduler(self.job, first_run=services.clock())

    def stop(self) -> None:
        """Let the digests being sent finish, claim no more, and stop the scheduler."""
        self.job.stop()
        self.scheduler.shutdown(wait=True)


def start_digests(services: Services, client: WebClient | None = None) -> Digests:
    """Start sending digests in the background; call `.stop()` on the result when serving stops.

    Leave `client` unset: the job's own client does not retry a post on a dropped connection (the
    ledger does, after checking Slack), which the request listeners' client does.
    """
    digests = Digests(services, client)
    digests.scheduler.start()
    return digests
