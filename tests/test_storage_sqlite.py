"""SQLite is opened for concurrent use: WAL, a busy timeout, writers that wait instead of failing."""

from __future__ import annotations

import threading
from datetime import date

from sqlalchemy import text
from sqlmodel import select

from bot.rules.names import name_key
from storage.checkins import add_checkin
from storage.db import Database
from storage.models import CheckIn, Customer
from storage.types import utcnow


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(sqlite_db: Database) -> None:
    with sqlite_db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 30_000
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_concurrent_writers_never_see_database_is_locked(sqlite_db: Database) -> None:
    """Threads standing in for the scheduler and request handlers write at once: every write lands."""
    with sqlite_db.transaction() as session:
        customer = Customer(team_id="T1", name="Acme", name_key=name_key("Acme"), owner_user_id="U1")
        session.add(customer)
    writers, per_writer = 8, 40
    errors: list[BaseException] = []
    start = threading.Barrier(writers)

    def write(worker: int) -> None:
        start.wait()
        try:
            for i in range(per_writer):
                # Read first, then write: the pattern that fails on a deferred SQLite transaction.
                with sqlite_db.transaction() as session:
                    target = session.get(Customer, customer.id)
                    assert target is not None
                    add_checkin(
                        CheckIn(
                            occurred_on=date(2026, 1, 1 + i % 28),
                            note=f"w{worker}-{i}",
                            author_user_id=f"U{worker}",
                            team_id="",
                            customer_id=0,
                        ),
                        customer=target,
                        session=session,
                        now=utcnow(),
                    )
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with sqlite_db.session() as session:
        assert len(session.exec(select(CheckIn)).all()) == writers * per_writer
