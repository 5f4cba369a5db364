"""Customer names close to what someone typed: exact, unique partial, or a short list to choose from."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from typing import TypeVar

from bot.rules.names import name_key

T = TypeVar("T")
MAX_SUGGESTIONS = 5
MIN_SIMILARITY = 0.6


def similarity(query: str, name: str) -> float:
    """How close `name` is to `query` (0..1): containment scores high, then spelling similarity."""
    q, n = name_key(query), name_key(name)
    if not q or not n:
        return 0.0
    if q == n:
        return 1.0
    if n.startswith(q):
        return 0.95 - 0.1 * (1 - len(q) / len(n))
    if q in n:
        return 0.85 - 0.1 * (1 - len(q) / len(n))
    words = set(n.split())
    if words & set(q.split()):
        overlap = len(words & set(q.split())) / max(len(words), len(q.split()))
        return max(0.6 + 0.2 * overlap, difflib.SequenceMatcher(None, q, n).ratio())
    return difflib.SequenceMatcher(None, q, n).ratio()


def close_matches(
    query: str,
    candidates: Iterable[T],
    name_of: Callable[[T], str] | None = None,
    *,
    limit: int = MAX_SUGGESTIONS,
) -> list[T]:
    """Up to `limit` candidates whose names resemble `query`, closest first (then by name)."""
    get = name_of or (lambda item: str(item))
    scored = [(similarity(query, get(item)), name_key(get(item)), item) for item in candidates]
    scored = [entry for entry in scored if entry[0] >= MIN_SIMILARITY]
    scored.sort(key=lambda entry: (-entry[0], entry[1]))
    return [item for _, _, item in scored[:limit]]
