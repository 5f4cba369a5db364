"""Caches for Slack identity lookups. Neither remembers a failed lookup: the next caller asks again."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar, cast

logger = logging.getLogger("holdfast.access")

T = TypeVar("T")
Spawn = Callable[[Callable[[], None]], None]


class Cache(Protocol):
    def get(self, key: str, load: Callable[[], T]) -> T: ...


def _load_into(future: Future[Any], load: Callable[[], Any]) -> None:
    try:
        future.set_result(load())
    except Exception as exc:  # noqa: BLE001 - handed to whoever waits on the future
        future.set_exception(exc)


class Memo:
    """Each key loaded once, for one run (the digest job, an import); callers of a key share its load."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, Future[Any]] = {}

    def get(self, key: str, load: Callable[[], T]) -> T:
        with self._lock:
            future = self._items.get(key)
            first = future is None
            if future is None:
                future = self._items[key] = Future()
        if first:
            _load_into(future, load)
            if future.exception() is not None:
                with self._lock:
                    del self._items[key]
        return cast(T, future.result())


def in_background(work: Callable[[], None]) -> None:
    threading.Thread(target=work, daemon=True, name="holdfast-lookup").start()


class LastGood:
    """The last good answer for each key (stale-while-revalidate, with bounded staleness).

    An answer younger than `fresh` is served as is. One younger than `stale` is served at once while
    a background load refreshes it. Otherwise the caller waits at most `wait` seconds for the load
    (`TimeoutError`; the load goes on and its answer serves the next caller) or gets its error. At
    most one load per key runs at a time; a failed one changes nothing.
    """

    def __init__(
        self,
        *,
        fresh: timedelta,
        stale: timedelta,
        wait: float,
        clock: Callable[[], datetime],
        spawn: Spawn = in_background,
    ) -> None:
        self.fresh, self.stale, self.wait = fresh, stale, wait
        self._clock = clock
        self._spawn = spawn
        self._lock = threading.Lock()
        self._items: dict[str, tuple[datetime, Any]] = {}
        self._loading: dict[str, Future[Any]] = {}

    def get(self, key: str, load: Callable[[], T]) -> T:
        now = self._clock()
        with self._lock:
            hit = self._items.get(key)
            if hit is not None and now - hit[0] < self.fresh:
                return cast(T, hit[1])
            future = self._loading.get(key)
            start = future is None
            if future is None:
                future = self._loading[key] = Future()
        if start:
            self._spawn(lambda: self._refresh(key, load, future))
        if hit is not None and now - hit[0] < self.stale:
            return cast(T, hit[1])
        return cast(T, future.result(timeout=self.wait))

    def _refresh(self, key: str, load: Callable[[], Any], future: Future[Any]) -> None:
        def remember() -> Any:
            try:
                value = load()
            except Exception as exc:
                with self._lock:
                    del self._loading[key]
                    kept = key in self._items
                if kept:
                    logger.warning("could not refresh %s; the last good answer stays: %s", key, exc)
                raise
            with self._lock:
                self._items[key] = (self._clock(), value)
                del self._loading[key]
            return value

        _load_into(future, remember)
