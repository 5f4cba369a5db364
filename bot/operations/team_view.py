"""The team view: is the reason still true across the whole book? One workspace's figures for a
period, for a lead (App Home's Team tab, `holdfast report`, the weekly team digest).

The figures are computed in SQL aggregates (`storage.team_figures`), never by loading the book.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from bot.access import AccessCheck
from bot.operations.actor import Actor
from bot.operations.export_book import choose_workspace
from bot.operations.key_accounts import key_cutoff
from bot.rules.digest import owner_is_paused
from bot.services import Services
from storage import team_figures as figures
from storage.customers import workspace_ids


@dataclass(frozen=True)
class ReasonCoverage:
    """The share of ARR (and of key-account ARR) whose reason was confirmed as holding in the period."""

    arr: float
    confirmed_arr: float
    key_arr: float
    key_confirmed_arr: float

    @property
    def share(self) -> float | None:
        return self.confirmed_arr / self.arr if self.arr else None

    @property
    def key_share(self) -> float | None:
        return self.key_confirmed_arr / self.key_arr if self.key_arr else None


@dataclass(frozen=True)
class WeekPoint:
    """Reason coverage as it stood at the end of one week (its Monday), for the 12-week trend."""

    week: date
    share: float | None
    key_share: float | None


@dataclass(frozen=True)
class OwnerLine:
    """One owner's book in the period (only a lead ever sees another owner's line)."""

    owner_user_id: str
    customers: int
    arr: float
    contacted: int  # with a check-in within their cadence
    asked: int  # with a reason verdict (holds / weakened / changed) in the period
    holds: int  # latest verdict, in the period
    weakened: int
    changed: int
    concerns_open: int  # weakened/changed or a disruptive change with no conversation since
    snoozed: int
    paused: bool  # the owner's digests are paused
    deactivated: bool = False  # the owner may no longer use Holdfast (their customers are unowned)
    confirmed_arr: float = 0.0  # their ARR whose reason was confirmed as holding in the period
    display_name: str | None = None  # as stored for the owner, when known


@dataclass(frozen=True)
class AccountLine:
    """A customer on one of the lead's lists; `days` is the list's own figure (days since the last
    contact, or days to the renewal)."""

    customer_id: int
    name: str
    owner_user_id: str
    arr: float | None
    days: int | None


@dataclass(frozen=True)
class ThemeLine:
    """One reason theme (None: not set): how much of the book bought for it, how much of that erodes
    (latest verdict weakened or changed), and the themes it changed to."""

    theme: str | None
    customers: int
    arr: float
    eroding: int
    changed_to: dict[str | None, int] = field(default_factory=dict)
    # The latest verdicts (eroding = weakened + changed; the rest have no verdict or not asked).
    holds: int = 0
    weakened: int = 0
    changed: int = 0

    @property
    def eroding_share(self) -> float | None:
        return self.eroding / self.customers if self.customers else None


@dataclass(frozen=True)
class TenureSplit:
    """New (in their first year) versus tenured customers: check-ins in the period against each
    group's share of the customers and of the ARR; `neglected` when tenured ARR gets clearly less
    attention than its share."""

    new_customers: int
    tenured_customers: int
    new_arr: float
    tenured_arr: float
    new_checkins: int
    tenured_checkins: int
    neglected: bool

    @property
    def tenured_customer_share(self) -> float | None:
        total = self.new_customers + self.tenured_customers
        return self.tenured_customers / total if total else None

    @property
    def tenured_arr_share(self) -> float | None:
        total = self.new_arr + self.tenured_arr
        return self.tenured_arr / total if total else None

    @property
    def tenured_checkin_share(self) -> float | None:
        total = self.new_checkins + self.tenured_checkins
        return self.tenured_checkins / total if total else None


@dataclass(frozen=True)
class TeamView:
    """Everything the team view shows for one workspace, period and day."""

    team_id: str
    today: date
    period_days: int
    coverage: ReasonCoverage
    trend: list[WeekPoint]  # the last 12 weeks, oldest first
    owners: list[OwnerLine]  # by ARR, largest first
    untouched_key_accounts: list[AccountLine]  # past their cadence, largest first
    renewals_unconfirmed: list[AccountLine]  # inside the window, soonest first
    unowned: list[AccountLine]  # their owner may not use Holdfast
    themes: list[ThemeLine]
    tenure: TenureSplit
    # How many customers each list holds in all (the lists show the first `LIST_LIMIT`).
    untouched_total: int = 0
    renewals_total: int = 0
    unowned_total: int = 0


LIST_LIMIT = 50  # lines per list; the list's `*_total` says how many there are in all
TREND_WEEKS = 12
# Tenured customers are neglected when their share of the period's check-ins is below this
# fraction of their share of the ARR.
NEGLECT_RATIO = 0.75


class NotALead(Exception):
    """The actor may not see the team view (only leads may)."""


def team_view(services: Services, team_id: str, *, today: date, period_days: int = 30) -> TeamView:
    """The workspace's team view on `today` for the `period_days` up to it (all figures in SQL)."""
    policy = services.settings.policy()
    start = today - timedelta(days=period_days)
    monday = today - timedelta(days=today.weekday())
    weeks = [monday - timedelta(weeks=TREND_WEEKS - 1 - n) for n in range(TREND_WEEKS)]
    with services.database.snapshot() as session:
        cutoff = key_cutoff(team_id, policy.key_account_share, session=session)
        owners = figures.owner_figures(
            team_id, today=today, start=start, policy=policy, cutoff=cutoff, session=session
        )
        untouched = figures.untouched_key_accounts(
            team_id, today=today, policy=policy, cutoff=cutoff, limit=LIST_LIMIT, session=session
        )
        renewals = figures.renewals_unconfirmed(
            team_id, today=today, policy=policy, limit=LIST_LIMIT, session=session
        )
        unowned = figures.unowned(team_id, today=today, limit=LIST_LIMIT, session=session)
        themes = figures.theme_figures(team_id, session=session)
        changes = figures.changed_to(team_id, session=session)
        tenure = figures.tenure_figures(team_id, today=today, start=start, session=session)
        ends = [min(week + timedelta(days=6), today) for week in weeks]
        past = figures.coverage_at(team_id, ends, period_days=period_days, cutoff=cutoff, session=session)
    coverage = ReasonCoverage(
        arr=sum(o.arr for o in owners),
        confirmed_arr=sum(o.confirmed_arr for o in owners),
        key_arr=sum(o.key_arr for o in owners),
        key_confirmed_arr=sum(o.key_confirmed_arr for o in owners),
    )
    return TeamView(
        team_id=team_id,
        today=today,
        period_days=period_days,
        coverage=coverage,
        trend=[
            WeekPoint(
                week,
                point.confirmed_arr / coverage.arr if coverage.arr else None,
                point.key_confirmed_arr / coverage.key_arr if coverage.key_arr else None,
            )
            for week, point in zip(weeks, past, strict=True)
        ],
        owners=[_owner_line(o, today) for o in owners],
        untouched_key_accounts=[AccountLine(*row) for row in untouched],
        renewals_unconfirmed=_lines(renewals),
        unowned=_lines(unowned),
        themes=_theme_lines(themes, changes),
        tenure=tenure_split(tenure),
        untouched_total=sum(o.untouched_keys for o in owners),
        renewals_total=renewals.total,
        unowned_total=unowned.total,
    )


def report_workspace(services: Services, team_id: str | None) -> str | None:
    """The workspace a report is of: the one asked for, else SLACK_TEAM_ID, else the only one stored
    (None when none is; `ExportError` when several are and none was asked for)."""
    with services.database.session() as session:
        return choose_workspace(team_id or services.settings.slack_team_id, workspace_ids(session=session))


def team_view_for(services: Services, access: AccessCheck, actor: Actor, period_days: int = 30) -> TeamView:
    """The team view of the actor's workspace on their today; raises `NotALead` for anyone else
    (and `SlackLookupError` when Slack cannot say who the actor is)."""
    if not access.is_lead(actor.team_id, actor.user_id):
        raise NotALead(actor.user_id)
    return team_view(services, actor.team_id, today=actor.today(services.clock()), period_days=period_days)


def _owner_line(row: figures.OwnerFigures, today: date) -> OwnerLine:
    return OwnerLine(
        owner_user_id=row.owner_user_id,
        customers=row.customers,
        arr=float(row.arr),
        contacted=row.contacted,
        asked=row.asked,
        holds=row.holds,
        weakened=row.weakened,
        changed=row.changed,
        concerns_open=row.concerns_open,
        snoozed=row.snoozed,
        paused=owner_is_paused(row.paused_until, today),
        deactivated=bool(row.deactivated),
        confirmed_arr=float(row.confirmed_arr),
        display_name=row.display_name,
    )


def _lines(found: figures.AccountList) -> list[AccountLine]:
    return [AccountLine(*row) for row in found.lines]


def _theme_lines(
    themes: list[figures.ThemeFigures], changes: list[tuple[str | None, str | None, int]]
) -> list[ThemeLine]:
    into: dict[str | None, dict[str | None, int]] = {}
    for before, after, count in sorted(changes, key=lambda change: -change[2]):
        into.setdefault(before, {})[after] = count
    return [
        ThemeLine(
            theme=row.theme,
            customers=row.customers,
            arr=float(row.arr),
            eroding=row.weakened + row.changed,
            changed_to=into.get(row.theme, {}),
            holds=row.holds,
            weakened=row.weakened,
            changed=row.changed,
        )
        for row in themes
    ]


def tenure_split(rows: list[figures.TenureFigures]) -> TenureSplit:
    new = next((row for row in rows if row.new), figures.TenureFigures(True, 0, 0.0, 0))
    old = next((row for row in rows if not row.new), figures.TenureFigures(False, 0, 0.0, 0))
    split = TenureSplit(
        new_customers=new.customers,
        tenured_customers=old.customers,
        new_arr=new.arr,
        tenured_arr=old.arr,
        new_checkins=new.checkins,
        tenured_checkins=old.checkins,
        neglected=False,
    )
    arr_share, checkin_share = split.tenured_arr_share, split.tenured_checkin_share
    neglected = (
        arr_share is not None and checkin_share is not None and checkin_share < NEGLECT_RATIO * arr_share
    )
    return replace(split, neglected=neglected)
