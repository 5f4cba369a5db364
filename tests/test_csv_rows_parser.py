"""Parsing a chunk of rows column by column gives what parsing each row does."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.csv_format import CHECKINS, CUSTOMERS, CellError, CsvFormat

# Valid and invalid cells for every column, so chunks with and without bad rows are drawn.
CELLS = st.sampled_from(
    [
        "",
        " ",
        "Acme",
        "U0ANN",
        "a@b.co",
        "2026-01-05",
        "2026-02-30",
        "holds",
        "Not Asked",
        "meets",
        "reorg; budget cut",
        "merger",
        "12",
        "-3",
        "1e3",
        "x" * 201,
    ]
)


@pytest.mark.parametrize("file_format", [CUSTOMERS, CHECKINS], ids=["customers", "checkins"])
@given(data=st.data())
def test_rows_parse_as_each_row_does(file_format: CsvFormat[Any], data: st.DataObject) -> None:
    header = data.draw(
        st.permutations(list(file_format.columns)).flatmap(
            lambda columns: st.integers(len(file_format.required), len(columns)).map(lambda n: columns[:n])
        )
    )
    header = [*file_format.required, *(column for column in header if column not in file_format.required)]
    rows = data.draw(st.lists(st.lists(CELLS, min_size=len(header), max_size=len(header)), max_size=5))
    lines = list(range(2, 2 + len(rows)))
    parse_row = file_format.row_parser(header)
    expected: list[Any] = []
    for line, row in zip(lines, rows, strict=True):
        try:
            expected.append(parse_row(line, row))
        except CellError:
            expected = None  # type: ignore[assignment]
            break
    assert file_format.rows_parser(header)(lines, rows) == expected
