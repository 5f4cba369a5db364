"""customer changes and lost/inactive

A customer can be marked lost or inactive (with why and the day), and every change to a
customer's fields keeps a history row (who, when, from where, old and new value).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 11:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "inactive_kind",
                sa.Enum("lost", "inactive", name="inactive", native_enum=False, length=20),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("inactive_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("inactive_why", sa.Text(), nullable=True))
    # Customers already inactive (set by hand) read as inactive, not lost.
    op.execute("UPDATE customer SET inactive_kind = 'inactive' WHERE NOT active")

    op.create_table(
        "customer_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("changed_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("field", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("customer_change", schema=None) as batch_op:
        batch_op.create_index(
            "ix_customer_change_customer", ["team_id", "customer_id", "changed_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("customer_change", schema=None) as batch_op:
        batch_op.drop_index("ix_customer_change_customer")
    op.drop_table("customer_change")
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.drop_column("inactive_why")
        batch_op.drop_column("inactive_on")
        batch_op.drop_column("inactive_kind")
