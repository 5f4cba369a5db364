"""The owner-notice job: tell each owner, in one DM, what colleagues did on their customers.

What is told, and when
----------------------
When someone other than the owner logs a check-in on a customer, or records under one that its
reason weakened or changed, the operation adds a notice (`storage.notices`) in the same
transaction. The job runs every minute (see `bot.scheduler`); an owner is due once their oldest
open notice is `BATCH_WINDOW` old, and then all their open notices go out in one DM, oldest first:
several events within a few minutes make one message. The time is the services' clock.

Once per notice, across processes and crashes
---------------------------------------------
1. **Claim.** One `UPDATE` sets the owner's claimable notices (pending, failed, or claimed with the
   lease `LEASE` run out; tried fewer than `MAX_ATTEMPTS` times) to `claimed` under a token unique
   to this claim, and reads back the rows carrying it. Of any number of runners (threads, or
   `holdfast serve` processes sharing one PostgreSQL database) claiming at once, each notice goes
   to one: SQLite lets one writer at a time in, and PostgreSQL re-checks the `WHERE` on a row that
   another transaction has just claimed, and skips it. The claim is committed before Slack is called.
2. **Send.** `chat.postMessage` to the owner's user ID (Slack opens the DM), with message metadata
   `{"event_type": "holdfast_owner_notices", "event_payload": {"notice_ids": "<id>,<id>", …}}`.
3. **Mark.** `sent`, with the message ts. A Slack error marks them `failed` (the claim released)
   and the next run tries again (each failure is logged); after `MAX_ATTEMPTS` claims they stay
   failed.

As with the digest (`bot.nudge_job`), a claim alone cannot tell whether an earlier attempt reached
Slack: a runner may die after Slack took the post but before step 3. So when a claimed notice was
tried before, the owner's DM history is read first (`conversations.history` with metadata), and
notices an earlier message carries are only marked `sent`; the rest are posted. The client waits
out 429s (Retry-After, on this job's own thread) but never retries a post on a dropped connection:
that comes back to the next run, through the history check. When the history cannot be read,
nothing is posted and the notices are marked failed: a late notice beats a double.

Who may be told
---------------
A notice carries a note, so it goes only to someone who may use Holdfast (`bot.access`), asked
once per run. The notices of an owner who may not are `dropped` (never sent) and logged; when Slack
cannot say, they wait for the next run.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.access import AccessCheck, for_one_run
from bot.claiming_job import ClaimingJob
from bot.services import Services
from bot.slack_client import make_web_client
from bot.slack_history import recent_messages
from bot.slack_users import SlackLookupError
from handlers.views.notices import notice_ids_of, notice_message
from storage.notices import (
    NoticeRow,
    claim_notices,
    drop_notices,
    mark_failed,
    mark_sent,
    owners_due,
)

logger = logging.getLogger("holdfast.notices")

BATCH_WINDOW = timedelta(minutes=2)
LEASE = timedelta(minutes=15)  # far longer than a post can take (a 30 s timeout and a few 429 waits)
MAX_ATTEMPTS = 5


class Outcome(StrEnum):
    SENT = "sent"
    FOUND = "already in Slack"  # an earlier attempt had posted them all; now recorded
    TAKEN = "taken by another runner"
    FAILED = "failed"
    DROPPED = "dropped: the owner may not use Holdfast"
    WAITING = "left for the next run: Slack could not say who the owner is"


@dataclass(frozen=True)
class Delivery:
    """What became of one owner's notices in a run (`notice_ids`: those sent, found or failed)."""

    team_id: str
    owner_user_id: str
    outcome: Outcome
    notice_ids: tuple[int, ...] = ()
    detail: str = ""


@dataclass
class NoticeReport:
    deliveries: list[Delivery] = field(default_factory=list)

    def count(self, outcome: Outcome) -> int:
        return sum(d.outcome == outcome for d in self.deliveries)


def log_summary(report: NoticeReport) -> None:
    for delivery in report.deliveries:
        if delivery.outcome in (Outcome.FAILED, Outcome.DROPPED, Outcome.WAITING):
            logger.warning("notices for %s: %s %s", delivery.owner_user_id, delivery.outcome, delivery.detail)
    logger.info(
        "owner notices: %d DMs sent, %d found already in Slack, %d failed, %d owners dropped",
        report.count(Outcome.SENT),
        report.count(Outcome.FOUND),
        report.count(Outcome.FAILED),
        report.count(Outcome.DROPPED),
    )


class NoticeJob(ClaimingJob):
    """The notice job for one process; the scheduler calls it."""

    def __init__(
        self,
        services: Services,
        client: WebClient | None = None,
        *,
        runner: str | None = None,
        window: timedelta = BATCH_WINDOW,
        lease: timedelta = LEASE,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> None:
        super().__init__(services, runner=runner, lease=lease, max_attempts=max_attempts)
        self.client = client or make_web_client(services.settings, retry_connection_errors=False)
        self.window = window

    def __call__(self) -> NoticeReport:
        """One run: every owner whose notices are due gets one DM."""
        now = self.services.clock()
        with self.services.database.session() as session:
            due = owners_due(
                now=now, window=self.window, lease=self.lease, max_attempts=self.max_attempts, session=session
            )
        report = NoticeReport()
        if not due:
            return report  # the usual minute: nothing to say, nothing logged
        check = for_one_run(self.services.settings, self.client)
        for team_id, owner_user_id in due:
            if self._stopping.is_set():
                break
            report.deliveries.append(self.deliver(team_id, owner_user_id, now, check))
        log_summary(report)
        return report

    def deliver(self, team_id: str, owner_user_id: str, now: datetime, check: AccessCheck) -> Delivery:
        """Screen, claim, send and mark one owner's notices (see the module docstring)."""
        database = self.services.database
        try:
            denial = check.denial(team_id, owner_user_id)
        except SlackLookupError as exc:
            return Delivery(team_id, owner_user_id, Outcome.WAITING, detail=str(exc))
        if denial is not None:
            with database.transaction() as session:
                dropped = drop_notices(
                    team_id,
                    owner_user_id,
                    reason=f"not sent: {denial}",
                    now=now,
                    lease=self.lease,
                    session=session,
                )
            return Delivery(team_id, owner_user_id, Outcome.DROPPED, detail=f"{denial} ({dropped} notices)")
        claim = f"{self.runner}:{uuid.uuid4().hex[:8]}"
        with database.transaction() as session:
            notices = claim_notices(
                team_id,
                owner_user_id,
                claim=claim,
                now=now,
                lease=self.lease,
                max_attempts=self.max_attempts,
                session=session,
            )
        if not notices:
            return Delivery(team_id, owner_user_id, Outcome.TAKEN)
        ids = tuple(notice.id for notice in notices)
        try:
            if any(notice.attempts > 1 for notice in notices):
                notices = self._unless_posted(owner_user_id, notices, now)
                if not notices:
                    return Delivery(team_id, owner_user_id, Outcome.FOUND, ids)
            message = notice_message(owner_user_id, notices)
            response = self.client.chat_postMessage(
                channel=owner_user_id,
                text=message.text,
                blocks=message.blocks,
                metadata=message.metadata,
                unfurl_links=False,
                unfurl_media=False,
            )
        except SlackApiError as exc:
            return self._failed(team_id, owner_user_id, ids, claim, str(exc.response.get("error") or exc))
        except Exception as exc:  # logged with its traceback, recorded, retried on the next run
            logger.exception("notices for %s could not be sent", owner_user_id)
            return self._failed(team_id, owner_user_id, ids, claim, f"{type(exc).__name__}: {exc}")
        with database.transaction() as session:
            mark_sent([n.id for n in notices], ts=str(response["ts"]), now=now, session=session)
        return Delivery(team_id, owner_user_id, Outcome.SENT, ids)

    def _failed(
        self, team_id: str, owner_user_id: str, ids: tuple[int, ...], claim: str, error: str
    ) -> Delivery:
        with self.services.database.transaction() as session:
            mark_failed(ids, claim=claim, error=error, session=session)
        return Delivery(team_id, owner_user_id, Outcome.FAILED, ids, error)

    def _unless_posted(self, owner_user_id: str, notices: list[NoticeRow], now: datetime) -> list[NoticeRow]:
        """Mark the notices an earlier attempt posted as sent; the others, still to be posted."""
        channel = str(self.client.conversations_open(users=owner_user_id)["channel"]["id"])
        posted = self._posted(channel, {notice.id for notice in notices})
        if posted:
            by_ts: dict[str, list[int]] = defaultdict(list)
            for notice_id, ts in posted.items():
                by_ts[ts].append(notice_id)
            with self.services.database.transaction() as session:
                for ts, notice_ids in by_ts.items():
                    mark_sent(notice_ids, ts=ts, now=now, session=session)
        return [notice for notice in notices if notice.id not in posted]

    def _posted(self, channel: str, wanted: set[int]) -> dict[int, str]:
        """Of the `wanted` notices, those a message in `channel` carries, with its ts."""
        found: dict[int, str] = {}
        for message in recent_messages(self.client, channel):
            for notice_id in notice_ids_of(message.get("metadata")) & wanted:
                found.setdefault(notice_id, str(message["ts"]))
        return found
