"""The team view's figures as SQL aggregates over one workspace (SQLAlchemy Core; SQLite and
PostgreSQL): rows per owner, per theme, per week and per tenure group, and the short lists' top lines.
Nothing here loads the book.

The rules are the ones `bot.rules.coverage` and `bot.rules.nudges.DueDay` apply to one customer,
written as SQL over the folded columns `storage.checkins.apply_checkin` keeps on each customer:

- *key account*: `bot.rules.key_accounts.is_key`: `arr > 0 AND arr >= cutoff` (no cut-off: none).
- *cadence*: the customer's own `cadence_days` (unless none or zero), else the key or the regular
  cadence (`cadence_for`).
- *contacted within cadence* (`was_contacted`): a last check-in, and `today - last_checkin_on <
  cadence` days, which is `DueDay`'s "not overdue" test (`last >= today + 1 - cadence`).
- *untouched past cadence*: what `DueDay` calls overdue or never checked in: the last check-in (or,
  without one, customer-since) at least a cadence ago, or neither date known.
- *confirmed* (`is_confirmed`): `reason_confirmed_on >= today - period` and no later verdict
  (`last_verdict_on <= reason_confirmed_on`).
- *concern not followed up*: `DueDay`'s follow-up test: `concern_on < today + 1 - follow_up_days`
  and no check-in after it (`last_checkin_on <= concern_on`).
- *renewal unconfirmed*: a renewal from today to `today + renewal_window_days`, and no holds on or
  after `today - reason_confirmed_days`.
- *snoozed*: `today < snoozed_until` (`is_resting`); an owner *paused*: `today < paused_until`.

Only active customers count. Days between two dates are `days_between` (julianday on SQLite, date
subtraction on PostgreSQL).

How it reads: the aggregates over the whole book scan `customer` once each (`scanned`); the untouched
list reads key accounts in ARR order (`ix_customer_team_active_arr`) and stops at its last line; a
period's check-ins come from `ix_checkin_team_day` alone, a customer's next verdict from
`ix_checkin_customer_verdict` alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlmodel import Session

from bot.rules.policy import Policy
from bot.rules.vocabulary import Verdict
from storage.bulk import CHECKIN, CUSTOMER, OWNER
from storage.sql import days_between, scanned

C, K = CUSTOMER.c, CHECKIN.c
ERODED = (Verdict.WEAKENED, Verdict.CHANGED)


def _day(value: date) -> sa.ColumnElement[date]:
    return sa.literal(value, sa.Date)


def _is_key(cutoff: float | None) -> sa.ColumnElement[bool]:
    if cutoff is None:
        return sa.false()
    return sa.and_(C.arr > 0, C.arr >= cutoff)


def _within_cadence(
    seen: sa.ColumnElement[date], today: date, policy: Policy, cutoff: float | None
) -> sa.ColumnElement[bool]:
    """Whether `seen` lies within the customer's cadence of `today`: `DueDay`'s `seen >= fresh_from`,
    with the policy cadences' first days worked out once; only a customer's own cadence (none or
    zero: the policy's, as in `cadence_for`) is counted in days."""
    return sa.case(
        (C.cadence_days != 0, days_between(_day(today), seen) < C.cadence_days),
        (_is_key(cutoff), seen >= _day(today + timedelta(days=1 - policy.key_cadence_days))),
        else_=seen >= _day(today + timedelta(days=1 - policy.cadence_days)),
    )


def _contacted(today: date, policy: Policy, cutoff: float | None) -> sa.ColumnElement[bool]:
    return sa.and_(C.last_checkin_on.is_not(None), _within_cadence(C.last_checkin_on, today, policy, cutoff))


def _untouched(today: date, policy: Policy, cutoff: float | None) -> sa.ColumnElement[bool]:
    seen = sa.func.coalesce(C.last_checkin_on, C.customer_since)
    return sa.or_(seen.is_(None), sa.not_(_within_cadence(seen, today, policy, cutoff)))


def _confirmed(start: date) -> sa.ColumnElement[bool]:
    return sa.and_(
        C.reason_confirmed_on >= start,
        sa.or_(C.last_verdict_on.is_(None), C.last_verdict_on <= C.reason_confirmed_on),
    )


def _awaiting_follow_up(today: date, policy: Policy) -> sa.ColumnElement[bool]:
    return sa.and_(
        C.concern_on < today + timedelta(days=1 - policy.follow_up_days),
        sa.or_(C.last_checkin_on.is_(None), C.last_checkin_on <= C.concern_on),
    )


def _renewal_unconfirmed(today: date, policy: Policy) -> sa.ColumnElement[bool]:
    return sa.and_(
        C.renewal_date >= today,
        C.renewal_date <= today + timedelta(days=policy.renewal_window_days),
        sa.or_(
            C.reason_confirmed_on.is_(None),
            C.reason_confirmed_on < today - timedelta(days=policy.reason_confirmed_days),
        ),
    )


def _book(team_id: str) -> sa.ColumnElement[bool]:
    """The workspace's active customers, read by scanning the table (the team view reads all of it)."""
    return sa.and_(scanned(C.team_id) == team_id, C.active.is_(True))


def _count(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.func.count().filter(condition)


def _arr_sum(condition: sa.ColumnElement[bool] | None = None) -> sa.ColumnElement[float]:
    arr = sa.func.coalesce(C.arr, 0.0)
    return sa.func.coalesce(
        sa.func.sum(arr if condition is None else sa.case((condition, arr), else_=0.0)), 0.0
    )


class OwnerFigures(NamedTuple):
    """One owner's active book: the per-owner figures and the owner's part of reason coverage."""

    owner_user_id: str
    customers: int
    arr: float
    contacted: int
    asked: int
    holds: int
    weakened: int
    changed: int
    concerns_open: int
    snoozed: int
    confirmed_arr: float
    key_arr: float
    key_confirmed_arr: float
    untouched_keys: int  # key accounts past their cadence (the untouched list's total)
    paused_until: date | None
    deactivated: bool
    display_name: str | None


def owner_figures(
    team_id: str, *, today: date, start: date, policy: Policy, cutoff: float | None, session: Session
) -> list[OwnerFigures]:
    """Each owner's figures for the period from `start` to `today`, by ARR, largest first."""
    key, confirmed = _is_key(cutoff), _confirmed(start)
    in_period = C.last_verdict_on >= start
    verdicts = {
        v: _count(sa.and_(in_period, C.last_verdict == v)).label(v.value) for v in (*ERODED, Verdict.HOLDS)
    }
    figures = (
        sa.select(
            C.owner_user_id,
            sa.func.count().label("customers"),
            _arr_sum().label("arr"),
            _count(_contacted(today, policy, cutoff)).label("contacted"),
            _count(sa.and_(in_period, C.last_verdict != Verdict.NOT_ASKED)).label("asked"),
            verdicts[Verdict.HOLDS],
            verdicts[Verdict.WEAKENED],
            verdicts[Verdict.CHANGED],
            _count(_awaiting_follow_up(today, policy)).label("concerns_open"),
            _count(C.snoozed_until > today).label("snoozed"),
            _arr_sum(confirmed).label("confirmed_arr"),
            _arr_sum(key).label("key_arr"),
            _arr_sum(sa.and_(key, confirmed)).label("key_confirmed_arr"),
            _count(sa.and_(key, _untouched(today, policy, cutoff))).label("untouched_keys"),
        )
        .where(_book(team_id))
        .group_by(C.owner_user_id)
        .subquery()
    )
    owner = OWNER.alias()
    query = (
        sa.select(
            figures,
            owner.c.paused_until,
            sa.func.coalesce(owner.c.deactivated, sa.false()),
            owner.c.display_name,
        )
        .select_from(
            figures.outerjoin(
                owner,
                sa.and_(owner.c.team_id == team_id, owner.c.user_id == figures.c.owner_user_id),
            )
        )
        .order_by(figures.c.arr.desc(), figures.c.owner_user_id)
    )
    return [OwnerFigures(*row) for row in session.connection().execute(query)]


class AccountRow(NamedTuple):
    customer_id: int
    name: str
    owner_user_id: str
    arr: float | None
    days: int | None


class AccountList(NamedTuple):
    """A list's top lines and how many customers it holds in all."""

    lines: list[AccountRow]
    total: int


def _list_query(
    where: sa.ColumnElement[bool], days: sa.ColumnElement[int], order: Sequence[Any], *, limit: int
) -> sa.Select[Any]:
    return (
        sa.select(C.id, C.name, C.owner_user_id, C.arr, days).where(where).order_by(*order, C.id).limit(limit)
    )


def _account_list(
    where: sa.ColumnElement[bool],
    days: sa.ColumnElement[int],
    order: Sequence[Any],
    *,
    limit: int,
    session: Session,
) -> AccountList:
    """The first `limit` customers of a list, and how many it holds (counted in the same pass)."""
    query = _list_query(where, days, order, limit=limit).add_columns(sa.func.count().over())
    rows = session.connection().execute(query).all()
    return AccountList([AccountRow(*row[:-1]) for row in rows], int(rows[0][-1]) if rows else 0)


def untouched_key_accounts(
    team_id: str, *, today: date, policy: Policy, cutoff: float | None, limit: int, session: Session
) -> list[AccountRow]:
    """Key accounts past their cadence, largest first; `days` since the last check-in (None: never).
    Read in the ARR index's order, so only the lines shown are read (`OwnerFigures.untouched_keys`
    counts them all)."""
    where = sa.and_(
        C.team_id == team_id, C.active.is_(True), _is_key(cutoff), _untouched(today, policy, cutoff)
    )
    days = days_between(_day(today), C.last_checkin_on)
    query = _list_query(where, days, [C.arr.desc()], limit=limit)
    return [AccountRow(*row) for row in session.connection().execute(query)]


def renewals_unconfirmed(
    team_id: str, *, today: date, policy: Policy, limit: int, session: Session
) -> AccountList:
    """Renewals inside the window with the reason unconfirmed, soonest first; `days` to the renewal."""
    where = sa.and_(_book(team_id), _renewal_unconfirmed(today, policy))
    days = days_between(C.renewal_date, _day(today))
    order = [C.renewal_date, C.arr.desc().nulls_last()]  # no ARR last, on PostgreSQL too
    return _account_list(where, days, order, limit=limit, session=session)


def unowned(team_id: str, *, today: date, limit: int, session: Session) -> AccountList:
    """Customers whose owner may not use Holdfast (deactivated), largest first; `days` since the last
    check-in."""
    owner = sa.select(OWNER.c.user_id).where(OWNER.c.team_id == team_id, OWNER.c.deactivated.is_(True))
    # Found through the owner index: `active` is not searched, nor is the ARR index's order used.
    where = sa.and_(C.team_id == team_id, scanned(C.active).is_(True), C.owner_user_id.in_(owner))
    days = days_between(_day(today), C.last_checkin_on)
    return _account_list(where, days, [C.arr.desc().nulls_last()], limit=limit, session=session)


class ThemeFigures(NamedTuple):
    """The active customers who bought for one theme (None: not set), by their latest verdict."""

    theme: str | None
    customers: int
    arr: float
    holds: int
    weakened: int
    changed: int


def theme_figures(team_id: str, *, session: Session) -> list[ThemeFigures]:
    """Per original reason theme, by ARR, largest first."""
    theme, arr = C.original_reason_theme, _arr_sum().label("arr")
    query = (
        sa.select(
            theme,
            sa.func.count(),
            arr,
            *(_count(C.last_verdict == v) for v in (Verdict.HOLDS, Verdict.WEAKENED, Verdict.CHANGED)),
        )
        .where(_book(team_id))
        .group_by(theme)
        .order_by(arr.desc(), theme)
    )
    return [ThemeFigures(*row) for row in session.connection().execute(query)]


def changed_to(team_id: str, *, session: Session) -> list[tuple[str | None, str | None, int]]:
    """(original theme, current theme, customers) of the active customers whose latest verdict is
    changed: what each buying reason changed into."""
    query = (
        sa.select(C.original_reason_theme, C.current_reason_theme, sa.func.count())
        .where(_book(team_id), C.last_verdict == Verdict.CHANGED)
        .group_by(C.original_reason_theme, C.current_reason_theme)
    )
    return [(a, b, int(n)) for a, b, n in session.connection().execute(query)]


class TenureFigures(NamedTuple):
    """Active customers in their first year (`new`) or older, and their check-ins in the period."""

    new: bool
    customers: int
    arr: float
    checkins: int


def tenure_figures(team_id: str, *, today: date, start: date, session: Session) -> list[TenureFigures]:
    """One row per group present. New: a customer since after `today - 1 year`; a customer without a
    customer-since date counts as tenured."""
    new = sa.func.coalesce(C.customer_since > _year_before(today), sa.false()).label("new")
    checkins = (
        sa.select(K.customer_id, sa.func.count().label("n"))
        .where(K.team_id == team_id, K.occurred_on >= start, K.occurred_on <= today)
        .group_by(K.customer_id)
        .subquery()
    )
    query = (
        sa.select(new, sa.func.count(), _arr_sum(), sa.func.coalesce(sa.func.sum(checkins.c.n), 0))
        .select_from(CUSTOMER.outerjoin(checkins, checkins.c.customer_id == C.id))
        .where(_book(team_id))
        .group_by(new)
    )
    return [
        TenureFigures(bool(a), int(b), float(c), int(d)) for a, b, c, d in session.connection().execute(query)
    ]


def _year_before(today: date) -> date:
    try:
        return today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        return today.replace(year=today.year - 1, day=28)


class WeekFigures(NamedTuple):
    """Reason coverage's parts at the end of one week."""

    end: date
    confirmed_arr: float
    key_confirmed_arr: float


def coverage_at(
    team_id: str, ends: Sequence[date], *, period_days: int, cutoff: float | None, session: Session
) -> list[WeekFigures]:
    """The ARR confirmed at each of `ends` (from the check-ins): a holds verdict in the `period_days`
    up to that day, and no weakened or changed verdict after it by then. Today's ARR and key accounts.

    One pass over the period's holds check-ins, each customer's holds day with the next verdict day
    after it (`until`; a weakened or changed answer on the same day does not undo it): a customer is
    confirmed at an end when one of its holds days has `low <= day <= end < until`.
    """
    lows = [end - timedelta(days=period_days) for end in ends]
    later = CHECKIN.alias("later")
    until = (
        sa.select(sa.func.min(later.c.occurred_on))
        .where(
            later.c.customer_id == K.customer_id,
            later.c.occurred_on > K.occurred_on,
            later.c.occurred_on <= max(ends),
            later.c.verdict.in_([Verdict.HOLDS, *ERODED]),
        )
        .scalar_subquery()
    )
    spans = (
        sa.select(K.customer_id, K.occurred_on.label("day"), until.label("until"))
        .where(
            K.team_id == team_id,
            K.occurred_on >= min(lows),
            K.occurred_on <= max(ends),
            K.verdict == Verdict.HOLDS,
        )
        .group_by(K.customer_id, K.occurred_on)
        .subquery()
    )
    points = sa.union_all(
        *(
            sa.select(sa.literal(n).label("n"), _day(low).label("low"), _day(end).label("upto"))
            for n, (low, end) in enumerate(zip(lows, ends, strict=True))
        )
    ).subquery()
    held = sa.and_(
        spans.c.day >= points.c.low,
        spans.c.day <= points.c.upto,
        sa.or_(spans.c.until.is_(None), spans.c.until > points.c.upto),
    )
    query = (
        sa.select(points.c.n, _arr_sum(), _arr_sum(_is_key(cutoff)))
        .select_from(spans.join(points, held).join(CUSTOMER, C.id == spans.c.customer_id))
        .where(_book(team_id))
        .group_by(points.c.n)
    )
    found = {n: (float(arr), float(key)) for n, arr, key in session.connection().execute(query)}
    return [WeekFigures(end, *found.get(n, (0.0, 0.0))) for n, end in enumerate(ends)]
