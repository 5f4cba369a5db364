"""Key accounts by cut-off: the same answer as `key_account_ids`, from two counts and one ARR.

Looking one customer up should not rank the whole book; the database finds the ARR at the
cut-off rank (`cutoff_rank`) and `is_key` compares against it.
"""

from __future__ import annotations

import math


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
