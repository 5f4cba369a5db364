"""The team digest ledger: one row per workspace per week (its Monday), claimed before sending.

Each function takes the session as a keyword and never commits; the caller owns the transaction.
The protocol (claim, send, mark) is the daily digest's (`storage.nudges`), explained in
`bot.team_digest_job`; a claim is a `storage.nudges.Claim`, a refusal a `ClaimRefused`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from storage.enums import DigestStatus
from storage.models import TeamDigest
from storage.nudges import Claim, ClaimRefused, refusal
from storage.owners import insert_skipping_duplicates

_TABLE: sa.Table = TeamDigest.__table__  # type: ignore[attr-defined]


def claim_team_digest(
    *,
    team_id: str,
    week: date,
    runner: str,
    now: datetime,
    lease: timedelta,
    max_attempts: int | None,
    session: Session,
) -> Claim | ClaimRefused:
    """Claim the workspace's digest for `week`: insert the ledger row, or take over a failed one or a
    claimed one whose lease ran out. Only one of any number of concurrent callers gets a `Claim`."""
    table = _TABLE
    inserted = session.execute(
        insert_skipping_duplicates(table, ["team_id", "week"], session=session)
        .values(
            team_id=team_id,
            week=week,
            status=DigestStatus.CLAIMED,
            claimed_by=runner,
            claimed_at=now,
            attempts=1,
        )
        .returning(table.c.id)
    ).scalar()
    if inserted is not None:
        return Claim(int(inserted), 1, None, runner)
    row = session.execute(
        sa.select(table.c.id, table.c.status, table.c.attempts, table.c.claimed_at, table.c.channel).where(
            table.c.team_id == team_id, table.c.week == week
        )
    ).one()
    refused = refusal(
        row.status, row.claimed_at, row.attempts, now=now, lease=lease, max_attempts=max_attempts
    )
    if refused is not None:
        return refused
    # Conditional on what we read: of two runners taking over at once, only one matches.
    taken = session.execute(
        sa.update(table)
        .where(table.c.id == row.id, table.c.status == row.status, table.c.attempts == row.attempts)
        .values(status=DigestStatus.CLAIMED, claimed_by=runner, claimed_at=now, attempts=row.attempts + 1)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        return ClaimRefused.IN_PROGRESS
    return Claim(int(row.id), int(row.attempts) + 1, row.channel, runner)


def mark_sent(digest_id: int, *, channel: str, ts: str, now: datetime, session: Session) -> None:
    """The digest message is in Slack: record where, whoever holds the claim now (the message exists)."""
    session.execute(
        sa.update(_TABLE)
        .where(_TABLE.c.id == digest_id)
        .values(status=DigestStatus.SENT, channel=channel, message_ts=ts, sent_at=now, error=None)
    )


def note_chart_failed(digest_id: int, *, error: str, session: Session) -> None:
    """The message went out but its chart did not: keep why on the (sent) row."""
    session.execute(
        sa.update(_TABLE).where(_TABLE.c.id == digest_id).values(error=f"chart not uploaded: {error}"[:2000])
    )


def mark_failed(claim: Claim, *, error: str, channel: str | None, session: Session) -> bool:
    """Record why sending failed, unless another runner has taken the claim over since."""
    result = session.execute(
        sa.update(_TABLE)
        .where(
            _TABLE.c.id == claim.digest_id,
            _TABLE.c.status == DigestStatus.CLAIMED,
            _TABLE.c.claimed_by == claim.runner,
            _TABLE.c.attempts == claim.attempts,
        )
        .values(status=DigestStatus.FAILED, error=error[:2000], channel=channel)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]
