"""The digest job and the owner-notice job on APScheduler, for `holdfast serve`.

`start_digests(services)` runs `bot.nudge_job.NudgeJob` every `INTERVAL` and
`bot.notice_job.NoticeJob` every `NOTICE_INTERVAL`, each first right away and on a scheduler of its
own with a single thread: never two runs of a job at once in a process (`max_instances=1`), missed
runs folded into one (`coalesce`), so Slack calls and their Retry-After waits never hold up Bolt's
request listeners, and a long digest run never holds up a notice. Whether a digest or a notice is
due is decided on each run from the clock and the database (see each job), so the intervals only
set how soon after it is due it goes out. The weekly team digest (`bot.team_digest_job`) runs the
same way every `TEAM_DIGEST_INTERVAL`, on a scheduler of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from slack_sdk import WebClient

from bot.crm_job import NOTES_INTERVAL, CrmJob
from bot.notice_job import NoticeJob
from bot.nudge_job import NudgeJob
from bot.services import Services
from bot.team_digest_job import TeamDigestJob

JOB_ID = "holdfast-digests"
INTERVAL = timedelta(minutes=5)
NOTICE_JOB_ID = "holdfast-owner-notices"
NOTICE_INTERVAL = timedelta(minutes=1)
CRM_JOB_ID = "holdfast-crm-sync"
CRM_NOTES_JOB_ID = "holdfast-crm-notes"
TEAM_DIGEST_JOB_ID = "holdfast-team-digest"
TEAM_DIGEST_INTERVAL = timedelta(minutes=5)


def create_scheduler(
    job: Callable[[], object],
    *,
    first_run: datetime,
    interval: timedelta = INTERVAL,
    job_id: str = JOB_ID,
    name: str = "Holdfast daily digests",
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
        id=job_id,
        name=name,
        next_run_time=first_run,
        replace_existing=True,
    )
    return scheduler


class Digests:
    """The digest job and the owner-notice job, each on its scheduler, inside `holdfast serve`."""

    def __init__(self, services: Services, client: WebClient | None = None) -> None:
        now = services.clock()
        self.job = NudgeJob(services, client)
        self.scheduler = create_scheduler(self.job, first_run=now)
        self.notices = NoticeJob(services, client)
        self.notice_scheduler = create_scheduler(
            self.notices,
            first_run=now,
            interval=NOTICE_INTERVAL,
            job_id=NOTICE_JOB_ID,
            name="Holdfast owner notices",
        )
        # The CRM sync every CRM_SYNC_MINUTES and its notes outbox (`bot.crm_job`): only with HUBSPOT_TOKEN.
        self.crm = CrmJob(services) if services.settings.hubspot_token is not None else None
        self.crm_schedulers: list[BackgroundScheduler] = []
        if self.crm is not None:
            every = timedelta(minutes=services.settings.crm_sync_minutes)
            self.crm_schedulers = [
                create_scheduler(
                    self.crm.sync, first_run=now, interval=every, job_id=CRM_JOB_ID, name="Holdfast CRM sync"
                ),
                create_scheduler(
                    self.crm.run_notes,
                    first_run=now,
                    interval=NOTES_INTERVAL,
                    job_id=CRM_NOTES_JOB_ID,
                    name="Holdfast CRM notes",
                ),
            ]
        self.team_digest = TeamDigestJob(services, client)
        self.team_digest_scheduler = create_scheduler(
            self.team_digest,
            first_run=now,
            interval=TEAM_DIGEST_INTERVAL,
            job_id=TEAM_DIGEST_JOB_ID,
            name="Holdfast weekly team digest",
        )

    def stop(self) -> None:
        """Let the digests and the notice DM being sent finish, claim no more, stop the schedulers."""
        self.job.stop()
        self.notices.stop()
        if self.crm is not None:
            self.crm.stop()
        self.scheduler.shutdown(wait=True)
        self.notice_scheduler.shutdown(wait=True)
        for scheduler in self.crm_schedulers:
            scheduler.shutdown(wait=True)
        self.team_digest_scheduler.shutdown(wait=True)


def start_digests(services: Services, client: WebClient | None = None) -> Digests:
    """Start sending digests and owner notices in the background; call `.stop()` on the result when
    serving stops.

    Leave `client` unset: each job's own client does not retry a post on a dropped connection (the
    jobs do, after checking Slack), which the request listeners' client does.
    """
    digests = Digests(services, client)
    digests.scheduler.start()
    digests.notice_scheduler.start()
    for scheduler in digests.crm_schedulers:
        scheduler.start()
    digests.team_digest_scheduler.start()
    return digests
