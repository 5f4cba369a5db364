"""Key accounts: the active customers that make up the top share of the book by ARR.

One rule, two ways in: `key_account_ids` ranks a whole book in memory (planning digests), while a
single lookup asks the database for the ARR at `cutoff_rank` and compares with `is_key`.
Customers without ARR (or with zero) are never key accounts, but they count in the book's size;
customers tied at the cut-off all count.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from bot.rules.facts import CustomerFacts


def cutoff_rank(active_count: int, share: float, with_arr_count: int) -> int | None:
    """The 1-based rank, by ARR among active customers with an ARR, whose ARR is the cut-off.

    None when nobody is a key account (no share, or nobody with an ARR).
    """
    wanted = math.ceil(active_count * share)
    if wanted <= 0 or with_arr_count <= 0:
        return None
    return min(wanted, with_arr_count)


def is_key(arr: float | None, active: bool, cutoff: float | None) -> bool:
    """Whether a customer with this ARR is a key account, given the cut-off ARR."""
    return cutoff is not None and active and bool(arr) and (arr or 0.0) >= cutoff


def key_account_ids(customers: Iterable[CustomerFacts], share: float) -> set[int]:
    """Ids of the key accounts among `customers` (the whole book)."""
    active = [c for c in customers if c.active and c.id is not None]
    arrs = sorted((c.arr for c in active if c.arr), reverse=True)  # plain floats: a fast sort
    rank = cutoff_rank(len(active), share, len(arrs))
    cutoff = arrs[rank - 1] if rank is not None else None
    return {c.id for c in active if c.id is not None and is_key(c.arr, c.active, cutoff)}
