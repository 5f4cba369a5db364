"""The team view's figures against a small book computed by hand, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from bot.operations.team_view import AccountLine, TeamView, team_view, tenure_split
from bot.services import Services
from bot.settings import Settings
from storage.db import Database
from storage.team_figures import TenureFigures
from tests.report_book import TEAM, seed_report_book

TODAY = date(2026, 6, 10)  # a Wednesday


@pytest.fixture
def book(db: Database) -> dict[str, int]:
    return seed_report_book(db, TODAY)


def view(db: Database, period_days: int = 30) -> TeamView:
    return team_view(Services(Settings(_env_file=None), db), TEAM, today=TODAY, period_days=period_days)


@pytest.mark.parametrize(
    ("period", "arr", "confirmed", "key_arr", "key_confirmed"),
    [(30, 1730, 1000, 1300, 1000), (90, 1730, 1200, 1300, 1000)],
)
def test_reason_coverage_is_the_active_arr_confirmed_holding_in_the_period(
    db: Database,
    book: dict[str, int],
    period: int,
    arr: float,
    confirmed: float,
    key_arr: float,
    key_confirmed: float,
) -> None:
    coverage = view(db, period).coverage
    assert (coverage.arr, coverage.confirmed_arr) == (arr, confirmed)
    assert (coverage.key_arr, coverage.key_confirmed_arr) == (key_arr, key_confirmed)


@pytest.mark.parametrize(
    ("owner", "figures"),
    [
        # customers, arr, contacted, asked, holds, weakened, changed, concerns open, snoozed, paused
        ("U1", (3, 1300, 2, 2, 1, 1, 0, 0, 0, False)),
        ("U2", (3, 380, 0, 1, 0, 0, 1, 1, 1, True)),
        ("U3", (1, 50, 1, 0, 0, 0, 0, 0, 0, False)),
    ],
)
def test_each_owner_line_counts_their_active_book(
    db: Database, book: dict[str, int], owner: str, figures: tuple[Any, ...]
) -> None:
    lines = {line.owner_user_id: line for line in view(db).owners}
    line = lines[owner]
    got = (
        line.customers,
        line.arr,
        line.contacted,
        line.asked,
        line.holds,
        line.weakened,
        line.changed,
        line.concerns_open,
        line.snoozed,
        line.paused,
    )
    assert got == figures
    assert line.deactivated is (owner == "U3")


def test_owner_lines_come_largest_book_first(db: Database, book: dict[str, int]) -> None:
    assert [line.owner_user_id for line in view(db).owners] == ["U1", "U2", "U3"]


def test_the_lists_name_untouched_key_accounts_unconfirmed_renewals_and_unowned_customers(
    db: Database, book: dict[str, int]
) -> None:
    team = view(db)
    assert team.untouched_key_accounts == [
        AccountLine(book["Key Big"], "Key Big", "U1", 1000, 20),
        AccountLine(book["Renewal"], "Renewal", "U2", 300, 30),
    ]
    assert team.renewals_unconfirmed == [AccountLine(book["Renewal"], "Renewal", "U2", 300, 10)]
    assert team.unowned == [AccountLine(book["Orphan"], "Orphan", "U3", 50, 3)]
    assert (team.untouched_total, team.renewals_total, team.unowned_total) == (2, 1, 1)


def test_the_reasons_map_groups_by_the_theme_they_bought_for(db: Database, book: dict[str, int]) -> None:
    themes = {line.theme: line for line in view(db).themes}
    assert [line.theme for line in view(db).themes] == ["price", None, "support"]
    price = themes["price"]
    assert (price.customers, price.arr, price.holds, price.weakened, price.changed) == (3, 1400, 1, 1, 1)
    assert price.eroding == 2
    assert price.changed_to == {"integration": 1}
    unset = themes[None]
    assert (unset.customers, unset.arr, unset.holds, unset.eroding, unset.changed_to) == (3, 280, 1, 0, {})
    assert (themes["support"].customers, themes["support"].eroding) == (1, 0)


def test_new_and_tenured_customers_split_the_book_and_the_periods_checkins(
    db: Database, book: dict[str, int]
) -> None:
    tenure = view(db).tenure
    assert (tenure.new_customers, tenure.new_arr, tenure.new_checkins) == (2, 280, 1)
    assert (tenure.tenured_customers, tenure.tenured_arr, tenure.tenured_checkins) == (5, 1450, 5)
    assert not tenure.neglected


@pytest.mark.parametrize(
    ("new", "tenured", "neglected"),
    [
        ((10, 100.0, 9), (10, 900.0, 1), True),  # 90% of the ARR, 10% of the attention
        ((10, 500.0, 5), (10, 500.0, 5), False),
        ((10, 200.0, 3), (10, 800.0, 7), False),  # 70% against 80%: not clearly less
        ((10, 200.0, 4), (10, 800.0, 5), True),  # 56% against 80%
        ((10, 100.0, 0), (10, 900.0, 0), False),  # no check-ins: nothing to compare
        ((0, 0.0, 0), (0, 0.0, 0), False),
    ],
)
def test_tenured_customers_are_flagged_when_clearly_neglected(
    new: tuple[int, float, int], tenured: tuple[int, float, int], neglected: bool
) -> None:
    split = tenure_split([TenureFigures(True, *new), TenureFigures(False, *tenured)])
    assert split.neglected is neglected


def test_the_trend_is_coverage_at_the_end_of_each_of_the_last_twelve_weeks(
    db: Database, book: dict[str, int]
) -> None:
    team = view(db)
    assert [point.week for point in team.trend] == [
        date(2026, 6, 8) - timedelta(weeks=11 - n) for n in range(12)
    ]
    confirmed = [0, 0, 0, 0, 0, 200, 200, 200, 1200, 1300, 1000, 1000]
    assert [point.share for point in team.trend] == [arr / 1730 for arr in confirmed]
    assert team.trend[-1].share == team.coverage.share
    assert [point.key_share for point in team.trend][-4:] == [
        1000 / 1300,
        1000 / 1300,
        1000 / 1300,
        1000 / 1300,
    ]


def test_an_empty_workspace_has_no_shares(db: Database) -> None:
    team = view(db)
    assert team.coverage.share is None
    assert team.coverage.key_share is None
    assert team.owners == []
    assert team.themes == []
    assert len(team.trend) == 12
    assert all(point.share is None for point in team.trend)
    assert team.tenure.tenured_arr_share is None
