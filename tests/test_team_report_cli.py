"""`holdfast report`: the terminal tables, the JSON shape, the HTML page, and the options."""

from __future__ import annotations

import json
from pathlib import Path

from storage.db import Database
from tests.cli_runner import Ran, holdfast
from tests.report_book import TEAM, seed_report_book


def run(db: Database, tmp_path: Path, *args: str) -> Ran:
    return holdfast(
        ["report", "--team", TEAM, *args], tmp_path, DATABASE_URL=db.url.render_as_string(hide_password=False)
    )


def test_the_terminal_report_shows_the_headline_and_every_table(db: Database, tmp_path: Path) -> None:
    seed_report_book(db)
    ran = run(db, tmp_path)
    assert ran.returncode == 0, ran.stderr
    out = ran.stdout
    assert "Reason coverage: 58% of ARR ($1,000 of $1,730)" in out
    for title in (
        "Per owner",
        "Key accounts untouched",
        "Renewals in the window",
        "Reasons map",
        "Tenured customers",
    ):
        assert title in out


def test_the_json_report_has_the_documented_shape(db: Database, tmp_path: Path) -> None:
    seed_report_book(db)
    ran = run(db, tmp_path, "--format", "json", "--period", "90")
    assert ran.returncode == 0, ran.stderr
    data = json.loads(ran.stdout)
    assert data["schema"] == "holdfast.team_view/1"
    assert set(data) == {
        "schema", "team_id", "today", "period_days", "coverage", "trend", "owners",
        "untouched_key_accounts", "renewals_unconfirmed", "unowned", "themes", "tenure",
    }  # fmt: skip
    assert data["period_days"] == 90
    assert data["coverage"] == {
        "arr": 1730.0, "confirmed_arr": 1200.0, "share": 1200 / 1730,
        "key_arr": 1300.0, "key_confirmed_arr": 1000.0, "key_share": 1000 / 1300,
    }  # fmt: skip
    assert len(data["trend"]) == 12
    assert [o["owner_user_id"] for o in data["owners"]] == ["U1", "U2", "U3"]
    assert data["renewals_unconfirmed"]["lines"][0]["days_to_renewal"] == 10
    assert data["unowned"]["total"] == 1
    price = data["themes"][0]
    assert price["changed_to"] == [{"theme": "integration", "label": "integration", "customers": 1}]
    assert data["themes"][1]["label"] == "not set"
    assert data["tenure"]["neglected"] is False


def test_the_html_report_is_one_page_with_its_charts_inline(db: Database, tmp_path: Path) -> None:
    seed_report_book(db)
    ran = run(db, tmp_path, "--format", "html", "--out", str(tmp_path / "report.html"))
    assert ran.returncode == 0, ran.stderr
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert page.count('src="data:image/png;base64,') == 2
    assert "http" not in page.replace('name="viewport"', "")


def test_the_report_refuses_a_bad_period_and_html_without_out(db: Database, tmp_path: Path) -> None:
    assert run(db, tmp_path, "--period", "45").returncode == 2
    assert run(db, tmp_path, "--format", "html").returncode == 2
