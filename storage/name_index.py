"""Customer names held in memory per workspace, for the check-in form's typeahead.

The typeahead runs on every keystroke and a name may match anywhere (`LIKE '%x%'`), which no
index serves: over 50,000 customers the queries took several milliseconds each. Here every name key
of the workspace is one string, searched with `str.find` (in C), so a keystroke costs microseconds.

Freshness: before each search the workspace's highest customer id is read (one primary-key lookup).
A customer added by any process changes it, so the next keystroke rebuilds the index and shows the
new name at once. Customers are never deleted or renamed (an import may only respell a name as it
reads the same: case, spacing, look-alike letters), but an owner can change (the digest's "not
mine", an import): such changes show once the index is older than `NAMES_TTL` seconds and has been
rebuilt, in the background (see `NameIndexes`).
"""

from __future__ import annotations

import logging
import threading
import time
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence

from bot.rules.names import name_key
from storage.customers import customer_name_rows, newest_customer_id
from storage.db import Database
from storage.fast_read import Reader

logger = logging.getLogger("holdfast.names")

NAMES_TTL = 10.0
# Searches remembered per index (callers × texts typed); past this the memory starts afresh.
MAX_ANSWERS = 4096
# Name keys hold single spaces only (see `name_key`), so this never occurs inside one.
_SEPARATOR = "\n"
_LAST = "\U0010ffff"


class _Keys:
    """Some name keys in order, joined into one string, with where each one starts."""

    def __init__(self, keys: Iterable[str]) -> None:
        self.starts: list[int] = []
        position = 0
        for key in keys:
            self.starts.append(position)
            position += len(key) + 1
        self.starts.append(position)  # a sentinel: where the next key would start

    def containing(self, joined: str, text: str) -> Iterator[int]:
        """Positions (in this list) of the keys containing `text`, in order."""
        if not text:
            yield from range(len(self.starts) - 1)
            return
        found = joined.find(text)
        while found >= 0:
            index = bisect_right(self.starts, found) - 1
            yield index
            found = joined.find(text, self.starts[index + 1])


class NameIndex:
    """One workspace's customers as of `newest_id`: (id, name, key, owner) rows sorted by key."""

    def __init__(self, rows: Iterable[tuple[int, str, str, str]], *, newest_id: int, expires: float) -> None:
        ordered = sorted(rows, key=lambda row: row[2])
        self.newest_id = newest_id
        self.expires = expires
        self._ids = [row[0] for row in ordered]
        self._names = [row[1] for row in ordered]
        self._keys = [row[2] for row in ordered]
        self._all = _Keys(self._keys)
        self._joined = _SEPARATOR.join(self._keys) + _SEPARATOR
        self._owner_rows: dict[str, list[int]] = {}
        for position, row in enumerate(ordered):
            self._owner_rows.setdefault(row[3], []).append(position)
        self._owners: dict[str, tuple[_Keys, str]] = {}
        self._answers: dict[tuple[str, str, int], tuple[tuple[int, str], ...]] = {}

    def _own(self, owner: str) -> tuple[_Keys, str, list[int]]:
        positions = self._owner_rows.get(owner, [])
        cached = self._owners.get(owner)
        if cached is None:
            keys = [self._keys[position] for position in positions]
            cached = self._owners[owner] = (_Keys(keys), _SEPARATOR.join(keys) + _SEPARATOR)
        return cached[0], cached[1], positions

    def search(self, text: str, *, caller_user_id: str, limit: int) -> tuple[tuple[int, str], ...]:
        """(id, name) of customers whose name key contains the key of `text` (see `name_key`), at most
        `limit`: the caller's own first, then names starting with `text`, then the rest, each by name.

        Answers are kept with the index (which never changes): keystrokes repeat the same few prefixes.
        """
        key = name_key(text)
        asked = (caller_user_id, key, limit)
        answer = self._answers.get(asked)
        if answer is None:
            if len(self._answers) >= MAX_ANSWERS:
                self._answers.clear()
            answer = self._answers[asked] = self._search(key, caller_user_id=caller_user_id, limit=limit)
        return answer

    def _search(self, key: str, *, caller_user_id: str, limit: int) -> tuple[tuple[int, str], ...]:
        found: dict[int, str] = {}

        def take(positions: Iterable[int]) -> None:
            for position in positions:
                if len(found) >= limit:
                    return
                found.setdefault(self._ids[position], self._names[position])

        own, own_joined, own_positions = self._own(caller_user_id)
        take(own_positions[index] for index in own.containing(own_joined, key))
        if key:
            take(range(bisect_left(self._keys, key), bisect_left(self._keys, key + _LAST)))
        take(self._all.containing(self._joined, key))
        return tuple(found.items())


class NameIndexes:
    """The current `NameIndex` of each workspace.

    When a customer was added (the highest id grew) the index is rebuilt before answering, so the new
    name shows at once. Past `ttl` (for owner changes made elsewhere) it is rebuilt in the background
    while the old one keeps answering: over 50,000 customers a rebuild takes a few hundred
    milliseconds, far too long to keep a keystroke (and every keystroke queued behind it) waiting.
    """

    def __init__(
        self, database: Database, ttl: float = NAMES_TTL, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._database = database
        self._ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._indexes: dict[str, NameIndex] = {}
        self._refreshing: set[str] = set()

    def search(
        self, team_id: str, text: str, *, caller_user_id: str, limit: int
    ) -> Sequence[tuple[int, str]]:
        """Typeahead: see `NameIndex.search`."""
        with self._database.reader() as reader:
            newest = newest_customer_id(reader=reader)
            index = self._indexes.get(team_id)
            if index is None or index.newest_id < newest:
                index = self._rebuild(team_id, reader, newest)
        if index.expires <= self._clock():
            self._refresh_in_background(team_id)
        return index.search(text, caller_user_id=caller_user_id, limit=limit)

    def _rebuild(self, team_id: str, reader: Reader, newest: int) -> NameIndex:
        # One rebuild at a time; whoever waited finds it done.
        with self._lock:
            index = self._indexes.get(team_id)
            if index is None or index.newest_id < newest or index.expires <= self._clock():
                newest = newest_customer_id(reader=reader)  # read before the rows: none can be missed
                rows = customer_name_rows(team_id, reader=reader)
                index = NameIndex(rows, newest_id=newest, expires=self._clock() + self._ttl)
                self._indexes[team_id] = index
            return index

    def _refresh_in_background(self, team_id: str) -> None:
        with self._lock:
            if team_id in self._refreshing:
                return
            self._refreshing.add(team_id)
        threading.Thread(target=self._refresh, args=(team_id,), name="holdfast-names", daemon=True).start()

    def _refresh(self, team_id: str) -> None:
        try:
            with self._database.reader() as reader:
                self._rebuild(team_id, reader, newest_customer_id(reader=reader))
        except Exception:
            # The old index keeps answering; the next keystroke past the TTL tries again.
            logger.exception("refreshing the customer names of %s failed", team_id)
        finally:
            with self._lock:
                self._refreshing.discard(team_id)
