"""team view indexes

- `ix_checkin_team_day`: a workspace's check-ins by day, with the verdict and the customer, so the
  team view reads a period's check-ins from the index alone (reason coverage's trend, the check-ins
  per tenure group);
- `ix_checkin_customer_verdict`: a customer's check-ins by verdict and day, so a customer's next
  verdict after a day is read from the index alone (the trend);
- `ix_customer_team_active_arr`: a workspace's active customers by ARR, so the key-account cut-off
  and the largest key accounts are read in ARR order instead of sorting the book;
- `ix_customer_team_owner` gains `active`: one owner's active customers (the Home tab, a digest
  planned for some owners) are then read through it; with only (team, owner), SQLite preferred the
  (team, active) index and read the whole workspace's active customers for one owner.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 12:05:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("checkin", schema=None) as batch_op:
        batch_op.create_index(
            "ix_checkin_team_day", ["team_id", "occurred_on", "verdict", "customer_id"], unique=False
        )
        batch_op.create_index(
            "ix_checkin_customer_verdict", ["customer_id", "verdict", "occurred_on"], unique=False
        )
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.create_index("ix_customer_team_active_arr", ["team_id", "active", "arr"], unique=False)
        batch_op.drop_index("ix_customer_team_owner")
        batch_op.create_index("ix_customer_team_owner", ["team_id", "owner_user_id", "active"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.drop_index("ix_customer_team_owner")
        batch_op.create_index("ix_customer_team_owner", ["team_id", "owner_user_id"], unique=False)
        batch_op.drop_index("ix_customer_team_active_arr")
    with op.batch_alter_table("checkin", schema=None) as batch_op:
        batch_op.drop_index("ix_checkin_customer_verdict")
        batch_op.drop_index("ix_checkin_team_day")
