"""The daily digest job: plan who is due, then send each owner's digest exactly once a day.

Exactly once, across processes and crashes
------------------------------------------
The nudge ledger (`nudge_digest`) has one row per (workspace, owner, local day). For each owner:

1. **Claim.** `INSERT … ON CONFLICT DO NOTHING` the row as `claimed` by this runner. The unique key
   means only one of any number of runners (threads, or `holdfast serve` processes sharing one
   PostgreSQL database) gets the row. A row that already exists is taken over only when it is
   `failed`, or `claimed` with its lease (`LEASE`) expired — by an `UPDATE … WHERE status = <seen>
   AND attempts = <seen>`, which again only one runner can win. A `sent` row, or a fresh claim, is
   left alone. The row (with the customers chosen) is the intent, committed before Slack is called.
2. **Send.** `chat.postMessage` to the owner, with message metadata
   `{"event_type": "holdfast_digest", "event_payload": {"digest_id": <row id>, …}}`.
3. **Mark.** `sent`, with the channel and message ts. A Slack error is recorded on the row
   (`failed`, with the error) and retried on the next run.

A claim alone cannot tell whether the message went out: a runner may die after Slack accepted the
post but before step 3, and a dropped connection may hide a post that succeeded. So a runner that
holds an attempt after the first (a takeover) first reads the owner's DM (`conversations.history`
with metadata) for a message carrying this row's id; if there is one, it only marks the row `sent`.
That is why digest posts are not retried on connection errors by the HTTP client (they come back
to the ledger instead), while 429s are: a 429 means Slack did not take the message, and the client
waits its Retry-After on this job's own thread, never on Bolt's listener pool. If the history
check itself fails, nothing is posted and the failure is recorded: a late digest beats a double.

The one window left is a runner that is alive but stalled for longer than the lease between
claiming and posting; `LEASE` is far longer than a post can take (a 30 s timeout plus at most
`RATE_LIMIT_RETRIES` Retry-After waits).

Who may receive a digest
------------------------
A digest carries customer notes, so it goes only to someone who may use Holdfast, by the same rule
as every Slack request (`bot.access`): before the send, each owner is looked up in Slack (once
per run; the time-zone refresh's answer is reused) and checked with `why_not`. An owner who became
a guest, or left the organisation or the access group, is sent nothing and nothing is claimed; the
run reports them (and logs it) with how many customers need a new owner. When Slack cannot say,
nothing is sent either: the owner's digest counts as failed and the next run tries again.

When the digest is due
----------------------
The job runs every few minutes (see `bot.scheduler`). An owner's digest is due on a digest weekday
at or after `DIGEST_HOUR` wall-clock time in their Slack time zone, for their local day, until it
is `sent`: so a restart sends nothing again, a run missed while the bot was down catches up the
same day, and daylight-saving changes do not move the hour. Time zones come from `users.info`,
cached on the owner and asked again daily; a deactivated account is skipped and logged. The time is
the services' clock; an owner's "today" is `bot.rules.digest.local_now` of it in their zone.

Owners first
------------
Most runs have nobody to send to, so a run reads the owners first (one cheap query) and decides, per
owner, whether their digest is due (`bot.rules.digest.digest_day`). A scheduled run then drops those
whose ledger row for that local day would refuse a claim (sent, claimed within its lease, or tried
`MAX_ATTEMPTS` times): a read, so only a hint — the claim above still decides, and a runner that read
the ledger just before another claimed is refused there. Only the owners left have their customers
read and planned; key accounts are still ranked over the whole workspace (its cut-off read from the
database) when not every owner's book is read. A run by hand (`force`) plans every owner, so
`holdfast nudge` still says whose digest was sent already.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot.access import AccessCheck, for_one_run
from bot.claiming_job import ClaimingJob
from bot.gc_pause import gc_paused
from bot.operations.key_accounts import key_cutoff
from bot.rules.access import Denial
from bot.rules.digest import DayPlan, DigestPlan, OwnerFacts, Skip, digest_day, plan_day
from bot.rules.key_accounts import is_key
from bot.rules.schedule import DigestTime, digest_time
from bot.services import Services
from bot.slack_client import make_web_client
from bot.slack_history import find_posted
from bot.slack_users import SlackLookupError
from handlers.views.digest import MAX_CUSTOMERS, METADATA_EVENT, digest_message
from storage.ledger import Claim, ClaimRefused
from storage.nudges import (
    CustomerRow,
    OwnerRow,
    claim_digest,
    claim_refusals,
    mark_failed,
    mark_sent,
    planning_customers,
    planning_owners,
)
from storage.owners import active_customer_count, ensure_owners, owner_by_user, owners_to_refresh

logger = logging.getLogger("holdfast.nudges")

Owners = dict[tuple[str, str], OwnerRow | None]

LEASE = timedelta(minutes=15)
TZ_MAX_AGE = timedelta(hours=20)  # "daily", early enough that it is not asked at the send hour
MAX_ATTEMPTS = 5  # a scheduled run stops retrying an owner's digest after this many tries a day
SEND_THREADS = 4


class Outcome(StrEnum):
    SENT = "sent"
    FOUND = "already in Slack"  # an earlier attempt had posted it; the ledger now says so
    ALREADY_SENT = ClaimRefused.ALREADY_SENT.value
    IN_PROGRESS = ClaimRefused.IN_PROGRESS.value
    GAVE_UP = ClaimRefused.GAVE_UP.value
    FAILED = "failed"
    STOPPED = "left for the next run"  # the process is stopping; nothing was claimed
    AWAY = "away"  # their Slack status says they are away: nothing claimed, the asks wait


@dataclass(frozen=True)
class Delivery:
    plan: DigestPlan
    outcome: Outcome
    detail: str = ""


@dataclass(frozen=True)
class Refused:
    """An owner who may no longer use Holdfast: sent nothing; their customers need a new owner."""

    team_id: str
    user_id: str
    denial: Denial
    customers: int


@dataclass
class RunReport:
    """What one run planned and did."""

    plans: list[DigestPlan] = field(default_factory=list)
    skipped: list[tuple[OwnerFacts, Skip]] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)

    def count(self, outcome: Outcome) -> int:
        return sum(d.outcome == outcome for d in self.deliveries)


def owner_facts(key: tuple[str, str], owner: OwnerRow | None, default: DigestTime) -> OwnerFacts:
    """What planning knows of an owner (their own digest time when they chose one, from the Home
    tab's settings); the defaults (UTC, the workspace's time) while they have no row yet."""
    if owner is None:
        return OwnerFacts(*key)
    own = owner.digest_hour is not None or owner.digest_weekdays is not None
    time = digest_time(owner.digest_hour, owner.digest_weekdays, default=default) if own else None
    return OwnerFacts(owner.team_id, owner.user_id, owner.tz, owner.paused_until, owner.deactivated, time)


def log_summary(report: RunReport) -> None:
    """One warning per refused owner and failed digest, then the run's one summary line."""
    for refused in report.refused:
        logger.warning(
            "owner %s cannot use Holdfast (%s): no digest sent; %d customers need a new owner",
            refused.user_id,
            refused.denial,
            refused.customers,
        )
    for delivery in report.deliveries:
        if delivery.outcome == Outcome.FAILED:
            logger.warning(
                "digest for %s on %s failed: %s",
                delivery.plan.owner_user_id,
                delivery.plan.local_day,
                delivery.detail,
            )
    logger.info(
        "digests: %d sent, %d found already in Slack, %d failed, %d already sent, %d skipped, "
        "%d away, %d owners refused",
        report.count(Outcome.SENT),
        report.count(Outcome.FOUND),
        report.count(Outcome.FAILED),
        report.count(Outcome.ALREADY_SENT),
        len(report.skipped),
        report.count(Outcome.AWAY),
        len(report.refused),
    )


class NudgeJob(ClaimingJob):
    """The digest job for one process. Call it (the scheduler does) or use `run` for options."""

    def __init__(
        self,
        services: Services,
        client: WebClient | None = None,
        *,
        runner: str | None = None,
        send_threads: int = SEND_THREADS,
        lease: timedelta = LEASE,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> None:
        super().__init__(services, runner=runner, lease=lease, max_attempts=max_attempts)
        self.client = client or make_web_client(services.settings, retry_connection_errors=False)
        self.send_threads = send_threads
        self.away = services.settings.away_rule()

    def __call__(self) -> RunReport:
        """A scheduled run: digests whose local hour has come and that are not sent yet."""
        return self.run()

    # -- the run ---------------------------------------------------------------------------------
    def run(
        self,
        *,
        force: bool = False,
        day: date | None = None,
        owner: str | None = None,
        dry_run: bool = False,
    ) -> RunReport:
        """Plan and send. `force` ignores the local hour and weekday (and the daily retry cap); `day`
        plans that day for every owner, on a dry run only (a digest sent now is each owner's today's,
        and is recorded so); `owner` limits the run to one Slack user; `dry_run` plans from what is
        stored, calling neither Slack nor writing anything."""
        if day is not None and not dry_run:
            raise ValueError("a given day is only planned (dry_run), never sent")
        now = self.services.clock()
        check = for_one_run(self.services.settings, self.client)
        owners = self.owners()
        if not dry_run and self.refresh_owners(now, check, owners):
            owners = self.owners()  # rows were added or refreshed from Slack
        planned = self.plan(now, force=force, day=day, owner=owner, owners=owners)
        report = RunReport(plans=planned.plans, skipped=planned.skipped)
        if dry_run:
            return report
        if planned.plans:
            self.send(report, now, check, force=force)
        log_summary(report)
        return report

    def send(self, report: RunReport, now: datetime, check: AccessCheck, *, force: bool) -> None:
        """Claim, screen and deliver each planned digest, recording every outcome in `report`."""
        max_attempts = None if force else self.max_attempts
        keys = [(p.team_id, p.owner_user_id, p.local_day) for p in report.plans]
        with self.services.database.session() as session:
            refusals = claim_refusals(
                keys, now=now, lease=self.lease, max_attempts=max_attempts, session=session
            )
        pending = []
        for plan, key in zip(report.plans, keys, strict=True):
            if refusals.get(key) == ClaimRefused.ALREADY_SENT:
                report.deliveries.append(Delivery(plan, Outcome.ALREADY_SENT))
            else:
                pending.append(plan)
        with ThreadPoolExecutor(self.send_threads, thread_name_prefix="holdfast-nudge") as pool:
            screened = list(pool.map(lambda p: self.screen(p, check, now), pending))
            sendable = [plan for plan, held in zip(pending, screened, strict=True) if held is None]
            report.refused.extend(held for held in screened if isinstance(held, Refused))
            report.deliveries.extend(held for held in screened if isinstance(held, Delivery))
            report.deliveries.extend(pool.map(lambda p: self.deliver(p, now, max_attempts), sendable))

    def owners(self) -> Owners:
        """Everyone who owns an active customer, with their row (None: no row yet)."""
        with self.services.database.session() as session:
            return planning_owners(session=session)

    def plan(
        self,
        now: datetime,
        *,
        force: bool = False,
        day: date | None = None,
        owner: str | None = None,
        owners: Owners | None = None,
    ) -> DayPlan:
        """The digests due at `now`, planned from what the database holds (reads only).

        Owners come first (`owners`, or read now): only those whose digest is due (their local hour
        has come, and, on a scheduled run, the ledger would let it be claimed) have their customers
        read and planned.
        """
        settings = self.services.settings
        hour, weekdays = settings.digest_hour, settings.digest_days
        default = DigestTime(hour, weekdays)
        with gc_paused(), self.services.database.session() as session:
            rows = planning_owners(session=session) if owners is None else owners
            facts = {
                key: owner_facts(key, row, default)
                for key, row in sorted(rows.items())
                if owner is None or key[1] == owner
            }
            days = {
                key: digest_day(o, now, hour=hour, weekdays=weekdays, force=force, day=day)
                for key, o in facts.items()
            }
            skipped = [(facts[key], why) for key, why in days.items() if isinstance(why, Skip)]
            due = {key: on for key, on in days.items() if not isinstance(on, Skip)}
            if not force:  # a digest sent, being sent or given up on today is not planned again
                refused = claim_refusals(
                    [(*key, on) for key, on in due.items()],
                    now=now,
                    lease=self.lease,
                    max_attempts=self.max_attempts,
                    session=session,
                )
                due = {key: on for key, on in due.items() if (*key, on) not in refused}
            customers: list[CustomerRow] = []
            key_ids: dict[str, set[int]] = {}
            for team_id in sorted({team for team, _ in due}):
                users = {user for team, user in due if team == team_id}
                whole = users == {user for team, user in rows if team == team_id}
                book = planning_customers(
                    team_id=team_id, owner_user_ids=None if whole else users, session=session
                )
                if not whole:  # key accounts are ranked over the whole book, not the owners read
                    key_ids[team_id] = self._key_ids(team_id, book, session=session)
                customers.extend(book)
            planned = plan_day(
                customers,
                {key: facts[key] for key in due},
                now=now,
                policy=settings.policy(),
                hour=hour,
                weekdays=weekdays,
                cap=min(settings.digest_max_customers, MAX_CUSTOMERS),
                force=force,
                day=day,
                key_ids=key_ids,
            )
            # Freed while the collector is paused: its first pass afterwards would scan every row once.
            del customers
        return DayPlan(planned.plans, skipped)

    def _key_ids(self, team_id: str, book: list[CustomerRow], *, session: Session) -> set[int]:
        """The key accounts among `book`, by the workspace's cut-off read from the database."""
        cutoff = key_cutoff(team_id, self.services.settings.key_account_share, session=session)
        return {c.id for c in book if is_key(c.arr, c.active, cutoff)}

    # -- owners' time zones, and who may still receive a digest --------------------------------
    def refresh_owners(
        self, now: datetime, check: AccessCheck | None = None, owners: Owners | None = None
    ) -> bool:
        """Make sure every owner (of `owners`, or read now) has a row, and read stale time zones from
        Slack (`users.info`); returns whether any row was added or refreshed."""
        check = check or for_one_run(self.services.settings, self.client)
        database = self.services.database
        missing = [key for key, row in (self.owners() if owners is None else owners).items() if row is None]
        if missing:
            with database.transaction() as session:
                ensure_owners(missing, session=session)
        with database.session() as session:
            stale = [(o.team_id, o.user_id) for o in owners_to_refresh(now, TZ_MAX_AGE, session=session)]
        if not stale:
            return bool(missing)
        with ThreadPoolExecutor(self.send_threads, thread_name_prefix="holdfast-users") as pool:
            profiles = list(pool.map(lambda key: _profile(check, key[1]), stale))
        with database.transaction() as session:
            for (team_id, user_id), profile in zip(stale, profiles, strict=True):
                if profile is None:
                    continue
                owner = owner_by_user(team_id, user_id, session=session)
                if owner is None:
                    continue
                if profile["deleted"] and not owner.deactivated:
                    logger.warning("owner %s is deactivated in Slack: their digests are skipped", user_id)
                owner.deactivated = profile["deleted"]
                owner.tz = profile["tz"] or owner.tz
                owner.display_name = profile["name"] or owner.display_name
                owner.email = profile["email"] or owner.email
                owner.tz_refreshed_at = now
                session.add(owner)
        return True

    def screen(self, plan: DigestPlan, check: AccessCheck, now: datetime) -> Refused | Delivery | None:
        """None when the owner may still receive `plan` and is not away; otherwise why it is not sent.

        Away (their Slack status, `AWAY_STATUS_EMOJI` / `_WORDS`) is asked on every run that plans
        their digest: nothing is claimed, so it goes out on the first run after they are back that
        day, and not at all on a day they stay away.
        """
        try:
            denial = check.denial(plan.team_id, plan.owner_user_id)
            user = check.user(plan.owner_user_id) if denial is None else None
        except SlackLookupError as exc:
            return Delivery(plan, Outcome.FAILED, f"not sent: could not check the owner ({exc})")
        if denial is None:
            profile = (user or {}).get("profile")
            return (
                Delivery(plan, Outcome.AWAY)
                if self.away.is_away(profile, now_epoch=now.timestamp())
                else None
            )
        with self.services.database.session() as session:
            customers = active_customer_count(plan.team_id, plan.owner_user_id, session=session)
        return Refused(plan.team_id, plan.owner_user_id, denial, customers)

    # -- one owner's digest ----------------------------------------------------------------------
    def deliver(self, plan: DigestPlan, now: datetime, max_attempts: int | None = MAX_ATTEMPTS) -> Delivery:
        """Claim, send and mark one owner's digest (see the module docstring)."""
        if self._stopping.is_set():
            return Delivery(plan, Outcome.STOPPED)
        database = self.services.database
        with database.transaction() as session:
            claim = claim_digest(
                team_id=plan.team_id,
                owner_user_id=plan.owner_user_id,
                local_day=plan.local_day,
                customer_ids=plan.customer_ids,
                runner=self.runner,
                now=now,
                lease=self.lease,
                max_attempts=max_attempts,
                session=session,
            )
        if isinstance(claim, ClaimRefused):
            return Delivery(plan, Outcome(claim.value))
        channel = claim.channel
        try:
            if claim.attempts > 1:
                channel = channel or self._dm_channel(plan.owner_user_id)
                found = find_posted(
                    self.client, channel, event_type=METADATA_EVENT, key="digest_id", value=claim.digest_id
                )
                if found is not None:
                    with database.transaction() as session:
                        mark_sent(claim.digest_id, channel=channel, ts=found, now=now, session=session)
                    return Delivery(plan, Outcome.FOUND)
            message = digest_message(plan, digest_id=claim.digest_id)
            response = self.client.chat_postMessage(
                channel=plan.owner_user_id,
                text=message.text,
                blocks=message.blocks,
                metadata=message.metadata,
                unfurl_links=False,
                unfurl_media=False,
            )
        except SlackApiError as exc:
            return self._failed(plan, claim, channel, str(exc.response.get("error") or exc))
        except Exception as exc:  # logged with its traceback, recorded, retried on the next run
            logger.exception("digest for %s could not be sent", plan.owner_user_id)
            return self._failed(plan, claim, channel, f"{type(exc).__name__}: {exc}")
        with database.transaction() as session:
            mark_sent(
                claim.digest_id,
                channel=str(response["channel"]),
                ts=str(response["ts"]),
                now=now,
                session=session,
            )
        return Delivery(plan, Outcome.SENT)

    def _failed(self, plan: DigestPlan, claim: Claim, channel: str | None, error: str) -> Delivery:
        with self.services.database.transaction() as session:
            mark_failed(claim, error=error, channel=channel, session=session)
        return Delivery(plan, Outcome.FAILED, error)

    def _dm_channel(self, user_id: str) -> str:
        return str(self.client.conversations_open(users=user_id)["channel"]["id"])


def _profile(check: AccessCheck, user_id: str) -> dict[str, Any] | None:
    """What an owner's row keeps from Slack; None when Slack could not say (the cached zone stays)."""
    try:
        user = check.user(user_id)
    except SlackLookupError as exc:
        logger.warning("%s; keeping the cached time zone of %s", exc, user_id)
        return None
    if user is None:
        return {"deleted": True, "tz": None, "name": None, "email": None}
    profile = user.get("profile") or {}
    return {
        "deleted": bool(user.get("deleted")),
        "tz": user.get("tz"),
        "name": (profile.get("display_name") or user.get("real_name") or None),
        "email": profile.get("email"),
    }
