"""`holdfast backup` takes a consistent SQLite copy while another connection keeps writing."""

from __future__ import annotations

import sqlite3
import threading
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import insert
from sqlalchemy.engine import make_url

from bot.backup import BackupError, backup_sqlite, sqlite_file
from bot.rules.names import name_key
from storage.bulk import CHECKIN
from storage.checkins import add_checkin
from storage.db import Database, current_revision, head_revision, open_database
from storage.models import CheckIn, Customer
from storage.types import utcnow


def test_backup_is_consistent_while_the_bot_writes(sqlite_db: Database, tmp_path: Path) -> None:
    with sqlite_db.transaction() as session:
        customer = Customer(team_id="T1", name="Acme", name_key=name_key("Acme"), owner_user_id="U1")
        session.add(customer)
        session.flush()
        # Some bulk, so that the copy takes a while.
        session.connection().execute(
            insert(CHECKIN),
            [
                {
                    "team_id": "T1",
                    "customer_id": customer.id,
                    "occurred_on": date(2025, 1, 1),
                    "note": "x" * 500,
                }
                for _ in range(20_000)
            ],
        )
    written = threading.Event()
    stop = threading.Event()
    commits: list[int] = []
    errors: list[BaseException] = []

    def write() -> None:
        """Stands in for the bot: two check-ins per transaction, so a consistent copy holds an even count."""
        try:
            while not stop.is_set():
                with sqlite_db.transaction() as session:
                    target = session.get(Customer, customer.id)
                    assert target is not None
                    for note in ("one", "two"):
                        add_checkin(
                            CheckIn(team_id="", customer_id=0, occurred_on=date(2026, 1, 2), note=note),
                            customer=target,
                            session=session,
                            now=utcnow(),
                        )
                commits.append(1)
                if len(commits) == 5:
                    written.set()
        except BaseException as exc:  # noqa: BLE001 - asserted below
            errors.append(exc)
            written.set()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        assert written.wait(timeout=60)
        target = tmp_path / "copy.db"
        result = backup_sqlite(sqlite_file(sqlite_db.url), target)
        during = len(commits)
    finally:
        stop.set()
        writer.join()
    assert errors == []
    assert len(commits) >= during >= 5
    assert (result.path, result.customers) == (target, 1)
    assert result.checkins % 2 == 0
    assert 20_000 + 2 * 5 <= result.checkins <= 20_000 + 2 * len(commits)
    assert not target.with_name("copy.db.partial").exists()
    with sqlite3.connect(target) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    reopened = open_database(f"sqlite:///{target}")
    assert current_revision(reopened.engine) == head_revision()
    reopened.dispose()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql://u@host/holdfast", "backup copies SQLite databases; this one is postgresql"),
        ("sqlite://", "in-memory SQLite database"),
        ("sqlite:///:memory:", "in-memory SQLite database"),
    ],
)
def test_only_sqlite_files_are_backed_up(url: str, message: str) -> None:
    with pytest.raises(BackupError, match=message):
        sqlite_file(make_url(url))


def test_a_file_that_is_no_database_is_reported(tmp_path: Path) -> None:
    source = tmp_path / "notes.txt"
    source.write_text("not a database " * 100)
    with pytest.raises(BackupError, match=r"cannot back up .*notes.txt \(file is not a database\)"):
        backup_sqlite(source, tmp_path / "copy.db")
    assert not (tmp_path / "copy.db").exists()
