"""The customers whose names match what someone is typing (the check-in form's typeahead)."""

from __future__ import annotations

from bot.operations.actor import Actor
from bot.services import Services
from storage.name_index import NameIndexes


class CustomerNames:
    """Each workspace's names in memory, rebuilt in the background as customers are added (one per app)."""

    def __init__(self, services: Services) -> None:
        self._indexes = NameIndexes(services.database)

    def suggest(self, actor: Actor, typed: str, *, limit: int) -> tuple[tuple[int, str], ...]:
        """Up to `limit` (id, name) pairs for `typed`, the actor's own customers first."""
        return tuple(self._indexes.search(actor.team_id, typed, caller_user_id=actor.user_id, limit=limit))
