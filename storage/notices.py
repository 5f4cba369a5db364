"""The one door for `OwnerNotice` rows: adding them, and the send protocol's claim and marks.

Each function takes the session as a keyword and never commits; the caller owns the transaction.
The protocol (claim, send, mark) is explained in `bot.notice_job`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from sqlmodel import Session

from bot.rules.vocabulary import Change, Verdict
from storage.bulk import CUSTOMER
from storage.models import NoticeStatus, OwnerNotice

_NOTICES: sa.Table = OwnerNotice.__table__  # type: ignore[attr-defined]


class NoticeRow(NamedTuple):
    """A claimed notice as the sender reads it, with its customer's name as it is now."""

    id: int
    team_id: str
    owner_user_id: str
    customer_name: str
    actor_user_id: str
    verdict: Verdict
    new_reason: str | None
    changes: Sequence[Change]
    note: str
    attempts: int


def add_notice(notice: OwnerNotice, *, now: datetime, session: Session) -> OwnerNotice:
    """Store `notice`, pending, dated `now`."""
    notice.created_at = now
    notice.status = NoticeStatus.PENDING
    session.add(notice)
    return notice


def fold_verdict(
    checkin_id: int, actor_user_id: str, verdict: Verdict, new_reason: str | None, *, session: Session
) -> bool:
    """Give the actor's pending notice of this check-in (if any) the verdict they recorded since;
    whether there was one. A notice already taken for sending is left alone."""
    table = _NOTICES
    result = session.execute(
        sa.update(table)
        .where(
            table.c.checkin_id == checkin_id,
            table.c.actor_user_id == actor_user_id,
            table.c.status == NoticeStatus.PENDING,
        )
        .values(verdict=verdict, new_reason=new_reason)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _claimable(*, now: datetime, lease: timedelta, max_attempts: int | None) -> sa.ColumnElement[bool]:
    """Notices a runner may take at `now`: pending, failed, or claimed with the lease run out; and
    tried fewer than `max_attempts` times."""
    table = _NOTICES
    open_ = sa.or_(
        table.c.status.in_([NoticeStatus.PENDING, NoticeStatus.FAILED]),
        sa.and_(table.c.status == NoticeStatus.CLAIMED, table.c.claimed_at <= now - lease),
    )
    return open_ if max_attempts is None else sa.and_(open_, table.c.attempts < max_attempts)


def owners_due(
    *, now: datetime, window: timedelta, lease: timedelta, max_attempts: int, session: Session
) -> list[tuple[str, str]]:
    """(team, owner) of everyone whose oldest claimable notice is at least `window` old.

    A read, so only a hint: another runner may claim them just after; the claim decides.
    """
    table = _NOTICES
    query = (
        sa.select(table.c.team_id, table.c.owner_user_id)
        .where(_claimable(now=now, lease=lease, max_attempts=max_attempts))
        .group_by(table.c.team_id, table.c.owner_user_id)
        .having(sa.func.min(table.c.created_at) <= now - window)
        .order_by(table.c.team_id, table.c.owner_user_id)
    )
    return [(team, owner) for team, owner in session.execute(query)]


def claim_notices(
    team_id: str,
    owner_user_id: str,
    *,
    claim: str,
    now: datetime,
    lease: timedelta,
    max_attempts: int,
    session: Session,
) -> list[NoticeRow]:
    """Take every claimable notice of the owner under `claim` (a token unique to this claim) and read
    them back, oldest first. Of runners claiming at once, each notice goes to only one."""
    table = _NOTICES
    session.execute(
        sa.update(table)
        .where(
            table.c.team_id == team_id,
            table.c.owner_user_id == owner_user_id,
            _claimable(now=now, lease=lease, max_attempts=max_attempts),
        )
        .values(status=NoticeStatus.CLAIMED, claimed_by=claim, claimed_at=now, attempts=table.c.attempts + 1)
    )
    query = (
        sa.select(
            table.c.id,
            table.c.team_id,
            table.c.owner_user_id,
            CUSTOMER.c.name,
            table.c.actor_user_id,
            table.c.verdict,
            table.c.new_reason,
            table.c.changes,
            table.c.note,
            table.c.attempts,
        )
        .join(CUSTOMER, CUSTOMER.c.id == table.c.customer_id)
        .where(table.c.claimed_by == claim, table.c.status == NoticeStatus.CLAIMED)
        .order_by(table.c.created_at, table.c.id)
    )
    return [
        NoticeRow(
            id=row.id,
            team_id=row.team_id,
            owner_user_id=row.owner_user_id,
            customer_name=row.name,
            actor_user_id=row.actor_user_id,
            verdict=row.verdict,
            new_reason=row.new_reason,
            changes=tuple(Change(change) for change in row.changes or ()),
            note=row.note,
            attempts=row.attempts,
        )
        for row in session.execute(query)
    ]


def mark_sent(notice_ids: Collection[int], *, ts: str, now: datetime, session: Session) -> None:
    """These notices are in Slack (message `ts`), whoever holds their claim now."""
    table = _NOTICES
    session.execute(
        sa.update(table)
        .where(table.c.id.in_(sorted(notice_ids)))
        .values(status=NoticeStatus.SENT, sent_at=now, message_ts=ts, error=None)
    )


def mark_failed(notice_ids: Collection[int], *, claim: str, error: str, session: Session) -> None:
    """Release the claim with why sending failed, unless another runner has taken the notices since."""
    table = _NOTICES
    session.execute(
        sa.update(table)
        .where(
            table.c.id.in_(sorted(notice_ids)),
            table.c.claimed_by == claim,
            table.c.status == NoticeStatus.CLAIMED,
        )
        .values(status=NoticeStatus.FAILED, error=error[:2000])
    )


def drop_notices(
    team_id: str, owner_user_id: str, *, reason: str, now: datetime, lease: timedelta, session: Session
) -> int:
    """Never send the owner's claimable notices (they may no longer read them); returns how many."""
    table = _NOTICES
    result = session.execute(
        sa.update(table)
        .where(
            table.c.team_id == team_id,
            table.c.owner_user_id == owner_user_id,
            _claimable(now=now, lease=lease, max_attempts=None),
        )
        .values(status=NoticeStatus.DROPPED, error=reason[:2000])
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
