"""Key accounts: the active customers that make up the top share of the book by ARR."""

from __future__ import annotations

import math
from collections.abc import Iterable

from bot.rules.facts import CustomerFacts


def key_account_ids(customers: Iterable[CustomerFacts], share: float) -> set[int]:
    """Ids of the top `share` of active customers by ARR (customers tied at the cut-off all count).

    Customers without ARR (or with zero) are never key accounts, but they count in the book's size.
    """
    active = [c for c in customers if c.active and c.id is not None]
    wanted = math.ceil(len(active) * share)
    arrs = sorted((c.arr for c in active if c.arr), reverse=True)  # plain floats: a fast sort
    if wanted <= 0 or not arrs:
        return set()
    cutoff = arrs[min(wanted, len(arrs)) - 1]
    return {c.id for c in active if c.arr and c.arr >= cutoff and c.id is not None}
