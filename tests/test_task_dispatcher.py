"""The HTTP server's request threads: one request at a time, unless every request in hand is stuck."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time

import pytest

from bot.task_dispatcher import OneAtATimeDispatcher
from storage.db import Database
from tests.live_app import reply, serve_over_http
from tests.slack_stub import SlackStub


class Request:
    """A queued request that records when it ran, optionally held until released."""

    running = 0
    most_at_once = 0
    lock = threading.Lock()

    def __init__(self, name: str, order: list[str], *, hold: threading.Event | None = None) -> None:
        self.name = name
        self.order = order
        self.hold = hold
        self.started = threading.Event()
        self.done = threading.Event()
        self.cancelled = False

    def service(self) -> None:
        with Request.lock:
            Request.running += 1
            Request.most_at_once = max(Request.most_at_once, Request.running)
            self.order.append(self.name)
        self.started.set()
        try:
            if self.hold is not None:
                assert self.hold.wait(10)
            else:
                time.sleep(0.002)
        finally:
            with Request.lock:
                Request.running -= 1
            self.done.set()

    def cancel(self) -> None:
        self.cancelled = True


@pytest.fixture(autouse=True)
def _reset_counts() -> None:
    Request.running = Request.most_at_once = 0


def test_quick_requests_run_one_at_a_time_in_arrival_order() -> None:
    dispatcher = OneAtATimeDispatcher(4, patience=5.0)
    order: list[str] = []
    requests = [Request(str(n), order) for n in range(30)]
    for request in requests:
        dispatcher.add_task(request)
    assert all(request.done.wait(10) for request in requests)
    dispatcher.shutdown(cancel_pending=False)
    assert Request.most_at_once == 1
    assert order == [str(n) for n in range(30)]


def test_a_stuck_request_does_not_hold_up_the_ones_behind_it() -> None:
    dispatcher = OneAtATimeDispatcher(2, patience=0.05)
    order: list[str] = []
    release = threading.Event()
    stuck = Request("stuck", order, hold=release)
    dispatcher.add_task(stuck)
    quick = [Request(f"q{n}", order) for n in range(5)]
    for request in quick:
        dispatcher.add_task(request)
    try:
        assert all(request.done.wait(5) for request in quick)
        assert not stuck.done.is_set()
    finally:
        release.set()
    assert stuck.done.wait(5)
    dispatcher.shutdown(cancel_pending=False)
    assert Request.most_at_once == 2


def test_requests_wait_while_every_thread_is_stuck_and_run_once_one_frees() -> None:
    dispatcher = OneAtATimeDispatcher(1, patience=0.01)
    order: list[str] = []
    release = threading.Event()
    stuck = Request("stuck", order, hold=release)
    waiting = Request("waiting", order)
    dispatcher.add_task(stuck)
    dispatcher.add_task(waiting)
    assert not waiting.done.wait(0.2)
    release.set()
    assert waiting.done.wait(5)
    dispatcher.shutdown(cancel_pending=False)
    assert order == ["stuck", "waiting"]


def test_a_failing_request_is_logged_and_its_thread_carries_on(caplog: pytest.LogCaptureFixture) -> None:
    class Failing(Request):
        def service(self) -> None:
            raise RuntimeError("boom")

    dispatcher = OneAtATimeDispatcher(1)
    order: list[str] = []
    after = Request("after", order)
    with caplog.at_level(logging.ERROR, logger="holdfast.server"):
        dispatcher.add_task(Failing("failing", order))
        dispatcher.add_task(after)
        assert after.done.wait(5)
    dispatcher.shutdown(cancel_pending=False)
    assert "boom" in caplog.text


def test_shutdown_serves_what_is_queued_or_cancels_it() -> None:
    order: list[str] = []
    release = threading.Event()
    dispatcher = OneAtATimeDispatcher(1, patience=5.0)
    dispatcher.add_task(Request("first", order, hold=release))
    queued = Request("queued", order)
    dispatcher.add_task(queued)
    release.set()
    dispatcher.shutdown(cancel_pending=False)
    assert queued.done.is_set()
    assert not queued.cancelled

    release.clear()
    dispatcher = OneAtATimeDispatcher(1, patience=5.0)
    holding = Request("holding", order, hold=release)
    dispatcher.add_task(holding)
    dropped = Request("dropped", order)
    dispatcher.add_task(dropped)
    assert holding.started.wait(5)
    threading.Timer(0.1, release.set).start()
    dispatcher.shutdown(cancel_pending=True)
    assert holding.done.is_set()
    assert dropped.cancelled
    assert not dropped.done.is_set()


def test_a_lookup_is_answered_while_a_write_waits_for_the_database(
    sqlite_db: Database, slack: SlackStub
) -> None:
    with serve_over_http(sqlite_db, slack) as live:
        live.add_customer("Acme")
        # Another writer holds the database: the check-in below waits for it inside its request.
        blocker = sqlite3.connect(str(sqlite_db.url.database), isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        writing = threading.Thread(target=lambda: live.command("/checkin", "Acme: while locked"))
        try:
            writing.start()
            assert live.server.in_flight.entered.wait(10)
            began = time.monotonic()
            card = reply(live.command("/customer", "Acme"))
            assert time.monotonic() - began < 2
            assert card["blocks"][0]["text"]["text"] == "Acme"
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
            writing.join(10)
