"""A customers import keeps each change to a stored customer in its history, and only real changes."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

from sqlmodel import col, select

from bot.operations.export_book import export_workspace
from bot.operations.import_book import CustomerImport, import_customers
from storage.changes import changes_of
from storage.db import Database
from storage.models import Customer, CustomerChange

TEAM = "T0001"
TODAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
LATER = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
HEADER = "name,owner,reason,since,renewal_date,arr,cadence_days,active\n"
FIRST = HEADER + "Acme,U0ANN,Cheapest,2024-01-15,2027-03-31,15000,21,\nBeta,U0BOB,Fast,,,,,\n"


def customers(db: Database, text: str, *, now: datetime = NOW, dry_run: bool = False) -> CustomerImport:
    return import_customers(
        io.StringIO(text),
        database=db,
        team_id=TEAM,
        resolve_emails=None,
        today=now.date(),
        now=now,
        dry_run=dry_run,
    )


def customer_id(db: Database, name: str) -> int:
    with db.session() as session:
        customer_id = session.exec(select(Customer.id).where(Customer.name == name)).one()
    assert customer_id is not None
    return customer_id


def history(db: Database, name: str) -> list[tuple[str, str | None, str | None]]:
    """The customer's changes, oldest first, as (field, old, new)."""
    with db.session() as session:
        changes = changes_of(TEAM, customer_id(db, name), session=session)
    return [(change.field, change.old_value, change.new_value) for change in reversed(changes)]


def all_changes(db: Database) -> list[CustomerChange]:
    with db.session() as session:
        return list(session.exec(select(CustomerChange).order_by(col(CustomerChange.id))).all())


def test_a_reimport_records_each_changed_field_with_old_and_new_text(db: Database) -> None:
    customers(db, FIRST)
    customers(
        db,
        HEADER
        + "ACME,W0CAT,Most secure,2024-02-01,2028-03-31,15000.5,30,false\nBeta,U0BOB,,2020-05-06,,7,,\n",
        now=LATER,
    )
    assert history(db, "ACME") == [
        ("owner", "U0ANN", "W0CAT"),
        ("reason", "Cheapest", "Most secure"),
        ("since", "2024-01-15", "2024-02-01"),
        ("renewal_date", "2027-03-31", "2028-03-31"),
        ("arr", "15000", "15000.5"),
        ("cadence_days", "21", "30"),
        ("status", "active", "inactive"),
    ]
    # Empty cells keep what is stored, so they change nothing and record nothing.
    assert history(db, "Beta") == [("since", None, "2020-05-06"), ("arr", None, "7")]
    rows = all_changes(db)
    assert {(row.team_id, row.changed_at, row.changed_by, row.source, row.note) for row in rows} == {
        (TEAM, LATER, None, "csv", None)
    }


def test_reactivating_records_the_status(db: Database) -> None:
    customers(db, HEADER + "Acme,U0ANN,,,,,,no\n")
    result = customers(db, HEADER + "Acme,U0ANN,,,,,,yes\n", now=LATER)
    assert (result.reactivated, result.fields_changed) == (1, {"status": 1})
    assert history(db, "Acme") == [("status", "inactive", "active")]


def test_adding_customers_and_an_unchanged_reimport_record_no_history(db: Database) -> None:
    customers(db, FIRST)
    again = customers(db, FIRST, now=LATER)
    spelled_alike = customers(db, HEADER + "Acme,U0ANN,Cheapest,,,15000.0,021,true\n", now=LATER)
    assert (again.unchanged, spelled_alike.unchanged, again.fields_changed) == (2, 1, {})
    assert all_changes(db) == []


def test_a_dry_run_counts_the_changes_and_records_none(db: Database) -> None:
    customers(db, FIRST)
    result = customers(db, HEADER + "Acme,W0CAT,,,,16000,,0\nBeta,W0CAT,,,,,,\n", now=LATER, dry_run=True)
    assert (result.updated, result.fields_changed, result.made_inactive) == (
        2,
        {"owner": 2, "arr": 1, "status": 1},
        1,
    )
    assert all_changes(db) == []


def test_export_then_import_changes_nothing_and_records_no_history(db: Database, tmp_path: Path) -> None:
    customers(
        db,
        HEADER
        + 'Acme,U0ANN,"Cheapest, and ""secure""",2024-01-15,2027-03-31,120000.25,21,\n'
        + "=Beta,W0BOB,+fast,,,1e12,,false\nGamma,U0ANN,,,,0.1,,\n",
    )
    export_workspace(db, tmp_path, TEAM)
    with db.session() as session:
        before = session.exec(select(Customer).order_by(col(Customer.id))).all()
    result = customers(db, (tmp_path / "customers.csv").read_text("utf-8"), now=LATER)
    assert (result.added, result.updated, result.unchanged) == (0, 0, 3)
    with db.session() as session:
        assert session.exec(select(Customer).order_by(col(Customer.id))).all() == before
    assert all_changes(db) == []
