"""The daily digest, decided: whose digest is due now, for which local day, and what it lists.

Pure: the caller passes the UTC `now`, the owners (with their Slack time zones) and the customers.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.rules.facts import CustomerFacts
from bot.rules.key_accounts import key_account_ids
from bot.rules.nudges import DueReason, active_arr, describe, first_due, question_for
from bot.rules.policy import Policy
from bot.rules.schedule import DigestTime


class OwnedCustomerFacts(CustomerFacts, Protocol):
    """A customer with the workspace and the owner it belongs to."""

    @property
    def team_id(self) -> str: ...
    @property
    def owner_user_id(self) -> str: ...


@dataclass(frozen=True)
class OwnerFacts:
    """What the planner needs to know about an owner (storage.models.Owner, or a default)."""

    team_id: str
    user_id: str
    tz: str = "UTC"
    paused_until: date | None = None
    deactivated: bool = False
    time: DigestTime | None = None  # their own digest hour and days; None: the workspace's


class Skip(StrEnum):
    """Why an owner with customers gets no digest now."""

    DEACTIVATED = "deactivated"
    PAUSED = "paused"
    NOT_YET = "not yet"  # before the send hour, or not a digest weekday, in their time zone


class SnoozePeriod(StrEnum):
    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True)
class DigestItem:
    """One customer in a digest: the customer, why they are due (most urgent first), and whether it
    is a key account."""

    customer: OwnedCustomerFacts
    reasons: tuple[DueReason, ...]
    is_key: bool

    @property
    def question(self) -> str:
        """What to ask them, fitting the most urgent reason."""
        return question_for(self.customer, self.reasons[0].kind if self.reasons else None)


@dataclass(frozen=True)
class DigestPlan:
    """One owner's digest for one local day: the customers shown (highest priority first), how many
    more are due today, and how many new customers are queued for the coming days
    (`bot.rules.nudges.spread_new`)."""

    team_id: str
    owner_user_id: str
    local_day: date
    items: tuple[DigestItem, ...]
    more: int = 0
    queued: int = 0

    @property
    def customer_ids(self) -> list[int]:
        return [item.customer.id for item in self.items if item.customer.id is not None]

    @property
    def total(self) -> int:
        return len(self.items) + self.more


@dataclass(frozen=True)
class DayPlan:
    """Every digest due now, and the owners with customers who are skipped, with why."""

    plans: list[DigestPlan] = field(default_factory=list)
    skipped: list[tuple[OwnerFacts, Skip]] = field(default_factory=list)


def zone(name: str | None) -> ZoneInfo:
    """The IANA zone `name`; UTC when it is missing or unknown (Slack users without a zone)."""
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return ZoneInfo("UTC")


def local_now(now: datetime, tz: str | None) -> datetime:
    """`now` (tz-aware, any zone) as wall-clock time in `tz`."""
    return now.astimezone(zone(tz))


def window_open(local: datetime, *, hour: int, weekdays: frozenset[int]) -> bool:
    """Whether a digest may go out at local time `local`: a digest weekday, at or after `hour`.

    Comparing wall-clock time in the owner's zone keeps 09:00 at 09:00 across daylight-saving
    changes, and "at or after" lets a run missed while the bot was down catch up the same day.
    """
    return local.weekday() in weekdays and local.hour >= hour


def owner_is_paused(paused_until: date | None, today: date) -> bool:
    """A paused owner gets no digest before `paused_until` (like a snooze, the day itself counts)."""
    return paused_until is not None and today < paused_until


def tz_is_stale(refreshed_at: datetime | None, now: datetime, max_age: timedelta) -> bool:
    """Whether an owner's cached Slack time zone should be asked for again."""
    return refreshed_at is None or now - refreshed_at >= max_age


def snooze_until(today: date, period: SnoozePeriod) -> date:
    """The first day a snoozed customer may be nudged again: a week, or a calendar month, from today."""
    if period == SnoozePeriod.WEEK:
        return today + timedelta(days=7)
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return date(year, month, min(today.day, calendar.monthrange(year, month)[1]))


def digest_day(
    owner: OwnerFacts,
    now: datetime,
    *,
    hour: int,
    weekdays: frozenset[int],
    force: bool = False,
    day: date | None = None,
) -> date | Skip:
    """The local day `owner`'s digest at `now` is for, or why they get none now. `hour` and
    `weekdays` are the workspace's, for an owner who chose no time of their own.

    The owner's "today" is their wall-clock date (`local_now`); `day` and `force` as in `plan_day`.
    """
    local = local_now(now, owner.tz)
    today = day or local.date()
    if owner.deactivated:
        return Skip.DEACTIVATED
    if owner_is_paused(owner.paused_until, today):
        return Skip.PAUSED
    if owner.time is not None:
        hour, weekdays = owner.time.hour, owner.time.weekdays
    if not force and not window_open(local, hour=hour, weekdays=weekdays):
        return Skip.NOT_YET
    return today


def plan_owner(
    customers: Iterable[OwnedCustomerFacts],
    *,
    team_id: str,
    owner_user_id: str,
    today: date,
    policy: Policy,
    key_ids: set[int],
    cap: int,
    arr_total: float | None = None,
) -> DigestPlan | None:
    """One owner's digest for `today`: the `cap` due customers of highest priority; None if none.

    Customers due only because never checked in count as due today up to the policy's
    `new_customer_daily_cap`, largest first; the rest are queued (`bot.rules.nudges.spread_new`).
    `arr_total` is the workspace's active ARR, which priority's ARR shares are of (as in `first_due`).
    """
    shown, total, queued = first_due(
        customers,
        today=today,
        policy=policy,
        key_ids=key_ids,
        cap=cap,
        arr_total=arr_total,
        new_cap=policy.new_customer_daily_cap,
    )
    if not total:
        return None
    items = []
    for d in shown:  # only the customers shown are worded
        is_key = d.customer.id in key_ids
        reasons = describe(d.kinds, d.customer, today=today, policy=policy, is_key=is_key)
        items.append(DigestItem(d.customer, reasons, is_key))
    return DigestPlan(team_id, owner_user_id, today, tuple(items), more=total - len(shown), queued=queued)


def plan_day(
    customers: Iterable[OwnedCustomerFacts],
    owners: Mapping[tuple[str, str], OwnerFacts],
    *,
    now: datetime,
    policy: Policy,
    hour: int,
    weekdays: frozenset[int],
    cap: int,
    force: bool = False,
    day: date | None = None,
    only_owner: str | None = None,
    key_ids: Mapping[str, set[int]] | None = None,
) -> DayPlan:
    """The digests due at `now`, one per owner with something due, each for the owner's local day.

    `force` ignores the send hour and weekday (a run by hand); `day` plans that day for everyone;
    `only_owner` limits the plan to one Slack user. Owners without a row default to UTC.
    `key_ids` gives a workspace's key accounts where `customers` is not its whole book; the others
    are ranked from `customers`. Priority's ARR shares are of each workspace's active ARR in
    `customers`: where that is part of the book, the order is the same (every share is divided by
    the same total).
    """
    by_team: dict[str, list[OwnedCustomerFacts]] = defaultdict(list)
    by_owner: dict[tuple[str, str], list[OwnedCustomerFacts]] = defaultdict(list)
    for customer in customers:
        if not customer.active:
            continue
        by_team[customer.team_id].append(customer)
        if only_owner is None or customer.owner_user_id == only_owner:
            by_owner[customer.team_id, customer.owner_user_id].append(customer)
    given = key_ids or {}
    keys = {
        team: given[team] if team in given else key_account_ids(book, policy.key_account_share)
        for team, book in by_team.items()
    }
    arr = {team: active_arr(book) for team, book in by_team.items()}
    result = DayPlan()
    for (team_id, user_id), book in sorted(by_owner.items()):
        owner = owners.get((team_id, user_id)) or OwnerFacts(team_id, user_id)
        today = digest_day(owner, now, hour=hour, weekdays=weekdays, force=force, day=day)
        if isinstance(today, Skip):
            result.skipped.append((owner, today))
            continue
        plan = plan_owner(
            book,
            team_id=team_id,
            owner_user_id=user_id,
            today=today,
            policy=policy,
            key_ids=keys[team_id],
            cap=cap,
            arr_total=arr[team_id],
        )
        if plan is not None:
            result.plans.append(plan)
    return result
