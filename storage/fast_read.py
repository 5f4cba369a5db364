"""Reads on a request's hot path: a SELECT compiled once per dialect and run on the driver's connection.

A lookup from Slack makes two or three small queries and must answer in milliseconds, but an ORM
session spends about 0.3 ms per query on set-up and bookkeeping (and, on SQLite, on BEGIN and
ROLLBACK around it). `FastQuery` keeps SQLAlchemy's SQL and its per-column result processing, so
values read back exactly as the ORM reads them, and skips the rest: the driver runs the compiled
string. Model rows come back as detached instances, for reading only: never add one to a session
(write paths load their rows through the session they write in).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import configure_mappers
from sqlmodel import Session, SQLModel

R = TypeVar("R")
M = TypeVar("M", bound=SQLModel)


@dataclass(frozen=True, slots=True)
class Reader:
    """A driver (DBAPI) connection to run `FastQuery`s on, and its dialect."""

    connection: Any
    dialect: Dialect

    @classmethod
    def of(cls, session: Session) -> Reader:
        """The connection `session` works on, inside its transaction."""
        connection = session.connection()
        return cls(connection.connection.driver_connection, connection.dialect)


@dataclass(slots=True)
class _Compiled:
    sql: str
    # Bind names in order for a positional paramstyle (SQLite's `?`); None for a named one (psycopg).
    positions: tuple[str, ...] | None
    defaults: Mapping[str, Any]
    binders: Mapping[str, Callable[[Any], Any]]
    # Set by the first run: some drivers' processors depend on the column types the cursor reports.
    converters: tuple[tuple[int, Callable[[Any], Any]], ...] | None = None


class FastQuery(Generic[R]):
    """A SELECT whose rows, processed as SQLAlchemy would, are turned into `R` by `make`."""

    def __init__(self, statement: sa.Select[Any], make: Callable[[Sequence[Any]], R]) -> None:
        self._statement = statement
        self._make = make
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    @classmethod
    def of_model(cls, model: type[M], statement: sa.Select[Any]) -> FastQuery[M]:
        """Rows of `statement` (which selects `model`'s table) as detached `model` instances."""
        names = [str(column.key) for column in statement.selected_columns]

        def make(values: Sequence[Any]) -> M:
            # `model_construct` skips validation: the values come from the table, as the ORM's would.
            return cast(M, model.model_construct(**dict(zip(names, values, strict=True))))

        return FastQuery(statement, make)

    def all(self, reader: Reader, **params: Any) -> list[R]:
        compiled = self._compile(reader.dialect)
        cursor = reader.connection.execute(compiled.sql, self._bind(compiled, params))
        try:
            rows = cursor.fetchall()
            converters = compiled.converters
            if converters is None:
                converters = compiled.converters = self._converters(reader.dialect, cursor.description)
        finally:
            cursor.close()
        make = self._make
        if not converters:
            return [make(row) for row in rows]
        converted = []
        for row in rows:
            values = list(row)
            for position, convert in converters:
                values[position] = convert(values[position])
            converted.append(make(values))
        return converted

    def first(self, reader: Reader, **params: Any) -> R | None:
        rows = self.all(reader, **params)
        return rows[0] if rows else None

    @staticmethod
    def _bind(compiled: _Compiled, params: Mapping[str, Any]) -> Sequence[Any] | Mapping[str, Any]:
        values = {**compiled.defaults, **params}
        for name, binder in compiled.binders.items():
            values[name] = binder(values[name])
        if compiled.positions is None:
            return values
        return [values[name] for name in compiled.positions]

    def _compile(self, dialect: Dialect) -> _Compiled:
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.setdefault(dialect.name, self._compile_for(dialect))
        return compiled

    def _compile_for(self, dialect: Dialect) -> _Compiled:
        # A model instance needs its class mapped, which the ORM otherwise does on its first query.
        configure_mappers()
        sql = self._statement.compile(dialect=dialect)
        binders = {
            name: bind.type.dialect_impl(dialect).bind_processor(dialect) for name, bind in sql.binds.items()
        }
        return _Compiled(
            sql=sql.string,
            positions=tuple(sql.positiontup or ()) if sql.positional else None,
            defaults={name: bind.value for name, bind in sql.binds.items() if bind.value is not None},
            binders={name: binder for name, binder in binders.items() if binder is not None},
        )

    def _converters(
        self, dialect: Dialect, description: Sequence[Sequence[Any]]
    ) -> tuple[tuple[int, Callable[[Any], Any]], ...]:
        """Each column's result processor, by position, where the column has one."""
        columns = self._statement.selected_columns
        processors = (
            column.type.dialect_impl(dialect).result_processor(dialect, described[1])
            for column, described in zip(columns, description, strict=True)
        )
        return tuple((position, p) for position, p in enumerate(processors) if p is not None)
