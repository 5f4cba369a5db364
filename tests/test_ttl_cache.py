"""The handlers' small TTL cache: one load per key until the entry expires."""

from __future__ import annotations

from handlers.support import TTLCache


def test_entries_are_loaded_once_until_they_expire() -> None:
    now = [100.0]
    loads: list[str] = []
    cache = TTLCache(60.0, clock=lambda: now[0])

    def load(key: str) -> str:
        loads.append(key)
        return key.upper()

    assert cache.get("a", lambda: load("a")) == "A"
    assert cache.get("a", lambda: load("a")) == "A"
    assert cache.get("b", lambda: load("b")) == "B"
    now[0] += 59.9
    assert cache.get("a", lambda: load("a")) == "A"
    assert loads == ["a", "b"]
    now[0] += 0.2
    assert cache.get("a", lambda: load("a")) == "A"
    assert loads == ["a", "b", "a"]


def test_a_none_value_is_cached_too() -> None:
    loads: list[int] = []
    cache = TTLCache(60.0, clock=lambda: 0.0)
    assert cache.get("team", lambda: loads.append(1)) is None
    assert cache.get("team", lambda: loads.append(1)) is None
    assert loads == [1]
