"""Owner rows have one door (`storage.owners.upsert_owners`): the importer, a hand-over and the digest
job all add owners through it, each owner once, learning e-mails and never overwriting them with none."""

from __future__ import annotations

from sqlmodel import col, select

from storage.db import Database
from storage.models import Owner
from storage.owners import ensure_owners, upsert_owners


def rows(database: Database) -> list[tuple[str, str, str | None, str]]:
    with database.session() as session:
        owners = session.exec(select(Owner).order_by(col(Owner.id))).all()
        return [(o.team_id, o.user_id, o.email, o.tz) for o in owners]


def test_owners_are_added_once_and_learn_their_email(db: Database) -> None:
    with db.transaction() as session:
        assert upsert_owners("T1", {"U2": "bo@example.com", "U1": None}, session=session) == 2
        assert ensure_owners([("T1", "U1"), ("T1", "U2"), ("T2", "U1"), ("T1", "U3")], session=session) == 2
        assert upsert_owners("T1", {"U1": "ann@example.com", "U2": None}, session=session) == 0
    assert rows(db) == [
        ("T1", "U1", "ann@example.com", "UTC"),
        ("T1", "U2", "bo@example.com", "UTC"),
        ("T1", "U3", None, "UTC"),
        ("T2", "U1", None, "UTC"),
    ]
