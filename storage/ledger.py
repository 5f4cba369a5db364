"""The claim-before-sending ledger both digests keep: one row per message to send (an owner's day,
a workspace's week), claimed under a lease, then marked sent or failed.

Each function takes the table and the session as keywords and never commits; the caller owns the
transaction. The protocol is explained in `bot.nudge_job`; `storage.nudges` and
`storage.team_digests` bind these to their own table and key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from storage.enums import DigestStatus
from storage.owners import insert_skipping_duplicates


class ClaimRefused(StrEnum):
    """Why a runner may not send a ledger row's message now."""

    ALREADY_SENT = "already sent"
    IN_PROGRESS = "being sent by another runner"
    GAVE_UP = "failed too often today"


@dataclass(frozen=True)
class Claim:
    """A runner's hold on one ledger row; `attempts` > 1 means an earlier try may have reached Slack."""

    digest_id: int
    attempts: int
    channel: str | None
    runner: str


def refusal(
    status: str,
    claimed_at: datetime,
    attempts: int,
    *,
    now: datetime,
    lease: timedelta,
    max_attempts: int | None,
) -> ClaimRefused | None:
    """Why a ledger row in this state may not be claimed at `now`; None when it may."""
    if DigestStatus(status) == DigestStatus.SENT:
        return ClaimRefused.ALREADY_SENT
    if DigestStatus(status) == DigestStatus.CLAIMED and claimed_at > now - lease:
        return ClaimRefused.IN_PROGRESS
    if max_attempts is not None and attempts >= max_attempts:
        return ClaimRefused.GAVE_UP
    return None


def claim_row(
    table: sa.Table,
    key: Mapping[str, Any],
    *,
    runner: str,
    now: datetime,
    lease: timedelta,
    max_attempts: int | None,
    session: Session,
    values: Mapping[str, Any] | None = None,
) -> Claim | ClaimRefused:
    """Claim the row of `table` with these `key` columns (its unique key): insert it, or take over a
    failed one or a claimed one whose lease ran out, setting `values` too. Only one of any number of
    concurrent callers gets a `Claim`."""
    extra = dict(values or {})
    claimed = {"status": DigestStatus.CLAIMED, "claimed_by": runner, "claimed_at": now}
    inserted = session.execute(
        insert_skipping_duplicates(table, list(key), session=session)
        .values(**key, **claimed, attempts=1, **extra)
        .returning(table.c.id)
    ).scalar()
    if inserted is not None:
        return Claim(int(inserted), 1, None, runner)
    row = session.execute(
        sa.select(table.c.id, table.c.status, table.c.attempts, table.c.claimed_at, table.c.channel).where(
            *(table.c[name] == value for name, value in key.items())
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
        .values(**claimed, attempts=row.attempts + 1, **extra)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        return ClaimRefused.IN_PROGRESS
    return Claim(int(row.id), int(row.attempts) + 1, row.channel, runner)


def mark_row_sent(
    table: sa.Table, row_id: int, *, channel: str, ts: str, now: datetime, session: Session
) -> None:
    """The message is in Slack: record where, whoever holds the claim now (the message exists)."""
    session.execute(
        sa.update(table)
        .where(table.c.id == row_id)
        .values(status=DigestStatus.SENT, channel=channel, message_ts=ts, sent_at=now, error=None)
    )


def mark_row_failed(
    table: sa.Table, claim: Claim, *, error: str, channel: str | None, session: Session
) -> bool:
    """Record why sending failed, unless another runner has taken the claim over since."""
    result = session.execute(
        sa.update(table)
        .where(
            table.c.id == claim.digest_id,
            table.c.status == DigestStatus.CLAIMED,
            table.c.claimed_by == claim.runner,
            table.c.attempts == claim.attempts,
        )
        .values(status=DigestStatus.FAILED, error=error[:2000], channel=channel)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]
