"""Engine, sessions and schema upgrades for SQLite (the default) and PostgreSQL."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel import Session

from storage.fast_read import Reader

MIGRATIONS = Path(__file__).with_name("migrations")
SQLITE_BUSY_TIMEOUT_MS = 30_000
# Any fixed number: it names the lock that serialises upgrades across processes on PostgreSQL.
PG_UPGRADE_LOCK = 0x486F6C64
POOL_SIZE = 32
POOL_OVERFLOW = 16
# Binds None as NULL, as sqlite3 does anyway, but straight from its adapter table: without an entry,
# every None goes through a failed protocol lookup that raises and clears an AttributeError, which
# made binding NULLs the costliest part of bulk imports. (`{}.get` returns None for None, in C.)
_BIND_NONE: Any = {}.get


def normalise_url(database_url: str) -> URL:
    """Pick the drivers Holdfast ships with: pysqlite and psycopg 3."""
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        return url.set(drivername="postgresql+psycopg")
    return url


def create_db_engine(database_url: str, **kwargs: Any) -> Engine:
    """An engine ready for concurrent use: WAL and a busy timeout on SQLite, pre-ping on PostgreSQL."""
    url = normalise_url(database_url)
    # Enough pooled connections for every server and listener thread: with fewer, connections
    # returned past the pool size are closed and reopened on the next request (measured: 4 ms each).
    kwargs.setdefault("pool_size", POOL_SIZE)
    kwargs.setdefault("max_overflow", POOL_OVERFLOW)
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, **kwargs)
    sqlite3.register_adapter(type(None), _BIND_NONE)
    if url.database and url.database != ":memory:":
        Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        **kwargs,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself, so writers can take the lock up front.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A writer that starts deferred and upgrades later can fail with "database is locked"
        # without waiting; BEGIN IMMEDIATE waits for the write lock (busy timeout) instead.
        immediate = connection.get_execution_options().get("sqlite_immediate", False)
        # Straight to the driver: through exec_driver_sql this cost as much as the query it guards.
        connection.connection.driver_connection.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class Database:
    """One database: an engine, read sessions and write transactions."""

    def __init__(self, database_url: str, **engine_kwargs: Any) -> None:
        self.url = normalise_url(database_url)
        self.engine = create_db_engine(database_url, **engine_kwargs)
        self._writer = self.engine.execution_options(sqlite_immediate=True)

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session for reading; nothing is committed."""
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def reader(self) -> Iterator[Reader]:
        """A pooled connection for `FastQuery` reads, in no transaction of ours (see `storage.fast_read`)."""
        connection = self.engine.raw_connection()
        try:
            yield Reader(connection.driver_connection, self.engine.dialect)
        finally:
            connection.close()  # back to the pool, which rolls back whatever the driver began

    @contextmanager
    def snapshot(self) -> Iterator[Session]:
        """A read session whose queries all see one consistent state (REPEATABLE READ on PostgreSQL;
        a SQLite read transaction sees a snapshot anyway)."""
        with self.session() as session:
            if not self.is_sqlite:
                session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            yield session

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed on success and rolled back on any error."""
        with Session(self._writer, expire_on_commit=False) as session, session.begin():
            yield session

    def ping(self) -> bool:
        """Whether the database answers a trivial query."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception:  # noqa: BLE001 - any failure means "not answering"
            return False
        return True

    def upgrade(self) -> None:
        """Bring the schema to the newest migration, if it is not there already."""
        upgrade_to_head(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade_to_head(engine: Engine) -> None:
    """Run pending migrations; concurrent callers on PostgreSQL take turns under an advisory lock."""
    if current_revision(engine) == head_revision():
        return
    config = alembic_config()
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_UPGRADE_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def open_database(database_url: str, **engine_kwargs: Any) -> Database:
    """Open the database and bring it to the newest schema: what every command does first."""
    database = Database(database_url, **engine_kwargs)
    database.upgrade()
    return database
