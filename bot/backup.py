"""`holdfast backup`: a consistent copy of the SQLite database, safe while the bot is writing to it."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL

from storage.db import SQLITE_BUSY_TIMEOUT_MS


class BackupError(Exception):
    """The backup cannot be made; the message says why in one line."""


@dataclass(frozen=True, slots=True)
class BackupResult:
    path: Path
    size: int
    customers: int
    checkins: int


def sqlite_file(url: URL) -> Path:
    """The database file a SQLite URL names; refuses other databases and in-memory ones."""
    if url.get_backend_name() != "sqlite":
        raise BackupError(
            f"backup copies SQLite databases; this one is {url.get_backend_name()}. Use pg_dump instead, "
            'e.g. pg_dump --format=custom --file=holdfast.dump "$DATABASE_URL"'
        )
    if not url.database or url.database == ":memory:":
        raise BackupError("DATABASE_URL names an in-memory SQLite database: there is no file to back up")
    return Path(url.database).expanduser()


def backup_sqlite(source: Path, target: Path) -> BackupResult:
    """Copy `source` to the new file `target` with SQLite's online backup API.

    The copy is taken in one step inside one read transaction, so it is a consistent snapshot
    even while other connections write (WAL lets them go on). It is written next to `target`
    and renamed into place only once complete and checked.
    """
    if not source.is_file():
        raise BackupError(f"there is no database file at {source}")
    if target.exists():
        raise BackupError(f"{target} exists already; choose a new file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        with (
            closing(sqlite3.connect(source, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)) as origin,
            closing(sqlite3.connect(partial)) as copy,
        ):
            origin.backup(copy)
            (check,) = copy.execute("PRAGMA quick_check").fetchone()
            if check != "ok":
                raise BackupError(f"the copy failed its integrity check ({check}); {target} was not written")
            (customers,) = copy.execute("SELECT count(*) FROM customer").fetchone()
            (checkins,) = copy.execute("SELECT count(*) FROM checkin").fetchone()
        os.replace(partial, target)
    except sqlite3.Error as exc:
        raise BackupError(f"cannot back up {source} ({exc})") from None
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(path=target, size=target.stat().st_size, customers=customers, checkins=checkins)
