"""The CSV files of `holdfast import`, `import-checkins` and `export`: columns, parsing and formatting.

Import parses cells with these functions and export formats with their inverses, so a file Holdfast
writes is one it reads back unchanged. Pure: no database, no Slack, no clock (`CsvFormat.on(today)`
adds the date windows).

Every cell is cleaned of control characters (`bot.rules.limits.clean_text`) and held to the field
limits of `bot.rules.limits`. Text cells are safe for spreadsheets: export puts a `'` before a text
that starts with `=`, `+`, `-`, `@`, white space (a tab, a CR, ...) or `'` itself, so a spreadsheet
shows it as text instead of running it as a formula; import trims a text cell, then removes one
leading `'`. Numbers and dates never start with those characters (amounts are never negative).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from itertools import repeat
from typing import Any, Generic, TypeVar

from bot.rules.edits import as_text
from bot.rules.limits import (
    CHECKIN_DATE,
    CUSTOMER_SINCE,
    MAX_CADENCE,
    MAX_EMAIL,
    MAX_NAME,
    MAX_NEXT_STEP,
    MAX_NOTE,
    MAX_REASON,
    MAX_SPOKE_WITH,
    NEXT_STEP_DUE,
    RENEWAL_DATE,
    DateWindow,
    arr_problem,
    cadence_problem,
    clean_text,
    parse_amount,
    shorten,
    too_long,
)
from bot.rules.slack_ids import is_user_id
from bot.rules.themes import DEFAULT_THEMES, Themes, UnknownTheme
from bot.rules.vocabulary import Change, Expectation, Verdict

R = TypeVar("R")

EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s.]+")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# What makes a spreadsheet read a cell as a formula (OWASP's list: these, a tab or a CR, which are
# white space), and the mark that makes it text.
TEXT_MARK = "'"
MARKED_STARTS = ("=", "+", "-", "@", TEXT_MARK)
SHOWN = 41  # the most of a bad cell a message repeats, ellipsis included

VERDICT_WORDS = {
    "": Verdict.NOT_ASKED,
    "holds": Verdict.HOLDS,
    "weakened": Verdict.WEAKENED,
    "changed": Verdict.CHANGED,
    "not asked": Verdict.NOT_ASKED,
    "not_asked": Verdict.NOT_ASKED,
}
NOT_ASKED_WORD = "not asked"
ACTIVE_WORDS = {"": None, "true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


class CellError(ValueError):
    """A cell's value is unusable; the message says why (the caller adds line and column)."""


@dataclass(slots=True)
class CustomerRecord:
    """One valid row of a customers file; `owner` as written (a Slack user ID or an e-mail)."""

    line: int
    name: str
    owner: str
    reason: str | None
    reason_theme: str | None  # a `bot.rules.themes` key; None: as stored (a new customer's: not set)
    since: date | None
    renewal_date: date | None
    arr: float | None
    cadence_days: int | None
    active: bool | None  # None: as stored (a new customer is active)


@dataclass(slots=True)
class CheckInRecord:
    """One valid row of a check-ins file; `author` as written; the IDs are filled in once known."""

    line: int
    customer: str
    occurred_on: date
    author: str | None
    note: str
    verdict: Verdict
    expectation: Expectation
    spoke_with: str | None
    new_reason: str | None
    changes: tuple[Change, ...]
    next_step: str | None
    next_step_due: date | None
    author_user_id: str | None = None
    customer_id: int = 0
    new_reason_theme: str | None = None  # the file has no column for it: not set


# -- parsing cells ------------------------------------------------------------------------------


def shown(value: str) -> str:
    """A bad cell's value as a message repeats it: quoted, cleaned and shortened."""
    value = clean_text(value)
    return f"'{shorten(value, SHOWN)}'"


def text_value(text: str) -> str:
    """A text cell as written: cleaned, trimmed, and without the `'` that marks it as text."""
    value = clean_text(text).strip()
    return value[1:] if value.startswith(TEXT_MARK) else value


def limited(value: str, limit: int) -> str:
    problem = too_long(value, limit)
    if problem:
        raise CellError(problem)
    return value


def text_parser(limit: int) -> Callable[[str], str | None]:
    """Parses an optional text cell of at most `limit` characters (None when empty)."""

    def parse(text: str) -> str | None:
        return limited(text_value(text), limit) or None

    return parse


parse_reason = text_parser(MAX_REASON)
parse_spoke_with = text_parser(MAX_SPOKE_WITH)
parse_next_step = text_parser(MAX_NEXT_STEP)


def parse_note(text: str) -> str:
    return limited(text_value(text), MAX_NOTE)


def parse_name(text: str) -> str:
    name = text_value(text)
    if not name:
        raise CellError("is empty")
    return limited(name, MAX_NAME)


# Cells from small vocabularies (people, dates, verdicts, ...) repeat a lot in big files: their
# parses are cached, which is fast and lets equal values share one object.
CACHED = 8192


@lru_cache(maxsize=CACHED)
def parse_user(text: str) -> str:
    """A Slack user ID (`U…`/`W…`) or an e-mail address, as written."""
    value = clean_text(text).strip()
    if not value:
        raise CellError("is empty")
    if is_user_id(value) or (len(value) <= MAX_EMAIL and EMAIL.fullmatch(value)):
        return value
    raise CellError(f"{shown(value)} is neither a Slack user ID (like U0123ABCD) nor an e-mail address")


@lru_cache(maxsize=CACHED)
def parse_optional_user(text: str) -> str | None:
    return parse_user(text) if text.strip() else None


def is_email(user: str) -> bool:
    return "@" in user


@lru_cache(maxsize=CACHED)
def parse_date(text: str) -> date | None:
    """`YYYY-MM-DD`, or None when empty."""
    value = text.strip()
    if not value:
        return None
    if DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise CellError(f"{shown(value)} is not a date (YYYY-MM-DD)")


def parse_required_date(text: str) -> date:
    value = parse_date(text)
    if value is None:
        raise CellError("is empty")
    return value


def parse_arr(text: str) -> float | None:
    """An amount as `parse_amount` reads it, non-negative and up to the limit; None when empty."""
    value = text.strip()
    if not value:
        return None
    number = parse_amount(value)
    if number is None:
        raise CellError(f"{shown(value)} is not a number")
    problem = arr_problem(number)
    if problem:
        raise CellError(f"{shown(value)} {problem}")
    return number


def parse_cadence(text: str) -> int | None:
    value = text.strip()
    if not value:
        return None
    if not value.isdecimal():
        raise CellError(f"{shown(value)} {cadence_problem(0)}")
    digits = value.lstrip("0")
    # More digits than the limit has is above it (and never built into a huge int).
    days = int(digits or "0") if len(digits) <= len(str(MAX_CADENCE)) else MAX_CADENCE + 1
    problem = cadence_problem(days)
    if problem:
        raise CellError(f"{shown(value)} {problem}")
    return days


@lru_cache(maxsize=CACHED)
def parse_active(text: str) -> bool | None:
    """true/false, yes/no or 1/0 in any case; None when empty."""
    value = text.strip()
    try:
        return ACTIVE_WORDS[value.lower()]
    except KeyError:
        raise CellError(f"{shown(value)} is not one of true, false, yes, no, 1, 0") from None


@lru_cache(maxsize=CACHED)
def parse_verdict(text: str) -> Verdict:
    verdict = VERDICT_WORDS.get(" ".join(text.split()).lower())
    if verdict is None:
        raise CellError(f"{shown(text.strip())} is not one of holds, weakened, changed, not asked")
    return verdict


@lru_cache(maxsize=CACHED)
def parse_expectation(text: str) -> Expectation:
    value = text.strip().lower()
    if not value:
        return Expectation.UNKNOWN
    try:
        return Expectation(value)
    except ValueError:
        raise CellError(f"{shown(text.strip())} is not one of above, meets, below, unknown") from None


@lru_cache(maxsize=CACHED)
def parse_changes(text: str) -> tuple[Change, ...]:
    """`;`-separated Change values (spaces may stand for underscores), each kept once."""
    changes: list[Change] = []
    for part in text.split(";"):
        value = "_".join(part.split()).lower()
        if not value:
            continue
        try:
            change = Change(value)
        except ValueError:
            allowed = ", ".join(Change)
            raise CellError(f"{shown(part.strip())} is not one of {allowed}") from None
        if change not in changes:
            changes.append(change)
    return tuple(changes)


def theme_parser(themes: Themes) -> Callable[[str], str | None]:
    """Parses a `reason_theme` cell: a theme's key or label as `Themes.read` takes it (None when empty)."""

    @lru_cache(maxsize=CACHED)
    def parse_theme(text: str) -> str | None:
        try:
            return themes.read(clean_text(text))
        except UnknownTheme as error:
            raise CellError(str(error)) from None

    return parse_theme


def within(
    parse: Callable[[str], date | None], window: DateWindow, today: date
) -> Callable[[str], date | None]:
    """`parse` for a date column, refusing a date outside `window` around `today`."""

    @lru_cache(maxsize=CACHED)
    def parse_within(text: str) -> date | None:
        day = parse(text)
        problem = window.problem(day, today) if day is not None else None
        if problem:
            raise CellError(f"'{day}' {problem}")
        return day

    return parse_within


@dataclass(frozen=True, slots=True)
class CsvFormat(Generic[R]):
    """One kind of file: its columns with their cell parsers, in export order and in the order of
    the record's fields after `line`."""

    parsers: Mapping[str, Callable[[str], Any]]
    required: tuple[str, ...]
    record: Callable[..., R]
    # The date columns' windows around today, applied by `on`.
    windows: Mapping[str, DateWindow] = field(default_factory=dict)

    def on(self, today: date) -> CsvFormat[R]:
        """This format with each date column held to its window around `today`."""
        parsers = {
            column: within(parse, self.windows[column], today) if column in self.windows else parse
            for column, parse in self.parsers.items()
        }
        return replace(self, parsers=parsers, windows={})

    def with_themes(self, themes: Themes) -> CsvFormat[R]:
        """This format with its `reason_theme` column read against `themes` (the configured list)."""
        return replace(self, parsers={**self.parsers, "reason_theme": theme_parser(themes)})

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(self.parsers)

    def header_problems(self, header: Sequence[str]) -> list[str]:
        """What is wrong with a header row (unknown, repeated or missing columns); empty when fine."""
        expected = ", ".join(self.columns)
        return [
            *(
                f"unknown column {shown(name)} (expected some of: {expected})"
                for name in header
                if name not in self.parsers
            ),
            *(
                f"column {shown(name)} appears twice"
                for name in dict.fromkeys(header)
                if header.count(name) > 1
            ),
            *(f"required column '{name}' is missing" for name in self.required if name not in header),
        ]

    def row_parser(self, header: Sequence[str]) -> Callable[[int, list[str]], R]:
        """Parses one row of a file with this (valid) header; raises CellError naming each bad cell.

        Missing cells, and columns the file lacks, read as empty.
        """
        width = len(header)
        # A column the file lacks reads as the empty cell past the row's end; its value is parsed once.
        plan = [
            (header.index(column), parse) if column in header else (width, {"": parse("")}.get)
            for column, parse in self.parsers.items()
        ]
        padding = [""] * (width + 1)
        record = self.record

        def problems(cells: list[str]) -> str:
            found = []
            for column, (index, parse) in zip(self.parsers, plan, strict=True):
                try:
                    parse(cells[index])
                except CellError as exc:
                    found.append(f"{column} {exc}")
            return "; ".join(found)

        def parse_row(line: int, row: list[str]) -> R:
            cells = row + padding[len(row) :]
            try:
                return record(line, *[parse(cells[index]) for index, parse in plan])
            except CellError:
                raise CellError(problems(cells)) from None

        return parse_row

    def rows_parser(
        self, header: Sequence[str]
    ) -> Callable[[Sequence[int], Sequence[list[str]]], list[R] | None]:
        """Parses rows as wide as the header, given their line numbers, column by column (several
        times quicker than row by row); None when any cell is bad, for `row_parser` to say which."""
        # A column the file lacks has the empty cell's value on every row; it is parsed once.
        plan = [
            (header.index(column), parse, None) if column in header else (None, parse, parse(""))
            for column, parse in self.parsers.items()
        ]
        record = self.record

        def parse_rows(lines: Sequence[int], rows: Sequence[list[str]]) -> list[R] | None:
            cells = list(zip(*rows, strict=True)) or [()] * len(header)
            try:
                values = [
                    repeat(empty) if index is None else list(map(parse, cells[index]))
                    for index, parse, empty in plan
                ]
            except CellError:
                return None
            return list(map(record, lines, *values))

        return parse_rows


CUSTOMERS = CsvFormat(
    parsers={
        "name": parse_name,
        "owner": parse_user,
        "reason": parse_reason,
        "reason_theme": theme_parser(DEFAULT_THEMES),
        "since": parse_date,
        "renewal_date": parse_date,
        "arr": parse_arr,
        "cadence_days": parse_cadence,
        "active": parse_active,
    },
    required=("name", "owner"),
    record=CustomerRecord,
    windows={"since": CUSTOMER_SINCE, "renewal_date": RENEWAL_DATE},
)
CHECKINS = CsvFormat(
    parsers={
        "customer": parse_name,
        "date": parse_required_date,
        "author": parse_optional_user,
        "note": parse_note,
        "verdict": parse_verdict,
        "expectation": parse_expectation,
        "spoke_with": parse_spoke_with,
        "new_reason": parse_reason,
        "changes": parse_changes,
        "next_step": parse_next_step,
        "next_step_due": parse_date,
    },
    required=("customer", "date"),
    record=CheckInRecord,
    windows={"date": CHECKIN_DATE, "next_step_due": NEXT_STEP_DUE},
)


def header_names(row: Sequence[str]) -> list[str]:
    """Column names as read: trimmed and lower-case."""
    return [clean_text(cell).strip().lower() for cell in row]


# -- formatting (export) ------------------------------------------------------------------------


def format_text(value: str | None) -> str:
    """A text cell, marked as text when a spreadsheet would read it as a formula, or when import
    would change it otherwise (a leading space or mark)."""
    text = value or ""
    return TEXT_MARK + text if text.startswith(MARKED_STARTS) or text[:1].isspace() else text


def format_date(value: date | None) -> str:
    return value.isoformat() if value else ""


def format_number(value: float | int | None) -> str:
    return as_text(value) or ""


def format_active(value: bool) -> str:
    return as_text(value) or ""


def format_verdict(value: Verdict) -> str:
    return NOT_ASKED_WORD if value == Verdict.NOT_ASKED else value.value


def format_changes(values: Sequence[str]) -> str:
    return ";".join(values)


def customer_cells(row: Mapping[Any, Any]) -> list[str]:
    """A stored customer (its columns by name) as a customers.csv row, in CUSTOMERS.columns order."""
    return [
        format_text(row["name"]),
        row["owner_user_id"],
        format_text(row["original_reason"]),
        format_text(row["original_reason_theme"]),
        format_date(row["customer_since"]),
        format_date(row["renewal_date"]),
        format_number(row["arr"]),
        format_number(row["cadence_days"]),
        format_active(row["active"]),
    ]


def checkin_cells(row: Mapping[Any, Any]) -> list[str]:
    """A stored check-in (columns by name, plus `customer`: its name) as a checkins.csv row."""
    return [
        format_text(row["customer"]),
        format_date(row["occurred_on"]),
        row["author_user_id"] or "",
        format_text(row["note"]),
        format_verdict(row["verdict"]),
        row["expectation"].value,
        format_text(row["spoke_with"]),
        format_text(row["new_reason"]),
        format_changes(row["changes"] or ()),
        format_text(row["next_step"]),
        format_date(row["next_step_due"]),
    ]
