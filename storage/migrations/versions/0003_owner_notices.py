"""owner notices

One row per thing someone other than the owner did on a customer (a check-in logged, a reason
recorded as weakened or changed), kept until `bot.notice_job` has told the owner in a DM.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "owner_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("owner_user_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("checkin_id", sa.Integer(), nullable=True),
        sa.Column("actor_user_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("checkin", "verdict", name="noticekind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column(
            "verdict",
            sa.Enum(
                "holds", "weakened", "changed", "not_asked", name="verdict", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("new_reason", sa.Text(), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
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
        sa.Column("sent_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("message_ts", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["checkin_id"], ["checkin.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("owner_notice", schema=None) as batch_op:
        batch_op.create_index("ix_owner_notice_checkin", ["checkin_id"], unique=False)
        batch_op.create_index(
            "ix_owner_notice_status_owner", ["status", "team_id", "owner_user_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("owner_notice", schema=None) as batch_op:
        batch_op.drop_index("ix_owner_notice_status_owner")
        batch_op.drop_index("ix_owner_notice_checkin")

    op.drop_table("owner_notice")
