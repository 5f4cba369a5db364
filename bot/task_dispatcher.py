"""Waitress's request threads, run one at a time unless the request in hand is stuck.

Python runs one thread at a time. Waitress's own dispatcher wakes a worker for every request, and
under a burst the busy workers hand the interpreter to each other at every SQLite call (the driver
lets go of it around each step) and every socket write: measured under `bench/lookup_bench.py`, a
customer card cost 1.7 ms of CPU per request that way, and 1.0 ms with requests taken one after
another. So one worker takes queued requests in turn, and a spare starts on the queue only when every
request in hand has run longer than `patience`: it is waiting on Slack or on a database lock, and
must not hold up the rest.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from typing import Protocol

logger = logging.getLogger("holdfast.server")

PATIENCE = 0.05


class Task(Protocol):
    """What waitress queues: a connection with a request to serve."""

    def service(self) -> None: ...

    def cancel(self) -> None: ...


class OneAtATimeDispatcher:
    """A drop-in for waitress's `ThreadedTaskDispatcher` (`add_task`, `shutdown`), given as `_dispatcher`."""

    def __init__(self, threads: int, *, patience: float = PATIENCE) -> None:
        self.patience = patience
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._queue: deque[Task] = deque()
        # When each worker's current request started; a worker is absent while it waits.
        self._started: dict[int, float] = {}
        self._threads: set[int] = set()
        self._watching = 0  # workers waiting to see whether the running request gets stuck
        self._stopping = False
        for number in range(threads):
            self._threads.add(number)
            name = f"holdfast-http-{number}"
            threading.Thread(target=self._work, args=(number,), name=name, daemon=True).start()

    def add_task(self, task: Task) -> None:
        with self._lock:
            self._queue.append(task)
            # Wake a worker to take the request now, or to keep watch for the one running getting stuck.
            if not self._watching or self._next_check() is None:
                self._changed.notify()

    def shutdown(self, cancel_pending: bool = True, timeout: float = 5) -> None:
        """Let the workers finish what is queued (unless `cancel_pending`) and stop; wait up to `timeout`."""
        deadline = time.monotonic() + timeout
        with self._lock:
            self._stopping = True
            if cancel_pending:
                while self._queue:
                    self._queue.popleft().cancel()
            self._changed.notify_all()
            while self._threads and (left := deadline - time.monotonic()) > 0:
                self._changed.wait(left)
            if self._threads:
                logger.warning("%d request thread(s) still running at shutdown", len(self._threads))

    def _next_check(self) -> float | None:
        """None when a waiting worker may take the next request now; else when to look again.

        Called with the lock held. A request counts as stuck once it has run for `patience`.
        """
        now = time.monotonic()
        fresh = [started for started in self._started.values() if now - started < self.patience]
        return max(fresh) + self.patience if fresh else None

    def _work(self, number: int) -> None:
        while True:
            with self._lock:
                while True:
                    if self._queue:
                        check_at = self._next_check()
                        if check_at is None:
                            break
                        self._watching += 1
                        self._changed.wait(max(check_at - time.monotonic(), 0.001))
                        self._watching -= 1
                    elif self._stopping:
                        self._threads.discard(number)
                        self._changed.notify_all()
                        return
                    else:
                        self._changed.wait()
                task = self._queue.popleft()
                self._started[number] = time.monotonic()
            try:
                task.service()
            except BaseException:
                logger.exception("request thread failed serving %r", task)
            finally:
                with self._lock:
                    del self._started[number]
