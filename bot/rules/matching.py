"""Customer names close to what someone typed: exact, unique partial, or a short list to choose from."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from typing import TypeVar

from bot.rules.names import name_key

T = TypeVar("T")
MAX_SUGGESTIONS = 5
MIN_SIMILARITY = 0.6


# A one-letter typo is told apart from a different name only in a name (or its first words) this long.
MIN_TYPO_LENGTH = 4


def one_edit_apart(one: str, two: str) -> bool:
    """Whether `two` is `one` with a single character inserted, deleted, replaced, or two neighbours
    swapped (the same text is not)."""
    if one == two or abs(len(one) - len(two)) > 1:
        return False
    if len(one) > len(two):
        one, two = two, one
    first = next((i for i, (a, b) in enumerate(zip(one, two, strict=False)) if a != b), len(one))
    if len(one) < len(two):
        return one[first:] == two[first + 1 :]
    swapped = one[first + 1 : first + 2] + one[first : first + 1]
    return one[first + 1 :] == two[first + 1 :] or (
        swapped == two[first : first + 2] and one[first + 2 :] == two[first + 2 :]
    )


def _typo(query: str, name: str) -> float:
    """How close a one-letter typo of the whole name, or of its first words, reads; 0 when it is none."""
    if len(name) >= MIN_TYPO_LENGTH and one_edit_apart(query, name):
        return 0.9
    words = name.split()
    for count in range(len(words) - 1, 0, -1):
        start = " ".join(words[:count])
        if len(start) >= MIN_TYPO_LENGTH and one_edit_apart(query, start):
            return 0.7 + 0.1 * len(start) / len(name)
    return 0.0


def similarity(query: str, name: str) -> float:
    """How close `name` is to `query` (0..1): containment scores high, then a one-letter typo of the
    name or of its first words, then shared words and spelling similarity."""
    q, n = name_key(query), name_key(name)
    if not q or not n:
        return 0.0
    if q == n:
        return 1.0
    if n.startswith(q):
        return 0.95 - 0.1 * (1 - len(q) / len(n))
    if q in n:
        return 0.85 - 0.1 * (1 - len(q) / len(n))
    scores = [_typo(q, n), difflib.SequenceMatcher(None, q, n).ratio()]
    words, typed = set(n.split()), set(q.split())
    if words & typed:
        scores.append(0.6 + 0.2 * len(words & typed) / max(len(words), len(typed)))
    return max(scores)


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
