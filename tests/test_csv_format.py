"""The CSV formats: cell parsing, header checks and export formatting, as tables of cases."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.csv_format import (
    CHECKINS,
    CUSTOMERS,
    CellError,
    CheckInRecord,
    CsvFormat,
    CustomerRecord,
    format_active,
    format_changes,
    format_date,
    format_number,
    format_verdict,
    parse_active,
    parse_arr,
    parse_cadence,
    parse_changes,
    parse_date,
    parse_expectation,
    parse_user,
    parse_verdict,
)
from bot.operations.import_book import read_records
from bot.rules.limits import MAX_ARR
from bot.rules.vocabulary import Change, Expectation, Verdict


@pytest.mark.parametrize(
    ("parse", "text", "value"),
    [
        (parse_user, "U0123ABCD", "U0123ABCD"),
        (parse_user, " W0123ABCD ", "W0123ABCD"),
        (parse_user, "ann@example.com", "ann@example.com"),
        (parse_date, "2026-02-28", date(2026, 2, 28)),
        (parse_date, "", None),
        (parse_arr, "120000", 120000.0),
        (parse_arr, "1234.5", 1234.5),
        (parse_arr, "$1,200k", 1_200_000.0),
        (parse_arr, "0", 0.0),
        (parse_arr, "1e+12", 1e12),
        (parse_arr, " ", None),
        (parse_cadence, "14", 14),
        (parse_cadence, "", None),
        (parse_active, "true", True),
        (parse_active, " Yes ", True),
        (parse_active, "1", True),
        (parse_active, "FALSE", False),
        (parse_active, "no", False),
        (parse_active, "0", False),
        (parse_active, "", None),
        (parse_verdict, "holds", Verdict.HOLDS),
        (parse_verdict, "Weakened", Verdict.WEAKENED),
        (parse_verdict, "not asked", Verdict.NOT_ASKED),
        (parse_verdict, "not_asked", Verdict.NOT_ASKED),
        (parse_verdict, "", Verdict.NOT_ASKED),
        (parse_expectation, "below", Expectation.BELOW),
        (parse_expectation, "", Expectation.UNKNOWN),
        (parse_changes, "reorg; budget cut;;reorg", (Change.REORG, Change.BUDGET_CUT)),
        (parse_changes, "", ()),
    ],
)
def test_cells_parse(parse: Callable[[str], Any], text: str, value: Any) -> None:
    assert parse(text) == value


@pytest.mark.parametrize(
    ("parse", "text", "message"),
    [
        (parse_user, "bob", "'bob' is neither a Slack user ID (like U0123ABCD) nor an e-mail address"),
        (
            parse_user,
            "C0123ABCD",
            "'C0123ABCD' is neither a Slack user ID (like U0123ABCD) nor an e-mail address",
        ),
        (parse_user, "", "is empty"),
        (parse_date, "2026-02-30", "'2026-02-30' is not a date (YYYY-MM-DD)"),
        (parse_date, "20260201", "'20260201' is not a date (YYYY-MM-DD)"),
        (parse_date, "01/02/2026", "'01/02/2026' is not a date (YYYY-MM-DD)"),
        (parse_arr, "-1", "'-1' is negative"),
        (parse_arr, "lots", "'lots' is not a number"),
        (parse_arr, "nan", "'nan' is not a number"),
        (parse_arr, "1e999", "'1e999' is above the limit of 1,000,000,000,000"),
        (parse_arr, "1000000000000.5", "'1000000000000.5' is above the limit of 1,000,000,000,000"),
        (parse_arr, "9" * 400, f"'{'9' * 40}…' is above the limit of 1,000,000,000,000"),
        (parse_arr, "inf", "'inf' is not a number"),
        (parse_cadence, "0", "'0' is not a whole number of days above 0"),
        (parse_cadence, "2.5", "'2.5' is not a whole number of days above 0"),
        (parse_cadence, "3651", "'3651' is more than 3,650 days"),
        (parse_cadence, "1" * 30, f"'{'1' * 30}' is more than 3,650 days"),
        (parse_active, "maybe", "'maybe' is not one of true, false, yes, no, 1, 0"),
        (parse_active, "2", "'2' is not one of true, false, yes, no, 1, 0"),
        (parse_verdict, "maybe", "'maybe' is not one of holds, weakened, changed, not asked"),
        (parse_expectation, "great", "'great' is not one of above, meets, below, unknown"),
        (
            parse_changes,
            "reorg;layoffs",
            "'layoffs' is not one of new_leadership, reorg, merger, budget_cut, "
            "growth, champion_left, new_competitor",
        ),
    ],
)
def test_bad_cells_say_why(parse: Callable[[str], Any], text: str, message: str) -> None:
    with pytest.raises(CellError) as raised:
        parse(text)
    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("header", "problems"),
    [
        (["name", "owner"], []),
        (["owner", "arr", "name"], []),
        (
            ["name", "owner", "colour"],
            [
                "unknown column 'colour' (expected some of: name, owner, reason, reason_theme, since, "
                "renewal_date, arr, cadence_days, active)"
            ],
        ),
        (["name", "owner", "name"], ["column 'name' appears twice"]),
        (["name", "reason"], ["required column 'owner' is missing"]),
    ],
)
def test_customer_header_problems(header: list[str], problems: list[str]) -> None:
    assert CUSTOMERS.header_problems(header) == problems


def test_a_row_reads_in_any_column_order_and_missing_cells_are_empty() -> None:
    parse = CUSTOMERS.row_parser(["arr", "owner", "name"])
    assert parse(7, ["1200", "U1AB", "Acme"]) == CustomerRecord(
        line=7,
        name="Acme",
        owner="U1AB",
        reason=None,
        reason_theme=None,
        since=None,
        renewal_date=None,
        arr=1200.0,
        cadence_days=None,
        active=None,
    )
    assert parse(8, ["", "U1AB", "Beta"]).arr is None


def test_a_bad_row_names_every_bad_cell() -> None:
    parse = CHECKINS.row_parser(["customer", "date", "verdict", "changes"])
    with pytest.raises(CellError) as raised:
        parse(3, ["", "yesterday", "holds", "merger"])
    assert str(raised.value) == "customer is empty; date 'yesterday' is not a date (YYYY-MM-DD)"


def test_a_checkin_row_fills_defaults_for_absent_columns() -> None:
    parse = CHECKINS.row_parser(["customer", "date"])
    assert parse(2, ["Acme", "2026-01-05"]) == CheckInRecord(
        line=2,
        customer="Acme",
        occurred_on=date(2026, 1, 5),
        author=None,
        note="",
        verdict=Verdict.NOT_ASKED,
        expectation=Expectation.UNKNOWN,
        spoke_with=None,
        new_reason=None,
        changes=(),
        next_step=None,
        next_step_due=None,
    )


@given(st.floats(min_value=0, max_value=MAX_ARR, allow_nan=False, allow_infinity=False))
def test_amounts_round_trip(amount: float) -> None:
    assert parse_arr(format_number(amount)) == amount


@given(st.dates())
def test_dates_round_trip(day: date) -> None:
    assert parse_date(format_date(day)) == day


@given(st.lists(st.sampled_from(Change), unique=True))
def test_changes_round_trip(changes: list[Change]) -> None:
    assert parse_changes(format_changes(changes)) == tuple(changes)


@pytest.mark.parametrize("active", [True, False])
def test_active_round_trips(active: bool) -> None:
    assert parse_active(format_active(active)) is active


@pytest.mark.parametrize("verdict", list(Verdict))
def test_verdicts_round_trip(verdict: Verdict) -> None:
    assert parse_verdict(format_verdict(verdict)) == verdict


def test_whole_amounts_print_without_a_decimal_point() -> None:
    assert [format_number(v) for v in (120000.0, 0.0, 1234.5, None, 14)] == [
        "120000",
        "0",
        "1234.5",
        "",
        "14",
    ]


def test_the_readme_examples_are_valid_files() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")
    examples = re.findall(r"```csv\n(.*?)```", readme, flags=re.DOTALL)
    assert len(examples) == 2
    for text in examples:
        file_format: CsvFormat[Any] = CUSTOMERS if text.startswith("name,") else CHECKINS
        records, errors = read_records(io.StringIO(text), file_format)
        assert (len(records), errors) == (2, [])
