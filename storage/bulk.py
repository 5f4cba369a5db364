"""Bulk writes for imports: many rows through the driver's executemany, converted like Core would.

Core's own executemany sends every value of every row through generic per-row machinery, which
costs more than the database's work on large imports. `execute_many` compiles the statement once,
converts each value with its column type's own bind processor (the very conversion Core applies,
so SQLite and PostgreSQL see what they always see), converts constants once, and hands plain rows
to the driver. Text is cleaned of control characters on the way, as on every other write, and an
insert fills each column it is not given from the model's default, as the ORM would.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cache, lru_cache
from itertools import islice
from typing import Any, TypeVar

from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined
from sqlalchemy import Column, Enum, Insert, String, Table, Update, inspect
from sqlalchemy.engine import Dialect
from sqlmodel import Session

from bot.rules.limits import clean_text
from storage.models import CheckIn, Customer, CustomerChange, Owner

T = TypeVar("T")

# Rows per executemany call and per fetched batch: big enough to be fast, small enough to stay lean.
CHUNK = 5_000

# SQLite's page cache during a bulk write, in KiB: room for the pages it writes, so they are not
# spilled to the WAL (and written again) before the commit. Taken only while a bulk write runs.
BULK_CACHE_KIB = 65_536

CUSTOMER: Table = Customer.__table__  # type: ignore[attr-defined]
CHECKIN: Table = CheckIn.__table__  # type: ignore[attr-defined]
OWNER: Table = Owner.__table__  # type: ignore[attr-defined]
CUSTOMER_CHANGE: Table = CustomerChange.__table__  # type: ignore[attr-defined]


def batched(items: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    """`items` in lists of at most `size` (itertools.batched arrived in Python 3.12)."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


@contextmanager
def bulk_write(*, session: Session) -> Iterator[None]:
    """Room for a bulk write in the session's transaction (a bigger page cache on SQLite)."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    previous = int(connection.exec_driver_sql("PRAGMA cache_size").scalar_one())
    connection.exec_driver_sql(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size={previous}")


@cache
def _model_fields(table: Table) -> Mapping[str, FieldInfo]:
    """The fields of the SQLModel mapped to `table` (none for a table no model maps)."""
    for mapper in inspect(Customer).registry.mappers:
        if mapper.local_table is table:
            fields: Mapping[str, FieldInfo] = mapper.class_.model_fields
            return fields
    return {}


def _default(column: Column[Any], field: FieldInfo | None) -> Any:
    """A column's default on insert: its model field's (default or default_factory), else its own
    scalar or callable default; None when it has none (the database then stores NULL or its own)."""
    value = PydanticUndefined if field is None else field.get_default(call_default_factory=True)
    if value is not PydanticUndefined:
        return value
    default = column.default
    if default is not None and default.is_scalar:
        return default.arg  # type: ignore[attr-defined]
    if default is not None and default.is_callable:
        return default.arg(None)  # type: ignore[attr-defined]
    return None


def insert_defaults(table: Table, given: Collection[str]) -> dict[str, Any]:
    """The defaults an insert of the columns `given` takes for every other column of `table` that
    has one (see `_default`); the same values the ORM would write."""
    fields = _model_fields(table)
    defaults = {c.key: _default(c, fields.get(c.key)) for c in table.columns if c.key not in given}
    return {key: value for key, value in defaults.items() if value is not None}


def _cleaned(convert: Callable[[Sequence[Any]], Sequence[Any]]) -> Callable[[Sequence[Any]], Sequence[Any]]:
    """`convert` for a text column, after removing control characters (see `clean_text`); a chunk
    with none (the usual case, checked at once) is converted as it is."""

    def clean(values: Sequence[Any]) -> Sequence[Any]:
        if not "".join(filter(None, values)).isprintable():
            values = [clean_text(value) if isinstance(value, str) else value for value in values]
        return convert(values)

    return clean


def _converter(table: Table, key: str, dialect: Dialect) -> Callable[[Sequence[Any]], Sequence[Any]]:
    """Converts a column of values bound to `key` the way Core would (as is when it is no column).

    Text columns are cleaned of control characters first, so a NUL never reaches the database
    (PostgreSQL refuses it; SQLite would keep it). Imported columns repeat few values (dates,
    verdicts, ...), so conversions are remembered.
    """
    column = table.c.get(key)
    process = None if column is None else column.type.dialect_impl(dialect).bind_processor(dialect)
    is_text = column is not None and isinstance(column.type, String) and not isinstance(column.type, Enum)
    if process is None:
        return _cleaned(lambda values: values) if is_text else lambda values: values
    remembered = lru_cache(maxsize=CHUNK, typed=True)(process)

    def convert(values: Sequence[Any]) -> Sequence[Any]:
        try:
            return list(map(remembered, values))
        except TypeError:  # an unhashable value, such as a list for a JSON column
            return list(map(process, values))

    return _cleaned(convert) if is_text else convert


def execute_many(
    statement: Insert | Update,
    names: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    constants: Mapping[str, Any] | None = None,
    session: Session,
) -> None:
    """Run `statement` for each row (values for `names`, in that order), plus `constants` for every row.

    An insert takes every other column's default from the model (`insert_defaults`), computed once
    for all rows; an update writes only the columns given.
    """
    connection = session.connection()
    dialect = connection.dialect
    table = statement.table
    assert isinstance(table, Table)
    constants = dict(constants or {})
    if isinstance(statement, Insert):
        constants = {**insert_defaults(table, (*names, *constants)), **constants}
    keys = [*names, *constants]
    compiled = statement.compile(dialect=dialect, column_keys=keys, for_executemany=True)
    missing = set(compiled.binds) - set(keys)
    if missing:
        raise ValueError(f"no values for {sorted(missing)}")
    converters = [_converter(table, name, dialect) for name in names]
    fixed = [_converter(table, key, dialect)([value])[0] for key, value in constants.items()]
    order = [keys.index(name) for name in compiled.positiontup or ()] if dialect.positional else None
    sql = str(compiled)
    for chunk in batched(rows):
        columns = [
            convert(values) for convert, values in zip(converters, zip(*chunk, strict=True), strict=True)
        ]
        columns += [[value] * len(chunk) for value in fixed]
        if order is None:
            parameters: list[Any] = [dict(zip(keys, row, strict=True)) for row in zip(*columns, strict=True)]
        else:
            parameters = list(zip(*(columns[index] for index in order), strict=True))
        connection.exec_driver_sql(sql, parameters)
