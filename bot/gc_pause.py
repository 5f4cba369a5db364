"""Pausing Python's cyclic garbage collector around bulk work."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic collection inside the block.

    Imports and digest planning build hundreds of thousands of short-lived objects that form no
    reference cycles; the collector would rescan them again and again as they pile up, costing more
    than the work itself. Reference counting still frees them as usual. Let go of what the block
    built before leaving it: the collector's first pass afterwards scans all of it that is still alive.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
