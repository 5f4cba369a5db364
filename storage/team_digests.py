"""The team digest ledger: one row per workspace per week (its Monday), claimed before sending.

Each function takes the session as a keyword and never commits; the caller owns the transaction.
The protocol (claim, send, mark) is the daily digest's (`storage.ledger`), explained in
`bot.team_digest_job`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from storage.ledger import Claim, ClaimRefused, claim_row, mark_row_failed, mark_row_sent
from storage.models import TeamDigest

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
    key = {"team_id": team_id, "week": week}
    return claim_row(
        _TABLE, key, runner=runner, now=now, lease=lease, max_attempts=max_attempts, session=session
    )


def mark_sent(digest_id: int, *, channel: str, ts: str, now: datetime, session: Session) -> None:
    """The digest message is in Slack: record where, whoever holds the claim now (the message exists)."""
    mark_row_sent(_TABLE, digest_id, channel=channel, ts=ts, now=now, session=session)


def note_chart_failed(digest_id: int, *, error: str, session: Session) -> None:
    """The message went out but its chart did not: keep why on the (sent) row."""
    session.execute(
        sa.update(_TABLE).where(_TABLE.c.id == digest_id).values(error=f"chart not uploaded: {error}"[:2000])
    )


def mark_failed(claim: Claim, *, error: str, channel: str | None, session: Session) -> bool:
    """Record why sending failed, unless another runner has taken the claim over since."""
    return mark_row_failed(_TABLE, claim, error=error, channel=channel, session=session)
