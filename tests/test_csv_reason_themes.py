"""The `reason_theme` column of the customers file: read as a key or label, refused when unknown, kept
in history on re-import, and exported so that a round trip changes nothing (SQLite and PostgreSQL)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from bot.operations.export_book import export_workspace
from bot.operations.import_book import CustomerImport, ImportRejected, import_checkins, import_customers
from bot.rules.themes import DEFAULT_THEMES, Themes, parse_themes
from storage.changes import changes_of
from storage.db import Database
from storage.models import Customer

TEAM = "T0001"
NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
LATER = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
HEADER = "name,owner,reason,reason_theme\n"


def customers(
    db: Database, text: str, *, now: datetime = NOW, themes: Themes = DEFAULT_THEMES
) -> CustomerImport:
    return import_customers(
        io.StringIO(text),
        database=db,
        team_id=TEAM,
        resolve_emails=None,
        today=now.date(),
        now=now,
        themes=themes,
    )


def stored(db: Database) -> dict[str, Customer]:
    with db.session() as session:
        return {c.name: c for c in session.exec(select(Customer)).all()}


def history(db: Database, name: str) -> list[tuple[str, str | None, str | None]]:
    with db.session() as session:
        changes = changes_of(TEAM, stored(db)[name].id or 0, session=session)
    return [(change.field, change.old_value, change.new_value) for change in reversed(changes)]


def test_a_theme_is_read_as_its_key_or_label_in_any_case_and_empty_is_not_set(db: Database) -> None:
    customers(
        db,
        HEADER
        + "Acme,U0ANN,Cheapest,Price\nBeta,U0ANN,Fits,product_fit\nGamma,U0ANN,Easy,EASE OF USE\n"
        + "Delta,U0ANN,Who knows,\n",
    )
    themes = {name: c.original_reason_theme for name, c in stored(db).items()}
    assert themes == {"Acme": "price", "Beta": "product_fit", "Gamma": "ease_of_use", "Delta": None}
    assert {c.current_reason_theme for c in stored(db).values()} == {None}


def test_an_unknown_theme_rejects_the_file_naming_the_allowed_ones(db: Database) -> None:
    with pytest.raises(ImportRejected) as raised:
        customers(db, HEADER + "Acme,U0ANN,Cheapest,Price\nBeta,U0ANN,Fits,cheap\n")
    assert [str(error) for error in raised.value.errors] == [
        "line 3: reason_theme 'cheap' is not a reason theme (allowed: price, product fit, ease of use, "
        "speed of delivery, service and support, integration, compliance and security, relationship, other)"
    ]
    assert stored(db) == {}


def test_the_configured_list_is_the_one_a_file_is_read_against(db: Database) -> None:
    themes = parse_themes("price=Cost,support")
    customers(db, HEADER + "Acme,U0ANN,Cheapest,cost\nBeta,U0ANN,Help,Support\n", themes=themes)
    assert {n: c.original_reason_theme for n, c in stored(db).items()} == {"Acme": "price", "Beta": "support"}
    with pytest.raises(ImportRejected, match="1 bad row"):
        customers(db, HEADER + "Gamma,U0ANN,Fits,product fit\n", themes=themes)


def test_a_reimport_records_the_theme_change_and_a_new_reason_drops_the_old_theme(db: Database) -> None:
    customers(db, HEADER + "Acme,U0ANN,Cheapest,price\nBeta,U0ANN,Fits,product fit\nGamma,U0ANN,Easy,\n")
    result = customers(
        db,
        HEADER + "Acme,U0ANN,,integration\nBeta,U0ANN,Works with SAP,\nGamma,U0ANN,Easy,\n",
        now=LATER,
    )
    assert (result.updated, result.unchanged) == (2, 1)
    assert result.fields_changed == {"reason": 1, "reason_theme": 2}
    after = stored(db)
    # An empty cell keeps the theme of the reason stored; a new reason does not inherit the old theme.
    assert (after["Acme"].original_reason, after["Acme"].original_reason_theme) == ("Cheapest", "integration")
    assert (after["Beta"].original_reason, after["Beta"].original_reason_theme) == ("Works with SAP", None)
    assert history(db, "Acme") == [("reason_theme", "price", "integration")]
    assert history(db, "Beta") == [
        ("reason", "Fits", "Works with SAP"),
        ("reason_theme", "product_fit", None),
    ]
    assert history(db, "Gamma") == []


def test_export_writes_the_theme_key_and_a_round_trip_changes_nothing(db: Database, tmp_path: Path) -> None:
    customers(db, HEADER + "Acme,U0ANN,Cheapest,Price\nBeta,U0ANN,Fits,\n")
    checkins = "customer,date,verdict,new_reason\nAcme,2026-11-01,changed,Works with SAP\n"
    import_checkins(io.StringIO(checkins), database=db, team_id=TEAM, resolve_emails=None, now=NOW)
    export_workspace(db, tmp_path, TEAM)
    exported = (tmp_path / "customers.csv").read_text("utf-8")
    assert exported.splitlines() == [
        "name,owner,reason,reason_theme,since,renewal_date,arr,cadence_days,active",
        "Acme,U0ANN,Cheapest,price,,,,,true",
        "Beta,U0ANN,Fits,,,,,,true",
    ]
    result = customers(db, exported, now=LATER)
    assert (result.updated, result.unchanged) == (0, 2)
    assert history(db, "Acme") == []
    acme = stored(db)["Acme"]
    # The check-in's new reason came with no theme: not set, never the original's.
    assert (acme.current_reason, acme.current_reason_theme) == ("Works with SAP", None)
    assert acme.original_reason_theme == "price"
    assert acme.current_reason_on == date(2026, 11, 1)
