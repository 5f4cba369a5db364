"""One grammar for an amount (ARR), whether typed into the add-customer form or read from a CSV."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.csv_format import CellError, format_number
from bot.csv_format import parse_arr as parse_arr_cell
from bot.rules.forms import customer_mistakes
from bot.rules.limits import MAX_ARR, parse_amount
from tests.test_rules_issue3 import TODAY


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("120000", 120_000),
        ("120,000", 120_000),
        ("120 000", 120_000),
        ("1_000", 1_000),
        ("$120k", 120_000),
        ("€2M", 2_000_000),
        ("£ 1.5m", 1_500_000),
        ("1.1k", 1_100),
        ("1234.5", 1234.5),
        (".5", 0.5),
        ("+5", 5),
        ("-5", -5),
        ("1e+12", 1e12),
        ("2.5e3k", 2_500_000),
        ("1e999", math.inf),
        ("9" * 400, math.inf),
    ],
)
def test_an_amount_reads_the_same_wherever_it_is_written(text: str, value: float) -> None:
    assert parse_amount(text) == value


@pytest.mark.parametrize("text", ["", " ", "lots", "nan", "inf", "k", "1.2.3", "1e", "12x", "$", "1k2"])
def test_what_is_no_number_reads_as_none(text: str) -> None:
    assert parse_amount(text) is None


@pytest.mark.parametrize(
    ("text", "form_mistake", "cell_error"),
    [
        ("120k", None, None),
        ("-5", "The amount is negative.", "'-5' is negative"),
        ("lots", "Write the annual revenue as a number, e.g. 120000 or 120k.", "'lots' is not a number"),
        (
            "2000000m",
            "The amount is above the limit of 1,000,000,000,000.",
            "'2000000m' is above the limit of 1,000,000,000,000",
        ),
    ],
)
def test_the_form_and_the_csv_accept_and_refuse_the_same_amounts(
    text: str, form_mistake: str | None, cell_error: str | None
) -> None:
    mistakes = customer_mistakes(
        name="Acme", name_taken=False, arr_text=text, since=None, renewal=None, today=TODAY
    )
    assert mistakes.get("arr") == form_mistake
    if cell_error is None:
        assert parse_arr_cell(text) == parse_amount(text)
    else:
        with pytest.raises(CellError, match=f"^{cell_error}$"):
            parse_arr_cell(text)


@given(st.floats(min_value=0, max_value=MAX_ARR))
def test_an_exported_amount_reads_back_unchanged(amount: float) -> None:
    assert parse_amount(format_number(amount)) == amount
