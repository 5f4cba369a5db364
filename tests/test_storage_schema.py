"""The schema comes only from migrations, and the migrations match the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel, select

from storage.db import Database, current_revision, head_revision, open_database


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
    assert customer_indexes["ix_customer_team_owner"] == ["team_id", "owner_user_id"]
    assert customer_uniques["uq_customer_team_name_key"] == ["team_id", "name_key"]
    assert checkin_indexes["ix_checkin_customer_newest"] == ["customer_id", "occurred_on", "id"]
