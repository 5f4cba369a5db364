"""Owner queries. Each takes the session as a keyword and never commits."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import bindparam, func, insert, select, update
from sqlmodel import Session

from storage.bulk import CUSTOMER, OWNER, batched


def upsert_owners(team_id: str, owners: Mapping[str, str | None], *, session: Session) -> int:
    """Make sure each `user_id -> email` has an Owner row, learning e-mails; returns how many were new."""
    connection = session.connection()
    query = select(OWNER.c.user_id, OWNER.c.email).where(OWNER.c.team_id == team_id)
    known = dict(connection.execute(query).all())
    new = [
        {"team_id": team_id, "user_id": user_id, "email": email, "tz": "UTC", "deactivated": False}
        for user_id, email in owners.items()
        if user_id not in known
    ]
    learned = [
        {"owner_user_id": user_id, "email": email}
        for user_id, email in owners.items()
        if user_id in known and email and email != known[user_id]
    ]
    for chunk in batched(new):
        connection.execute(insert(OWNER), chunk)
    if learned:
        statement = update(OWNER).where(
            OWNER.c.team_id == team_id, OWNER.c.user_id == bindparam("owner_user_id")
        )
        connection.execute(statement, learned)
    return len(new)


def active_customer_count(team_id: str, user_id: str, *, session: Session) -> int:
    """How many active customers `user_id` owns in the workspace."""
    query = select(func.count()).where(
        CUSTOMER.c.team_id == team_id, CUSTOMER.c.owner_user_id == user_id, CUSTOMER.c.active.is_(True)
    )
    return int(session.connection().execute(query).scalar_one())
