"""Finding the customer someone typed: exact name, else the only one containing it, else suggestions."""

from __future__ import annotations

from dataclasses import dataclass

from bot.rules.matching import close_matches
from storage.customers import LIKE_FRAGMENTS, customer_by_name, customers_containing, customers_like_any
from storage.fast_read import Reader
from storage.models import Customer, name_key

CANDIDATES = 500


@dataclass(frozen=True)
class Found:
    """The customer, or up to five close names to offer."""

    customer: Customer | None
    suggestions: tuple[tuple[int, str], ...] = ()


def find_customer(team_id: str, query: str, *, reader: Reader) -> Found:
    """Exact (case-insensitive) name, or the only name containing `query`; otherwise close names."""
    key = name_key(query)
    if not key:
        return Found(None)
    exact = customer_by_name(team_id, query, reader=reader)
    if exact is not None:
        return Found(exact)
    containing = customers_containing(team_id, query, reader=reader, limit=6)
    if len(containing) == 1 and len(key) >= 2:
        return Found(containing[0])
    pool = [(c.id, c.name) for c in containing if c.id is not None]
    if not pool:
        # Names sharing the start of a word with the query: a bounded pool to rank by spelling.
        fragments = sorted({word[:3] for word in key.split() if len(word) >= 2})[:LIKE_FRAGMENTS]
        pool = customers_like_any(team_id, fragments, reader=reader, limit=CANDIDATES)
    suggestions = close_matches(query, pool, lambda pair: pair[1])
    return Found(None, tuple(suggestions))
