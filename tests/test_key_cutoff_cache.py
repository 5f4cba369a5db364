"""The key-account cut-off: computed once per workspace, then refreshed without a request waiting."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from bot.operations.key_accounts import FRESH, KeyCutoffs
from bot.services import Services
from bot.settings import Settings
from storage.db import Database
from tests.factories import customer

TEAM = "T0001"


class Spawner:
    """Runs background work at once, or (once `hold` is set) keeps it until `run` is called."""

    def __init__(self) -> None:
        self.hold = False
        self.held: list[Callable[[], None]] = []

    def __call__(self, work: Callable[[], None]) -> None:
        if self.hold:
            self.held.append(work)
        else:
            work()

    def run(self) -> None:
        while self.held:
            self.held.pop()()


def _add(db: Database, prefix: str, arrs: list[float]) -> None:
    with db.transaction() as session:
        for n, arr in enumerate(arrs):
            session.add(customer(f"{prefix}{n}", team_id=TEAM, arr=arr))


def test_a_stale_cut_off_is_served_at_once_while_it_is_refreshed_in_the_background(db: Database) -> None:
    now = [datetime(2026, 12, 2, 9, tzinfo=UTC)]
    spawn = Spawner()
    cutoffs = KeyCutoffs(Services(Settings(), db, lambda: now[0]), spawn=spawn)
    _add(db, "A", [float(arr) for arr in range(1000, 21000, 1000)])  # 20 customers, the top fifth key

    assert cutoffs(TEAM) == 17000.0
    spawn.hold = True
    _add(db, "B", [100_000.0, 200_000.0, 300_000.0, 400_000.0, 500_000.0])
    assert cutoffs(TEAM) == 17000.0  # still fresh: nothing is asked
    assert not spawn.held

    now[0] += FRESH
    assert cutoffs(TEAM) == 17000.0  # stale: the last answer at once, a refresh started
    assert len(spawn.held) == 1
    spawn.run()
    assert cutoffs(TEAM) == 100_000.0
