"""The customers CSV's `active` column: import makes customers inactive or active again; export keeps it."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlmodel import col, select

from bot.operations.export_book import export_workspace
from bot.operations.import_book import CustomerImport, ImportRejected, import_customers
from bot.rules.vocabulary import Inactive
from storage.db import Database
from storage.models import Customer

TEAM = "T0001"
TODAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
LATER = date(2026, 12, 1)
LOST_WHY = "Moved to a competitor"


def customers(db: Database, text: str, *, today: date = TODAY, dry_run: bool = False) -> CustomerImport:
    return import_customers(
        io.StringIO(text),
        database=db,
        team_id=TEAM,
        resolve_emails=None,
        today=today,
        now=NOW,
        dry_run=dry_run,
    )


def stored(db: Database) -> dict[str, Customer]:
    with db.session() as session:
        return {c.name: c for c in session.exec(select(Customer).order_by(col(Customer.name_key))).all()}


def inactive_fields(customer: Customer) -> tuple[bool, Inactive | None, date | None, str | None]:
    return customer.active, customer.inactive_kind, customer.inactive_on, customer.inactive_why


def mark_lost(db: Database, name: str, on: date, why: str) -> None:
    with db.transaction() as session:
        customer = session.exec(select(Customer).where(Customer.name == name)).one()
        customer.active, customer.inactive_kind = False, Inactive.LOST
        customer.inactive_on, customer.inactive_why = on, why
        session.add(customer)


@pytest.mark.parametrize(
    ("cell", "active"),
    [("true", True), ("Yes", True), ("1", True), ("", True), ("false", False), ("NO", False), ("0", False)],
)
def test_new_customers_take_the_active_cell_and_blank_is_active(
    db: Database, cell: str, active: bool
) -> None:
    customers(db, f"name,owner,active\nAcme,U0ANN,{cell}\n")
    expected = (True, None, None, None) if active else (False, Inactive.INACTIVE, TODAY, None)
    assert inactive_fields(stored(db)["Acme"]) == expected


def test_false_makes_a_customer_inactive_from_the_import_day(db: Database) -> None:
    customers(db, "name,owner\nAcme,U0ANN\n")
    result = customers(db, "name,owner,active\nAcme,U0ANN,false\n", today=LATER)
    assert (result.updated, result.made_inactive, result.fields_changed) == (1, 1, {"status": 1})
    assert inactive_fields(stored(db)["Acme"]) == (False, Inactive.INACTIVE, LATER, None)


def test_false_keeps_a_lost_or_inactive_customer_as_it_is(db: Database) -> None:
    customers(db, "name,owner,active\nAcme,U0ANN,\nBeta,U0ANN,false\n")
    mark_lost(db, "Acme", date(2026, 10, 1), LOST_WHY)
    result = customers(db, "name,owner,active\nAcme,U0ANN,no\nBeta,U0ANN,0\n", today=LATER)
    assert (result.updated, result.unchanged) == (0, 2)
    after = stored(db)
    assert inactive_fields(after["Acme"]) == (
        False,
        Inactive.LOST,
        date(2026, 10, 1),
        "Moved to a competitor",
    )
    assert inactive_fields(after["Beta"]) == (False, Inactive.INACTIVE, TODAY, None)


def test_true_makes_a_lost_customer_active_again(db: Database) -> None:
    customers(db, "name,owner\nAcme,U0ANN\n")
    mark_lost(db, "Acme", date(2026, 10, 1), LOST_WHY)
    result = customers(db, "name,owner,active\nAcme,U0ANN,yes\n", today=LATER)
    assert (result.updated, result.reactivated) == (1, 1)
    assert inactive_fields(stored(db)["Acme"]) == (True, None, None, None)


def test_blank_or_absent_active_keeps_what_is_stored(db: Database) -> None:
    customers(db, "name,owner,active\nAcme,U0ANN,false\n")
    blank = customers(db, "name,owner,active\nAcme,U0ANN,\n", today=LATER)
    absent = customers(db, "name,owner,arr\nAcme,U0ANN,100\n", today=LATER)
    assert (blank.unchanged, absent.updated, absent.fields_changed) == (1, 1, {"arr": 1})
    assert inactive_fields(stored(db)["Acme"]) == (False, Inactive.INACTIVE, TODAY, None)


def test_a_bad_active_cell_rejects_the_file_naming_its_line(db: Database) -> None:
    with pytest.raises(ImportRejected) as raised:
        customers(db, "name,owner,active\nAcme,U0ANN,true\nBeta,U0ANN,maybe\nGamma,U0ANN,2\n")
    assert [str(error) for error in raised.value.errors] == [
        "line 3: active 'maybe' is not one of true, false, yes, no, 1, 0",
        "line 4: active '2' is not one of true, false, yes, no, 1, 0",
    ]
    assert stored(db) == {}


def test_a_dry_run_counts_the_status_moves_and_writes_nothing(db: Database) -> None:
    customers(db, "name,owner,active\nAcme,U0ANN,\nBeta,U0ANN,false\n")
    result = customers(
        db, "name,owner,active\nAcme,U0ANN,false\nBeta,U0ANN,true\nGamma,U0ANN,no\n", dry_run=True
    )
    assert result == CustomerImport(
        added=1,
        updated=2,
        unchanged=0,
        owners_added=0,
        dry_run=True,
        fields_changed={"status": 2},
        made_inactive=1,
        reactivated=1,
        added_inactive=1,
    )
    after = stored(db)
    assert (after["Acme"].active, after["Beta"].active, "Gamma" in after) == (True, False, False)


def test_export_writes_active_and_reads_back_unchanged(db: Database, tmp_path: Path) -> None:
    customers(db, "name,owner,active\nAcme,U0ANN,\nBeta,U0ANN,false\nGamma,U0ANN,\n")
    mark_lost(db, "Gamma", date(2026, 10, 1), "Budget cut")
    export_workspace(db, tmp_path, TEAM)
    exported = (tmp_path / "customers.csv").read_text("utf-8")
    assert exported.splitlines() == [
        "name,owner,reason,reason_theme,since,renewal_date,arr,cadence_days,active",
        "Acme,U0ANN,,,,,,,true",
        "Beta,U0ANN,,,,,,,false",
        "Gamma,U0ANN,,,,,,,false",
    ]
    result = customers(db, exported, today=LATER)
    assert (result.updated, result.unchanged) == (0, 3)
    assert inactive_fields(stored(db)["Gamma"]) == (False, Inactive.LOST, date(2026, 10, 1), "Budget cut")
