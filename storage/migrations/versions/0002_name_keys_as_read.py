"""name keys as people read names

Recomputes every customer's `name_key` with `storage.models.name_key` (Unicode-normalised,
case-folded, look-alike letters read as one). Customers whose names read the same (`Acme` and a
Cyrillic `Аcme` in one workspace) would now share a key: then nothing is changed, and the upgrade
stops naming them, to be renamed or merged by hand first.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 07:30:00
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.rules.names import name_key

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CUSTOMER = sa.table(
    "customer",
    sa.column("id", sa.Integer),
    sa.column("team_id", sa.String),
    sa.column("name", sa.String),
    sa.column("name_key", sa.String),
)


class NamesReadAlike(RuntimeError):
    """Customers of one workspace whose names now share a key."""


def upgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(CUSTOMER.c.id, CUSTOMER.c.team_id, CUSTOMER.c.name, CUSTOMER.c.name_key)
    )
    by_key: dict[tuple[str, str], list[str]] = defaultdict(list)
    changed: list[dict[str, object]] = []
    for customer_id, team_id, name, old_key in rows:
        key = name_key(name)
        by_key[team_id, key].append(name)
        if key != old_key:
            changed.append({"customer_id": customer_id, "new_key": key})
    alike = [
        f"{team_id}: {' / '.join(map(repr, names))}"
        for (team_id, _), names in by_key.items()
        if len(names) > 1
    ]
    if alike:
        raise NamesReadAlike(
            "These customers' names read the same and would share a name key; rename or merge them, "
            "then upgrade again (nothing was changed):\n  " + "\n  ".join(sorted(alike))
        )
    if changed:
        connection.execute(
            CUSTOMER.update()
            .where(CUSTOMER.c.id == sa.bindparam("customer_id"))
            .values(name_key=sa.bindparam("new_key")),
            changed,
        )


def downgrade() -> None:
    # The keys as 0001 computed them: spaces collapsed, case folded.
    connection = op.get_bind()
    rows = connection.execute(sa.select(CUSTOMER.c.id, CUSTOMER.c.name)).all()
    if rows:
        connection.execute(
            CUSTOMER.update()
            .where(CUSTOMER.c.id == sa.bindparam("customer_id"))
            .values(name_key=sa.bindparam("old_key")),
            [{"customer_id": i, "old_key": " ".join(name.split()).casefold()} for i, name in rows],
        )
