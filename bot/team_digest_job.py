"""The weekly team digest job: the team view's headline and lists, and its charts, in one channel.

When it is due
--------------
Off while `TEAM_DIGEST_CHANNEL` is unset (nothing is read or called). Otherwise the job runs every
few minutes (see `bot.scheduler`) and the digest is due on `TEAM_DIGEST_WEEKDAY` from
`TEAM_DIGEST_HOUR` (UTC) to the end of that day (`bot.rules.team_digest.due_week`), until it is
`sent`. The time is the services' clock; the workspace is `SLACK_TEAM_ID`, else the bot token's
(`auth.test`, asked once per job).

Exactly once a week, across processes and crashes
-------------------------------------------------
The daily digest's protocol (`bot.nudge_job`), on the team digest ledger (`team_digest`: one row per
workspace and week, the week's Monday):

1. **Claim.** Insert the row as `claimed` by this runner, or take over a `failed` one or a `claimed`
   one whose `LEASE` ran out, conditionally, so only one runner of any number wins
   (`storage.team_digests.claim_team_digest`). Committed before Slack is called.
2. **Send.** The team view is computed (`bot.operations.team_view`) and posted with
   `chat.postMessage`, with message metadata `{"event_type": "holdfast_team_digest",
   "event_payload": {"team_digest_id": <row id>, "week": …}}`.
3. **Mark.** `sent`, with the channel and ts; a failure is recorded on the row (`failed`) and retried
   on the next run, at most `MAX_ATTEMPTS` times a week.

A runner may die after Slack took the post but before step 3, so an attempt after the first reads
the channel's history (`conversations.history` with metadata) for a message carrying this row's id
first, and if there is one only marks the row `sent`. The post is never retried on a dropped
connection by the HTTP client (429s are waited out); if the history cannot be read, nothing is
posted and the failure is recorded: a late digest beats a double.

The chart
---------
Once the message is marked sent, the two charts (`bot.charts`) are uploaded to the channel with
Slack's external upload flow (`files.getUploadURLExternal` per image, the bytes POSTed to the URL it
returns, then `files.completeUploadExternal` sharing both in one message): slack_sdk's
`files_upload_v2`. The message never waits on the chart: if drawing or any upload step fails, the
failure is logged and kept on the ledger row (`error`), and the digest stays sent without it. So
the chart goes out at most once; it is lost, not doubled, if a runner dies between the two.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, timedelta
from enum import StrEnum

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import charts
from bot.claiming_job import ClaimingJob
from bot.operations.team_view import TeamView, team_view
from bot.rules.team_digest import due_week
from bot.services import Services
from bot.slack_client import make_web_client
from bot.slack_history import find_posted
from bot.slack_users import SlackLookupError, resolve_team_id
from handlers.views.team_digest import METADATA_EVENT, chart_comment, team_digest_message
from storage.ledger import Claim, ClaimRefused
from storage.team_digests import claim_team_digest, mark_failed, mark_sent, note_chart_failed

logger = logging.getLogger("holdfast.team_digest")

LEASE = timedelta(minutes=15)  # far longer than computing the view and a post can take
MAX_ATTEMPTS = 5  # a week's digest is tried at most this many times


class Outcome(StrEnum):
    OFF = "off"  # no channel set
    NOT_DUE = "not due"
    SENT = "sent"
    SENT_WITHOUT_CHART = "sent without the chart"
    FOUND = "already in Slack"  # an earlier attempt had posted it; the ledger now says so
    ALREADY_SENT = ClaimRefused.ALREADY_SENT.value
    IN_PROGRESS = ClaimRefused.IN_PROGRESS.value
    GAVE_UP = ClaimRefused.GAVE_UP.value
    FAILED = "failed"


@dataclass(frozen=True)
class TeamDigestRun:
    """What one run did: for which week (None when off or not due), and why when it failed."""

    outcome: Outcome
    week: date | None = None
    detail: str = ""


class TeamDigestJob(ClaimingJob):
    """The team digest job for one process. Call it (the scheduler does) to send a due digest."""

    def __init__(
        self,
        services: Services,
        client: WebClient | None = None,
        *,
        runner: str | None = None,
        lease: timedelta = LEASE,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> None:
        super().__init__(services, runner=runner, lease=lease, max_attempts=max_attempts)
        self.client = client or make_web_client(services.settings, retry_connection_errors=False)
        self._team_id: str | None = None

    def __call__(self) -> TeamDigestRun:
        """A scheduled run; a failure is logged, and so is a digest sent (runs that find it sent,
        or not due, say nothing: the job runs every few minutes)."""
        run = self.run()
        if run.outcome == Outcome.FAILED:
            logger.warning("team digest for the week of %s failed: %s", run.week, run.detail)
        elif run.outcome in (Outcome.SENT, Outcome.SENT_WITHOUT_CHART, Outcome.FOUND):
            logger.info("team digest for the week of %s: %s", run.week, run.outcome)
        return run

    def run(self) -> TeamDigestRun:
        """Send this week's digest if it is due and not sent yet (see the module docstring)."""
        settings = self.services.settings
        channel = settings.team_digest_channel
        if channel is None:
            return TeamDigestRun(Outcome.OFF)
        now = self.services.clock().astimezone(UTC)
        week = due_week(now, weekday=settings.team_digest_day, hour=settings.team_digest_hour)
        if week is None:
            return TeamDigestRun(Outcome.NOT_DUE)
        try:
            team_id = self.team_id()
        except SlackLookupError as exc:
            return TeamDigestRun(Outcome.FAILED, week, str(exc))
        database = self.services.database
        with database.transaction() as session:
            claim = claim_team_digest(
                team_id=team_id,
                week=week,
                runner=self.runner,
                now=now,
                lease=self.lease,
                max_attempts=self.max_attempts,
                session=session,
            )
        if isinstance(claim, ClaimRefused):
            return TeamDigestRun(Outcome(claim.value), week)
        try:
            if claim.attempts > 1:
                found = find_posted(
                    self.client,
                    channel,
                    event_type=METADATA_EVENT,
                    key="team_digest_id",
                    value=claim.digest_id,
                )
                if found is not None:
                    with database.transaction() as session:
                        mark_sent(claim.digest_id, channel=channel, ts=found, now=now, session=session)
                    return TeamDigestRun(Outcome.FOUND, week)
            view = team_view(self.services, team_id, today=now.date())
            message = team_digest_message(view, week=week, digest_id=claim.digest_id)
            response = self.client.chat_postMessage(
                channel=channel,
                text=message.text,
                blocks=message.blocks,
                metadata=message.metadata,
                unfurl_links=False,
                unfurl_media=False,
            )
        except SlackApiError as exc:
            return self._failed(claim, week, str(exc.response.get("error") or exc))
        except Exception as exc:  # logged with its traceback, recorded, retried on the next run
            logger.exception("the team digest could not be sent")
            return self._failed(claim, week, f"{type(exc).__name__}: {exc}")
        posted_in = str(response["channel"])
        with database.transaction() as session:
            mark_sent(claim.digest_id, channel=posted_in, ts=str(response["ts"]), now=now, session=session)
        error = self._upload_chart(view, posted_in, week)
        if error is None:
            return TeamDigestRun(Outcome.SENT, week)
        with database.transaction() as session:
            note_chart_failed(claim.digest_id, error=error, session=session)
        return TeamDigestRun(Outcome.SENT_WITHOUT_CHART, week, error)

    def team_id(self) -> str:
        """The workspace whose digest this is (asked of Slack once, unless `SLACK_TEAM_ID` says)."""
        if self._team_id is None:
            self._team_id = resolve_team_id(None, self.services.settings, lambda _: self.client)
        return self._team_id

    def _upload_chart(self, view: TeamView, channel: str, week: date) -> str | None:
        """Draw and upload the charts to `channel`; why not, when they could not be (logged)."""
        try:
            self.client.files_upload_v2(
                file_uploads=[
                    {
                        "file": charts.coverage_trend_png(view.trend),
                        "filename": f"reason-coverage-{week.isoformat()}.png",
                        "title": "Reason coverage, last 12 weeks",
                    },
                    {
                        "file": charts.verdicts_by_theme_png(view.themes),
                        "filename": f"verdicts-by-theme-{week.isoformat()}.png",
                        "title": "Latest verdict by reason theme",
                    },
                ],
                channel=channel,
                initial_comment=chart_comment(week, view.today),
            )
        except SlackApiError as exc:
            error = str(exc.response.get("error") or exc)
        except (
            Exception
        ) as exc:  # drawing, or an upload step (urllib's own errors): logged with its traceback
            logger.exception("the team digest's chart could not be uploaded")
            error = f"{type(exc).__name__}: {exc}"
        else:
            return None
        logger.warning("team digest for the week of %s went out without its chart: %s", week, error)
        return error

    def _failed(self, claim: Claim, week: date, error: str) -> TeamDigestRun:
        with self.services.database.transaction() as session:
            mark_failed(
                claim, error=error, channel=self.services.settings.team_digest_channel, session=session
            )
        return TeamDigestRun(Outcome.FAILED, week, error)
