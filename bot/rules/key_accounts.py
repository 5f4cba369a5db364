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
    ranked = sorted((c for c in active if c.arr), key=lambda c: c.arr or 0.0, reverse=True)
    if wanted <= 0 or not ranked:
        return set()
    cutoff = (ranked[min(wanted, len(ranked)) - 1].arr) or 0.0
    return {c.id for c in ranked if (c.arr or 0.0) >= cutoff and c.id is not None}
