"""reason themes, the team digest ledger, CRM sync

- a theme for each reason (the customer's original and current one, a check-in's new one), from
  a configurable list; None reads as "not set";
- `team_digest`: the weekly team digest's ledger, one row per workspace and week;
- `crm_cursor` (where an incremental CRM sync stands), `crm_note` (the outbox of check-ins written
  to the CRM as notes), and the CRM record a customer is synced from.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 11:18:36
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "crm_cursor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("modified_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("record_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("team_id", "source", name="uq_crm_cursor_source"),
    )
    op.create_table(
        "team_digest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("claimed", "sent", "failed", name="digeststatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("claimed_by", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
        sa.Column("claimed_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("message_ts", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("sent_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("team_id", "week", name="uq_team_digest_week"),
    )
    op.create_table(
        "crm_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("checkin_id", sa.Integer(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "claimed",
                "sent",
                "failed",
                "dropped",
                name="noticestatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("claimed_by", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
        sa.Column("claimed_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("note_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["checkin_id"], ["checkin.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("checkin_id", "source", name="uq_crm_note_checkin"),
    )
    with op.batch_alter_table("crm_note", schema=None) as batch_op:
        batch_op.create_index("ix_crm_note_status", ["status", "team_id"], unique=False)

    with op.batch_alter_table("checkin", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("new_reason_theme", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )

    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("original_reason_theme", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )
        batch_op.add_column(
            sa.Column("current_reason_theme", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )
        batch_op.add_column(
            sa.Column("crm_source", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True)
        )
        batch_op.add_column(sa.Column("crm_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.create_unique_constraint("uq_customer_team_crm_id", ["team_id", "crm_source", "crm_id"])


def downgrade() -> None:
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.drop_constraint("uq_customer_team_crm_id", type_="unique")
        batch_op.drop_column("crm_id")
        batch_op.drop_column("crm_source")
        batch_op.drop_column("current_reason_theme")
        batch_op.drop_column("original_reason_theme")

    with op.batch_alter_table("checkin", schema=None) as batch_op:
        batch_op.drop_column("new_reason_theme")

    with op.batch_alter_table("crm_note", schema=None) as batch_op:
        batch_op.drop_index("ix_crm_note_status")

    op.drop_table("crm_note")
    op.drop_table("team_digest")
    op.drop_table("crm_cursor")
