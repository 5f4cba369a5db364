"""The bulk path (imports) stores every model default, as the ORM does: no column needs a constant
of its own on the bulk path, so a new column with a default imports like any other."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import insert
from sqlmodel import Session, SQLModel, create_engine, select

from bot.operations.import_book import import_checkins, import_customers
from storage.bulk import CHECKIN, CUSTOMER, OWNER, execute_many
from storage.db import Database
from storage.models import CheckIn, Customer, Owner

TEAM = "T0001"
TODAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
MODELS: dict[str, type[SQLModel]] = {"customer": Customer, "checkin": CheckIn, "owner": Owner}
# What each table has no default for: all a bulk insert must be given.
REQUIRED: dict[str, dict[str, Any]] = {
    "customer": {"team_id": TEAM, "name": "Acme", "name_key": "acme", "owner_user_id": "U1"},
    "checkin": {"team_id": TEAM, "customer_id": 1, "occurred_on": TODAY},
    "owner": {"team_id": TEAM, "user_id": "U1"},
}


def columns(model: type[SQLModel], row: SQLModel) -> dict[str, Any]:
    return {column: getattr(row, column) for column in model.model_fields if column != "id"}


def test_only_the_columns_named_here_have_no_default() -> None:
    for table in (CUSTOMER, CHECKIN, OWNER):
        fields = MODELS[table.name].model_fields
        without = {
            column.key
            for column in table.columns
            if not (column.nullable or column.primary_key or column.server_default is not None)
            and fields[column.key].is_required()
        }
        assert without == set(REQUIRED[table.name])


def test_a_bulk_insert_given_only_the_required_columns_stores_every_model_default(db: Database) -> None:
    began = datetime.now(UTC)
    with db.transaction() as session:
        for table in (CUSTOMER, CHECKIN, OWNER):
            required = REQUIRED[table.name]
            execute_many(insert(table), tuple(required), [tuple(required.values())], session=session)
    with db.session() as session:
        for name, model in MODELS.items():
            stored = columns(model, session.exec(select(model)).one())
            expected = columns(model, model(**REQUIRED[name]))
            for column, value in expected.items():
                if isinstance(value, datetime):  # a timestamp from the model's clock
                    assert began - timedelta(seconds=1) <= stored[column] <= datetime.now(UTC), column
                else:
                    assert stored[column] == value, column


def test_an_imported_book_holds_every_model_default(db: Database) -> None:
    customers = "name,owner\nAcme,U1\nGlobex,U2\n"
    import_customers(
        io.StringIO(customers), database=db, team_id=TEAM, resolve_emails=None, today=TODAY, now=NOW
    )
    checkins = "customer,date\nAcme,2026-11-02\n"
    import_checkins(io.StringIO(checkins), database=db, team_id=TEAM, resolve_emails=None, now=NOW)
    with db.session() as session:
        globex = session.exec(select(Customer).where(Customer.name == "Globex")).one()
        checkin = session.exec(select(CheckIn)).one()
    assert (globex.active, globex.last_changes, globex.created_at) == (True, [], NOW)
    assert (checkin.note, checkin.changes, checkin.created_at) == ("", [], NOW)


def test_a_column_default_of_the_table_itself_is_filled_too() -> None:
    metadata = sa.MetaData()
    table = sa.Table(
        "thing",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(20), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False, default="plain"),
        sa.Column("size", sa.Integer, nullable=False, default=lambda: 3),
    )
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    with Session(engine) as session:
        execute_many(insert(table), ("name",), [("a",), ("b",)], session=session)
        rows = session.connection().execute(sa.select(table.c.name, table.c.kind, table.c.size)).all()
    assert [tuple(row) for row in rows] == [("a", "plain", 3), ("b", "plain", 3)]
