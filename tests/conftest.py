"""Shared fixtures: a fresh database per test (SQLite, and PostgreSQL when reachable), a Slack stand-in."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

from storage.db import Database, open_database
from tests.live_app import LiveApp, ServedApp, serve_app, serve_over_http
from tests.slack_stub import SlackStub

POSTGRES_URL = os.environ.get("HOLDFAST_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _postgres_unreachable() -> str | None:
    """Why PostgreSQL tests cannot run here, or None when they can."""
    if POSTGRES_URL.lower() in ("", "off", "none"):
        return "HOLDFAST_TEST_POSTGRES_URL is off"
    url = make_url(POSTGRES_URL)
    try:
        psycopg.connect(
            host=url.host,
            port=url.port or 5432,
            user=url.username,
            password=url.password,
            dbname=url.database,
            connect_timeout=2,
        ).close()
    except psycopg.OperationalError as exc:
        return f"no PostgreSQL at {url.host}:{url.port or 5432} ({str(exc).splitlines()[0]})"
    return None


POSTGRES_SKIP = _postgres_unreachable()


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    if POSTGRES_SKIP:
        pytest.skip(POSTGRES_SKIP)
    return POSTGRES_URL


def _fresh_postgres_database(admin_url: str) -> Iterator[str]:
    """Create a throwaway database next to the admin one; drop it afterwards."""
    url = make_url(admin_url)
    name = f"holdfast_test_{uuid.uuid4().hex[:12]}"
    conninfo = {
        "host": url.host,
        "port": url.port or 5432,
        "user": url.username,
        "password": url.password,
        "dbname": url.database,
    }
    with psycopg.connect(**conninfo, autocommit=True) as admin:  # type: ignore[arg-type]
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(**conninfo, autocommit=True) as admin:  # type: ignore[arg-type]
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database's URL: a SQLite file, and (second run) a PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'holdfast.db'}"
    else:
        yield from _fresh_postgres_database(request.getfixturevalue("postgres_admin_url"))


@pytest.fixture(scope="session")
def sqlite_at_head(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to the newest schema once; each test gets a copy of it."""
    path = tmp_path_factory.mktemp("template") / "holdfast.db"
    open_database(f"sqlite:///{path}").dispose()
    return path


@pytest.fixture(scope="session")
def postgres_at_head(postgres_admin_url: str) -> Iterator[str]:
    """One PostgreSQL database per test process (so per xdist worker) migrated to the newest schema,
    emptied before each test that uses it."""
    for url in _fresh_postgres_database(postgres_admin_url):
        open_database(url).dispose()
        yield url


def _emptied(url: str) -> None:
    """Every table emptied and every id sequence restarted: as good as a new database, far quicker."""
    tables = ", ".join(f'"{table.name}"' for table in SQLModel.metadata.sorted_tables)
    with psycopg.connect(make_url(url).render_as_string(hide_password=False).replace("+psycopg", "")) as conn:
        conn.execute("SET lock_timeout = '10s'")
        conn.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A database at the newest schema with no rows, on each backend.

    Migrating takes longer than most tests, so it is done once per run: SQLite files are copies of a
    migrated one, and PostgreSQL tests share one migrated database, emptied before each. Tests about
    migrations themselves take `database_url` (a truly empty database).
    """
    if request.param == "sqlite":
        path = tmp_path / "holdfast.db"
        shutil.copyfile(request.getfixturevalue("sqlite_at_head"), path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_at_head")
        _emptied(url)
    database = Database(url)  # at head already: no migration check
    yield database
    database.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'holdfast.db'}"


@pytest.fixture
def sqlite_db(sqlite_url: str, sqlite_at_head: Path) -> Iterator[Database]:
    """A SQLite database at the newest schema, for tests about SQLite itself."""
    shutil.copyfile(sqlite_at_head, make_url(sqlite_url).database or "")
    database = Database(sqlite_url)
    yield database
    database.dispose()


@pytest.fixture
def postgres_url(postgres_admin_url: str) -> Iterator[str]:
    """An empty PostgreSQL database's URL, for tests about PostgreSQL itself."""
    yield from _fresh_postgres_database(postgres_admin_url)


@pytest.fixture
def slack() -> Iterator[SlackStub]:
    with SlackStub() as stub:
        yield stub


@pytest.fixture
def live(db: Database, slack: SlackStub) -> Iterator[LiveApp]:
    """The real app in this process on each database backend, against the Slack stand-in."""
    with serve_app(db, slack) as running:
        yield running


@pytest.fixture
def live_sqlite(sqlite_db: Database, slack: SlackStub) -> Iterator[LiveApp]:
    """The real app in this process on SQLite only (for many-example tests)."""
    with serve_app(sqlite_db, slack) as running:
        yield running


@pytest.fixture
def live_http(db: Database, slack: SlackStub) -> Iterator[ServedApp]:
    """The real app behind `holdfast serve`'s HTTP server on a loopback port, on each backend."""
    with serve_over_http(db, slack) as running:
        yield running
