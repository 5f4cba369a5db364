"""Export writes files the imports read back unchanged, and JSON with every field."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.operations.export_book import ExportError, choose_workspace, export_workspace
from bot.operations.import_book import import_checkins, import_customers
from storage.db import Database, open_database
from storage.models import CheckIn, Customer

TEAM = "T0001"
TODAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)

CUSTOMERS_CSV = """\
name,owner,reason,reason_theme,since,renewal_date,arr,cadence_days,active
Acme GmbH,U0ANN,"Cheapest, and ""secure"" storage",Price,2024-01-15,2027-03-31,120000.5,21,
[bold]Beta,W0BOB,,,,,0,,no
Zürich AG,U0ANN,"Reason over
two lines",product_fit,,2026-12-01,1e+12,,
"""
CHECKINS_CSV = (
    "customer,date,author,note,verdict,expectation,spoke_with,new_reason,changes,next_step,next_step_due\n"
    'acme gmbh,2026-03-01,U0ANN,"Budget is tight, CFO says",changed,below,CFO,Lowest total cost,'
    "budget_cut;reorg,Send pricing,2026-03-15\n"
    """\
ACME GMBH,2026-02-01,W0BOB,Fine,holds,meets,,,,,
[bold]Beta,2026-02-01,,,not_asked,,,,,,
Zürich AG,2026-01-10,U0ANN,"Two
lines",weakened,above,"Ann, Bob",,new_competitor,,
"""
)


def import_both(database: Database, customers: str, checkins: str) -> None:
    import_customers(
        io.StringIO(customers), database=database, team_id=TEAM, resolve_emails=None, today=TODAY, now=NOW
    )
    import_checkins(io.StringIO(checkins), database=database, team_id=TEAM, resolve_emails=None, now=NOW)


def comparable(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Exported rows without what a fresh database numbers differently."""
    return [{k: v for k, v in row.items() if k not in ("id", "customer_id")} for row in rows]


@pytest.fixture
def second_db(db: Database, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Database]:
    """Another fresh database of the same kind as `db`."""
    url = f"sqlite:///{tmp_path / 'second.db'}" if db.is_sqlite else request.getfixturevalue("postgres_url")
    database = open_database(url)
    yield database
    database.dispose()


def test_import_export_import_export_round_trips(db: Database, second_db: Database, tmp_path: Path) -> None:
    import_both(db, CUSTOMERS_CSV, CHECKINS_CSV)
    first = tmp_path / "first"
    result = export_workspace(db, first, TEAM)
    assert (result.customers, result.checkins) == (3, 4)
    import_both(
        second_db, (first / "customers.csv").read_text("utf-8"), (first / "checkins.csv").read_text("utf-8")
    )
    second = tmp_path / "second"
    export_workspace(second_db, second, TEAM)

    for name in ("customers.csv", "checkins.csv"):
        assert (second / name).read_bytes() == (first / name).read_bytes()
    for name in ("customers.json", "checkins.json"):
        rows = json.loads((first / name).read_text("utf-8"))
        again = json.loads((second / name).read_text("utf-8"))
        assert comparable(again) == comparable(rows)


def test_exported_csv_holds_what_was_imported(db: Database, tmp_path: Path) -> None:
    import_both(db, CUSTOMERS_CSV, CHECKINS_CSV)
    export_workspace(db, tmp_path, TEAM)
    customers = (tmp_path / "customers.csv").read_text("utf-8")
    assert (
        customers.splitlines()[0]
        == "name,owner,reason,reason_theme,since,renewal_date,arr,cadence_days,active"
    )
    acme = 'Acme GmbH,U0ANN,"Cheapest, and ""secure"" storage",price,2024-01-15,2027-03-31,120000.5,21,true'
    assert acme in customers
    assert "[bold]Beta,W0BOB,,,,,0,,false" in customers
    assert 'two lines",product_fit,,2026-12-01,' in customers
    # By customer name (ignoring case), then date.
    checkins = (tmp_path / "checkins.csv").read_text("utf-8").splitlines()
    assert checkins[1:4] == [
        "[bold]Beta,2026-02-01,,,not asked,unknown,,,,,",
        "Acme GmbH,2026-02-01,W0BOB,Fine,holds,meets,,,,,",
        'Acme GmbH,2026-03-01,U0ANN,"Budget is tight, CFO says",changed,below,CFO,Lowest total cost,'
        "budget_cut;reorg,Send pricing,2026-03-15",
    ]


def test_json_has_every_field(db: Database, tmp_path: Path) -> None:
    import_both(db, CUSTOMERS_CSV, CHECKINS_CSV)
    export_workspace(db, tmp_path, TEAM)
    customers = json.loads((tmp_path / "customers.json").read_text("utf-8"))
    checkins = json.loads((tmp_path / "checkins.json").read_text("utf-8"))
    assert set(customers[0]) == set(Customer.model_fields)
    assert set(checkins[0]) == set(CheckIn.model_fields) | {"customer"}
    acme = next(customer for customer in customers if customer["name"] == "Acme GmbH")
    assert acme["current_reason"] == "Lowest total cost"
    assert acme["last_verdict"] == "changed"
    assert acme["last_changes"] == ["budget_cut", "reorg"]
    assert acme["created_at"] == "2026-11-20T09:30:00+00:00"
    assert [checkin["customer"] for checkin in checkins] == [
        "[bold]Beta",
        "Acme GmbH",
        "Acme GmbH",
        "Zürich AG",
    ]
    assert checkins[2]["changes"] == ["budget_cut", "reorg"]
    assert checkins[2]["occurred_on"] == "2026-03-01"


def test_an_empty_database_exports_headers_only(db: Database, tmp_path: Path) -> None:
    result = export_workspace(db, tmp_path / "out", None)
    assert (result.team_id, result.customers, result.checkins) == (None, 0, 0)
    assert (tmp_path / "out" / "customers.csv").read_text() == (
        "name,owner,reason,reason_theme,since,renewal_date,arr,cadence_days,active\n"
    )
    assert json.loads((tmp_path / "out" / "checkins.json").read_text()) == []


@pytest.mark.parametrize(
    ("asked", "stored", "chosen"),
    [("T1", ["T2", "T3"], "T1"), (None, ["T2"], "T2"), (None, [], None), ("T1", [], "T1")],
)
def test_the_workspace_to_export(asked: str | None, stored: list[str], chosen: str | None) -> None:
    assert choose_workspace(asked, stored) == chosen


def test_several_workspaces_need_a_choice() -> None:
    with pytest.raises(ExportError, match=r"several workspaces \(T1, T2\): choose one with --team"):
        choose_workspace(None, ["T1", "T2"])
