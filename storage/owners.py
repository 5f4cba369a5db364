"""The one door for `Owner` rows. Each function takes the session as a keyword and never commits."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from storage.bulk import CUSTOMER, OWNER, batched
from storage.models import Owner


def insert_skipping_duplicates(table: sa.Table, unique: list[str], *, session: Session) -> Any:
    """An INSERT into `table` that skips rows whose `unique` columns are taken, on either backend."""
    dialect = session.connection().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(table).on_conflict_do_nothing(index_elements=unique)


def upsert_owners(team_id: str, owners: Mapping[str, str | None], *, session: Session) -> int:
    """Make sure each `user_id -> email` has an Owner row (time zone not yet known), learning e-mails;
    returns how many rows were new. A row another process adds meanwhile is left as it is."""
    connection = session.connection()
    query = sa.select(OWNER.c.user_id, OWNER.c.email).where(OWNER.c.team_id == team_id)
    known = dict(connection.execute(query).all())
    new = [
        {"team_id": team_id, "user_id": user_id, "email": email, "tz": "UTC", "deactivated": False}
        for user_id, email in sorted(owners.items())
        if user_id not in known
    ]
    learned = [
        {"owner_user_id": user_id, "email": email}
        for user_id, email in owners.items()
        if user_id in known and email and email != known[user_id]
    ]
    statement = insert_skipping_duplicates(OWNER, ["team_id", "user_id"], session=session)
    for chunk in batched(new):
        connection.execute(statement, chunk)
    if learned:
        statement = sa.update(OWNER).where(
            OWNER.c.team_id == team_id, OWNER.c.user_id == sa.bindparam("owner_user_id")
        )
        connection.execute(statement, learned)
    return len(new)


def ensure_owners(pairs: Iterable[tuple[str, str]], *, session: Session) -> int:
    """Make sure every (team, user) has an Owner row; returns how many were new."""
    by_team: dict[str, dict[str, str | None]] = defaultdict(dict)
    for team_id, user_id in pairs:
        by_team[team_id][user_id] = None
    return sum(upsert_owners(team_id, users, session=session) for team_id, users in sorted(by_team.items()))


def all_owners(*, session: Session) -> Sequence[Owner]:
    return session.exec(select(Owner).order_by(col(Owner.team_id), col(Owner.user_id))).all()


def owner_by_user(team_id: str, user_id: str, *, session: Session) -> Owner | None:
    return session.exec(select(Owner).where(Owner.team_id == team_id, Owner.user_id == user_id)).first()


def owners_to_refresh(now: datetime, max_age: timedelta, *, session: Session) -> Sequence[Owner]:
    """Owners whose Slack time zone was never read, or not for `max_age`."""
    query = select(Owner).where(
        sa.or_(col(Owner.tz_refreshed_at).is_(None), col(Owner.tz_refreshed_at) <= now - max_age)
    )
    return session.exec(query.order_by(col(Owner.id))).all()


def active_customer_count(team_id: str, user_id: str, *, session: Session) -> int:
    """How many active customers `user_id` owns in the workspace."""
    query = sa.select(sa.func.count()).where(
        CUSTOMER.c.team_id == team_id, CUSTOMER.c.owner_user_id == user_id, CUSTOMER.c.active.is_(True)
    )
    return int(session.connection().execute(query).scalar_one())


def save_digest_settings(
    team_id: str,
    user_id: str,
    *,
    paused_until: date | None,
    digest_hour: int | None,
    digest_weekdays: str | None,
    session: Session,
) -> Owner:
    """Set the owner's pause and own digest time (a row is made for someone who has none yet)."""
    owner = owner_by_user(team_id, user_id, session=session)
    if owner is None:
        session.execute(
            insert_skipping_duplicates(OWNER, ["team_id", "user_id"], session=session),
            [{"team_id": team_id, "user_id": user_id, "tz": "UTC", "deactivated": False}],
        )
        owner = owner_by_user(team_id, user_id, session=session)
        assert owner is not None
    owner.paused_until = paused_until
    owner.digest_hour = digest_hour
    owner.digest_weekdays = digest_weekdays
    session.add(owner)
    session.flush()
    return owner
