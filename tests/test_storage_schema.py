"""The schema comes only from migrations, and the migrations match the models."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel, select

from storage.db import Database, alembic_config, current_revision, head_revision, open_database
from storage.types import UTCDateTime, utcnow


def test_empty_database_upgrades_to_head_and_matches_models(database_url: str) -> None:
    database = open_database(database_url)
    try:
        assert current_revision(database.engine) == head_revision()
        with database.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, SQLModel.metadata) == []
    finally:
        database.dispose()


def test_upgrade_is_idempotent_and_keeps_data(database_url: str) -> None:
    from storage.models import Customer

    first = open_database(database_url)
    with first.transaction() as session:
        session.add(Customer(team_id="T1", name="Acme", name_key="acme", owner_user_id="U1"))
    first.dispose()
    again = open_database(database_url)
    with again.session() as session:
        assert [c.name for c in session.exec(select(Customer)).all()] == ["Acme"]
    again.dispose()


def test_required_indexes_exist(db: Database) -> None:
    inspector = inspect(db.engine)
    customer_indexes = {ix["name"]: ix["column_names"] for ix in inspector.get_indexes("customer")}
    customer_uniques = {uq["name"]: uq["column_names"] for uq in inspector.get_unique_constraints("customer")}
    checkin_indexes = {ix["name"]: ix["column_names"] for ix in inspector.get_indexes("checkin")}
    assert customer_indexes["ix_customer_team_owner"] == ["team_id", "owner_user_id", "active"]
    assert customer_uniques["uq_customer_team_name_key"] == ["team_id", "name_key"]
    assert checkin_indexes["ix_checkin_customer_newest"] == ["customer_id", "occurred_on", "id"]


def _at_revision(database_url: str, revision: str) -> Database:
    """A database brought only as far as `revision`."""
    database = Database(database_url)
    config = alembic_config()
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    return database


# The customer table as revision 0001 made it (only the columns these tests need, and those
# without a default there): later revisions add columns the models know and 0001 does not.
_OLD_CUSTOMER = sa.table(
    "customer",
    sa.column("team_id"),
    sa.column("name"),
    sa.column("name_key"),
    sa.column("owner_user_id"),
    sa.column("active", sa.Boolean()),
    sa.column("last_changes", sa.JSON()),
    sa.column("created_at", UTCDateTime()),
    sa.column("updated_at", UTCDateTime()),
)


def _add_with_old_keys(database: Database, *names: tuple[str, str]) -> None:
    """Customers `(team, name)` keyed as revision 0001 keyed them: spaces collapsed, case folded."""
    now = utcnow()
    rows = [
        {
            "team_id": team_id,
            "name": name,
            "name_key": " ".join(name.split()).casefold(),
            "owner_user_id": "U1",
            "active": True,
            "last_changes": [],
            "created_at": now,
            "updated_at": now,
        }
        for team_id, name in names
    ]
    with database.transaction() as session:
        session.execute(sa.insert(_OLD_CUSTOMER), rows)


def _keys(database: Database) -> dict[tuple[str, str], str]:
    columns = _OLD_CUSTOMER.c
    with database.session() as session:
        found = session.execute(sa.select(columns.team_id, columns.name, columns.name_key))
        return {(team_id, name): key for team_id, name, key in found}


def test_upgrade_recomputes_name_keys_as_names_read(database_url: str) -> None:
    old = _at_revision(database_url, "0001")
    _add_with_old_keys(old, ("T1", "Ａcme  Corp"), ("T1", "Globex"), ("T2", "Аcme Corp"))
    old.dispose()

    database = open_database(database_url)
    try:
        assert current_revision(database.engine) == head_revision()
        assert _keys(database) == {
            ("T1", "Ａcme  Corp"): "acme corp",
            ("T1", "Globex"): "globex",
            ("T2", "Аcme Corp"): "acme corp",  # another workspace: no clash
        }
    finally:
        database.dispose()


def test_upgrade_stops_and_names_customers_whose_names_read_the_same(database_url: str) -> None:
    old = _at_revision(database_url, "0001")
    _add_with_old_keys(old, ("T1", "Acme"), ("T1", "Аcme"), ("T1", "Globex"))
    before = _keys(old)
    old.dispose()

    with pytest.raises(RuntimeError) as raised:
        open_database(database_url)

    assert "T1: 'Acme' / 'Аcme'" in str(raised.value)
    assert "Globex" not in str(raised.value)
    again = Database(database_url)
    try:
        assert current_revision(again.engine) == "0001"
        assert _keys(again) == before
    finally:
        again.dispose()
