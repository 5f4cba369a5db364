"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22 13:13:19.925836
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "customer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("name_key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("owner_user_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("original_reason", sa.Text(), nullable=True),
        sa.Column("original_reason_on", sa.Date(), nullable=True),
        sa.Column("current_reason", sa.Text(), nullable=True),
        sa.Column("current_reason_on", sa.Date(), nullable=True),
        sa.Column("customer_since", sa.Date(), nullable=True),
        sa.Column("renewal_date", sa.Date(), nullable=True),
        sa.Column("arr", sa.Float(), nullable=True),
        sa.Column("cadence_days", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("snoozed_until", sa.Date(), nullable=True),
        sa.Column("last_checkin_on", sa.Date(), nullable=True),
        sa.Column("last_checkin_by", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column(
            "last_verdict",
            sa.Enum(
                "holds", "weakened", "changed", "not_asked", name="verdict", native_enum=False, length=20
            ),
            nullable=True,
        ),
        sa.Column("last_verdict_on", sa.Date(), nullable=True),
        sa.Column("last_verdict_by", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("reason_confirmed_on", sa.Date(), nullable=True),
        sa.Column(
            "last_expectation",
            sa.Enum("above", "meets", "below", "unknown", name="expectation", native_enum=False, length=20),
            nullable=True,
        ),
        sa.Column("last_expectation_on", sa.Date(), nullable=True),
        sa.Column("concern_on", sa.Date(), nullable=True),
        sa.Column("last_changes", sa.JSON(), nullable=False),
        sa.Column("last_changes_on", sa.Date(), nullable=True),
        sa.Column("next_step", sa.Text(), nullable=True),
        sa.Column("next_step_due", sa.Date(), nullable=True),
        sa.Column("next_step_on", sa.Date(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("team_id", "name_key", name="uq_customer_team_name_key"),
    )
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.create_index("ix_customer_team_owner", ["team_id", "owner_user_id"], unique=False)

    op.create_table(
        "nudge_digest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("owner_user_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("local_day", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("claimed", "sent", "failed", name="digeststatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("claimed_by", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
        sa.Column("claimed_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("customer_ids", sa.JSON(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("message_ts", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("sent_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("team_id", "owner_user_id", "local_day", name="uq_nudge_digest_owner_day"),
    )
    op.create_table(
        "owner",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=True),
        sa.Column("display_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("tz", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("tz_refreshed_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("paused_until", sa.Date(), nullable=True),
        sa.Column("deactivated", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("team_id", "user_id", name="uq_owner_team_user"),
    )
    op.create_table(
        "checkin",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("author_user_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("spoke_with", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column(
            "verdict",
            sa.Enum(
                "holds", "weakened", "changed", "not_asked", name="verdict", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("new_reason", sa.Text(), nullable=True),
        sa.Column(
            "expectation",
            sa.Enum("above", "meets", "below", "unknown", name="expectation", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("next_step", sa.Text(), nullable=True),
        sa.Column("next_step_due", sa.Date(), nullable=True),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("request_key", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("team_id", "request_key", name="uq_checkin_team_request_key"),
    )
    with op.batch_alter_table("checkin", schema=None) as batch_op:
        batch_op.create_index(
            "ix_checkin_customer_newest", ["customer_id", "occurred_on", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("checkin", schema=None) as batch_op:
        batch_op.drop_index("ix_checkin_customer_newest")

    op.drop_table("checkin")
    op.drop_table("owner")
    op.drop_table("nudge_digest")
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.drop_index("ix_customer_team_owner")

    op.drop_table("customer")
