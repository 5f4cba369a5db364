"""The key-account ARR cut-off of each workspace, kept fresh in the background."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from bot.lookup_cache import LastGood, Spawn, in_background
from bot.rules.key_accounts import cutoff_rank
from bot.services import Services
from storage.customers import active_counts, arr_at_rank

# A cut-off younger than FRESH is served as is; one younger than STALE is served while a background
# load refreshes it, so only a workspace's very first request waits for the count.
FRESH = timedelta(minutes=1)
STALE = timedelta(hours=6)
FIRST_LOAD_WAIT = 30.0


class KeyCutoffs:
    """`cutoffs(team_id)`: the ARR from which a customer is a key account (None: no key accounts).

    One per app, shared by every operation that asks whether a customer is key.
    """

    def __init__(self, services: Services, *, spawn: Spawn = in_background) -> None:
        self._services = services
        self._cache = LastGood(
            fresh=FRESH, stale=STALE, wait=FIRST_LOAD_WAIT, clock=services.clock, spawn=spawn
        )

    def __call__(self, team_id: str) -> float | None:
        cutoff: float | None = self._cache.get(team_id, lambda: self._compute(team_id))
        return cutoff

    def _compute(self, team_id: str) -> float | None:
        with self._services.database.session() as session:
            return key_cutoff(team_id, self._services.settings.key_account_share, session=session)


def key_cutoff(team_id: str, share: float, *, session: Session) -> float | None:
    """The workspace's cut-off as stored now: the ARR of the customer at the key-account rank."""
    active, with_arr = active_counts(team_id, session=session)
    rank = cutoff_rank(active, share, with_arr)
    return None if rank is None else arr_at_rank(team_id, rank, session=session)
