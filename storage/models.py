"""Holdfast's tables. Every row belongs to one Slack workspace (`team_id`)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from bot.rules.names import NAME_KEY_LIMIT
from bot.rules.vocabulary import Change, Expectation, Inactive, Verdict
from storage.enums import DigestStatus
from storage.types import UTCDateTime, utcnow


def _enum(enum: type[StrEnum]) -> sa.Enum:
    """A VARCHAR column holding the enum's values, read back as enum members."""
    return sa.Enum(
        enum,
        native_enum=False,
        create_constraint=False,
        length=20,
        values_callable=lambda members: [member.value for member in members],
    )


class Customer(SQLModel, table=True):
    """An account: who owns it, why they chose us, and the latest state from its check-ins."""

    __tablename__ = "customer"
    __table_args__ = (
        sa.UniqueConstraint("team_id", "name_key", name="uq_customer_team_name_key"),
        sa.UniqueConstraint("team_id", "crm_source", "crm_id", name="uq_customer_team_crm_id"),
        sa.Index("ix_customer_team_owner", "team_id", "owner_user_id", "active"),
        sa.Index("ix_customer_team_active_arr", "team_id", "active", "arr"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    name: str = Field(max_length=200)
    name_key: str = Field(max_length=NAME_KEY_LIMIT)
    owner_user_id: str = Field(max_length=32)
    original_reason: str | None = Field(default=None, sa_type=sa.Text)
    original_reason_on: date | None = None
    original_reason_theme: str | None = Field(default=None, max_length=32)  # None: not set
    current_reason: str | None = Field(default=None, sa_type=sa.Text)
    current_reason_on: date | None = None
    current_reason_theme: str | None = Field(default=None, max_length=32)
    customer_since: date | None = None
    renewal_date: date | None = None
    arr: float | None = Field(default=None, ge=0)
    cadence_days: int | None = Field(default=None, gt=0)
    active: bool = True
    # Set together with `active = False`, cleared together when it is active again.
    inactive_kind: Inactive | None = Field(default=None, sa_type=_enum(Inactive))
    inactive_on: date | None = None
    inactive_why: str | None = Field(default=None, sa_type=sa.Text)
    snoozed_until: date | None = None

    # The latest state from check-ins (kept by storage.checkins.apply_checkin; each
    # field carries the date it came from, so check-ins may arrive in any order).
    last_checkin_on: date | None = None
    last_checkin_by: str | None = Field(default=None, max_length=32)
    last_verdict: Verdict | None = Field(default=None, sa_type=_enum(Verdict))
    last_verdict_on: date | None = None
    last_verdict_by: str | None = Field(default=None, max_length=32)
    reason_confirmed_on: date | None = None
    last_expectation: Expectation | None = Field(default=None, sa_type=_enum(Expectation))
    last_expectation_on: date | None = None
    concern_on: date | None = None
    last_changes: list[Change] = Field(default_factory=list, sa_type=sa.JSON)
    last_changes_on: date | None = None
    next_step: str | None = Field(default=None, sa_type=sa.Text)
    next_step_due: date | None = None
    next_step_on: date | None = None
    # The CRM record this customer is synced from (`crm_source`: "hubspot"), None when it is not.
    crm_source: str | None = Field(default=None, max_length=16)
    crm_id: str | None = Field(default=None, max_length=64)

    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CheckIn(SQLModel, table=True):
    """One logged conversation with a customer."""

    __tablename__ = "checkin"
    __table_args__ = (
        # Scanned backwards, this serves "a customer's check-ins, newest first".
        sa.Index("ix_checkin_customer_newest", "customer_id", "occurred_on", "id"),
        # The team view: a workspace's check-ins by day, and a customer's next verdict after a day,
        # each from the index alone.
        sa.Index("ix_checkin_team_day", "team_id", "occurred_on", "verdict", "customer_id"),
        sa.Index("ix_checkin_customer_verdict", "customer_id", "verdict", "occurred_on"),
        sa.UniqueConstraint("team_id", "request_key", name="uq_checkin_team_request_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    customer_id: int = Field(foreign_key="customer.id", ondelete="CASCADE")
    occurred_on: date
    author_user_id: str | None = Field(default=None, max_length=32)
    spoke_with: str | None = Field(default=None, max_length=500)
    note: str = Field(default="", sa_type=sa.Text)
    verdict: Verdict = Field(default=Verdict.NOT_ASKED, sa_type=_enum(Verdict))
    new_reason: str | None = Field(default=None, sa_type=sa.Text)
    new_reason_theme: str | None = Field(default=None, max_length=32)
    expectation: Expectation = Field(default=Expectation.UNKNOWN, sa_type=_enum(Expectation))
    changes: list[Change] = Field(default_factory=list, sa_type=sa.JSON)
    next_step: str | None = Field(default=None, sa_type=sa.Text)
    next_step_due: date | None = None
    source: str = Field(default="slack", max_length=16)
    request_key: str | None = Field(default=None, max_length=128)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Owner(SQLModel, table=True):
    """A Slack user who owns customers: where and when to nudge them."""

    __tablename__ = "owner"
    __table_args__ = (sa.UniqueConstraint("team_id", "user_id", name="uq_owner_team_user"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    user_id: str = Field(max_length=32)
    email: str | None = Field(default=None, max_length=320)
    display_name: str | None = Field(default=None, max_length=200)
    tz: str = Field(default="UTC", max_length=64)
    tz_refreshed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    paused_until: date | None = None
    deactivated: bool = False
    # The owner's own digest time (Home tab settings); None: the workspace's DIGEST_HOUR / _WEEKDAYS.
    digest_hour: int | None = Field(default=None, ge=0, le=23)
    digest_weekdays: str | None = Field(default=None, max_length=32)  # "mon,tue,wed" (bot.rules.schedule)


class NudgeDigest(SQLModel, table=True):
    """The nudge ledger: one row per owner per local day, claimed before sending."""

    __tablename__ = "nudge_digest"
    __table_args__ = (
        sa.UniqueConstraint("team_id", "owner_user_id", "local_day", name="uq_nudge_digest_owner_day"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    owner_user_id: str = Field(max_length=32)
    local_day: date
    status: DigestStatus = Field(default=DigestStatus.CLAIMED, sa_type=_enum(DigestStatus))
    claimed_by: str | None = Field(default=None, max_length=128)
    claimed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    attempts: int = 0
    customer_ids: list[int] = Field(default_factory=list, sa_type=sa.JSON)
    channel: str | None = Field(default=None, max_length=32)
    message_ts: str | None = Field(default=None, max_length=32)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    error: str | None = Field(default=None, sa_type=sa.Text)


class NoticeKind(StrEnum):
    """What a colleague did that an owner is told of."""

    CHECKIN = "checkin"  # logged a check-in on the owner's customer
    VERDICT = "verdict"  # recorded, under a check-in logged before, that the reason weakened or changed


class NoticeStatus(StrEnum):
    """Where one notice stands on its way to the owner (the protocol: `bot.notice_job`)."""

    PENDING = "pending"
    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"
    DROPPED = "dropped"  # never to be sent: the owner may no longer use Holdfast


class OwnerNotice(SQLModel, table=True):
    """One thing someone other than the owner did on a customer, for the owner's next batched DM."""

    __tablename__ = "owner_notice"
    __table_args__ = (
        sa.Index("ix_owner_notice_status_owner", "status", "team_id", "owner_user_id"),
        sa.Index("ix_owner_notice_checkin", "checkin_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    owner_user_id: str = Field(max_length=32)
    customer_id: int = Field(foreign_key="customer.id", ondelete="CASCADE")
    checkin_id: int | None = Field(default=None, foreign_key="checkin.id", ondelete="CASCADE")
    actor_user_id: str = Field(max_length=32)
    kind: NoticeKind = Field(sa_type=_enum(NoticeKind))
    # What happened: the check-in's verdict, new reason, changes at the customer and note.
    verdict: Verdict = Field(default=Verdict.NOT_ASKED, sa_type=_enum(Verdict))
    new_reason: str | None = Field(default=None, sa_type=sa.Text)
    changes: list[Change] = Field(default_factory=list, sa_type=sa.JSON)
    note: str = Field(default="", sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    status: NoticeStatus = Field(default=NoticeStatus.PENDING, sa_type=_enum(NoticeStatus))
    claimed_by: str | None = Field(default=None, max_length=128)
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    attempts: int = 0
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    message_ts: str | None = Field(default=None, max_length=32)
    error: str | None = Field(default=None, sa_type=sa.Text)


class CustomerChange(SQLModel, table=True):
    """One field of a customer changed: who, when, from where, and the old and new value as text."""

    __tablename__ = "customer_change"
    __table_args__ = (sa.Index("ix_customer_change_customer", "team_id", "customer_id", "changed_at"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    customer_id: int = Field(foreign_key="customer.id", ondelete="CASCADE")
    changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    changed_by: str | None = Field(default=None, max_length=32)  # a Slack user; None for an import
    source: str = Field(default="slack", max_length=16)  # slack, csv, crm
    field: str = Field(max_length=32)
    old_value: str | None = Field(default=None, sa_type=sa.Text)
    new_value: str | None = Field(default=None, sa_type=sa.Text)
    note: str | None = Field(default=None, sa_type=sa.Text)  # e.g. why a customer was lost


class TeamDigest(SQLModel, table=True):
    """The team digest ledger: one row per workspace per week (its Monday), claimed before sending."""

    __tablename__ = "team_digest"
    __table_args__ = (sa.UniqueConstraint("team_id", "week", name="uq_team_digest_week"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    week: date
    status: DigestStatus = Field(default=DigestStatus.CLAIMED, sa_type=_enum(DigestStatus))
    claimed_by: str | None = Field(default=None, max_length=128)
    claimed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    attempts: int = 0
    channel: str | None = Field(default=None, max_length=32)
    message_ts: str | None = Field(default=None, max_length=32)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    error: str | None = Field(default=None, sa_type=sa.Text)


class CrmCursor(SQLModel, table=True):
    """Where a workspace's incremental sync from one CRM stands: the last record's modified time and
    id (the tie-breaker), as of the last page stored."""

    __tablename__ = "crm_cursor"
    __table_args__ = (sa.UniqueConstraint("team_id", "source", name="uq_crm_cursor_source"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    source: str = Field(max_length=16)
    modified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    record_id: str | None = Field(default=None, max_length=64)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CrmNote(SQLModel, table=True):
    """The outbox of check-ins to write to the CRM as notes: one row per check-in, sent once
    (claimed, sent with its note id stored, or failed and retried later)."""

    __tablename__ = "crm_note"
    __table_args__ = (
        sa.UniqueConstraint("checkin_id", "source", name="uq_crm_note_checkin"),
        sa.Index("ix_crm_note_status", "status", "team_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    checkin_id: int = Field(foreign_key="checkin.id", ondelete="CASCADE")
    source: str = Field(max_length=16)
    status: NoticeStatus = Field(default=NoticeStatus.PENDING, sa_type=_enum(NoticeStatus))
    claimed_by: str | None = Field(default=None, max_length=128)
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    attempts: int = 0
    note_id: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    error: str | None = Field(default=None, sa_type=sa.Text)
