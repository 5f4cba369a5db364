"""`holdfast serve` in Socket Mode: slash commands over a live websocket, answered in their acks,
and a retried envelope storing nothing twice."""

from __future__ import annotations

import contextlib
import json
import queue
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from typing import Any
from urllib.parse import parse_qsl

from sqlmodel import select
from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve

from bot.server import run
from bot.services import Services
from storage.db import Database
from storage.models import CheckIn
from tests.factories import customer
from tests.live_app import all_text, make_settings
from tests.slack_requests import slash_command
from tests.slack_stub import SlackStub

APP_TOKEN = "xapp-1-A0001-test"
TIMEOUT = 15.0  # seconds; every wait below gives up after this and fails the test
# Slack pings its Socket Mode connections; this side does so often, because a client asked to stop
# closes its socket only once its current read returns (slack_sdk reads with a 3 s timeout).
PING_SECONDS = 0.02


class SocketModeSlack:
    """Slack's side of Socket Mode on a free loopback port: says hello, sends envelopes, collects acks."""

    def __init__(self) -> None:
        self.connected = threading.Event()
        self.closed = threading.Event()
        self._replies: queue.Queue[dict[str, Any]] = queue.Queue()
        self._connection: ServerConnection | None = None
        self._server = serve(self._session, "127.0.0.1", 0)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> SocketModeSlack:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._thread.join(TIMEOUT)

    @property
    def url(self) -> str:
        """What apps.connections.open hands out."""
        host, port = self._server.socket.getsockname()[:2]
        return f"ws://{host}:{port}/link/?ticket={uuid.uuid4().hex}"

    def _session(self, connection: ServerConnection) -> None:
        self._connection = connection
        hello = {"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0001"}}
        connection.send(json.dumps(hello))
        self.connected.set()
        threading.Thread(target=self._keep_alive, args=(connection,), daemon=True).start()
        # The app drops the socket when it stops; anything it sent before is kept.
        with contextlib.suppress(ConnectionClosed):
            for message in connection:
                self._replies.put(json.loads(message))
        self.closed.set()

    def _keep_alive(self, connection: ServerConnection) -> None:
        with contextlib.suppress(ConnectionClosed):
            while not self.closed.wait(PING_SECONDS):
                connection.ping()

    def request(self, envelope: dict[str, Any]) -> dict[str, Any]:
        """Send `envelope`; the app's ack for it (fails when none comes within TIMEOUT)."""
        assert self.connected.wait(TIMEOUT), "the app never opened the websocket"
        assert self._connection is not None
        self._connection.send(json.dumps(envelope))
        try:
            ack = self._replies.get(timeout=TIMEOUT)
        except queue.Empty:
            raise AssertionError(f"no ack for {envelope['type']} within {TIMEOUT}s") from None
        assert ack["envelope_id"] == envelope["envelope_id"], ack
        return ack


def slash_envelope(command: str, text: str, **retry: Any) -> dict[str, Any]:
    """A slash command as Socket Mode delivers it: the HTTP form fields as the payload of an envelope."""
    return {
        "type": "slash_commands",
        "envelope_id": str(uuid.uuid4()),
        "payload": dict(parse_qsl(slash_command(command, text))),
        "accepts_response_payload": True,
        **retry,
    }


@contextlib.contextmanager
def serving(database: Database, slack: SlackStub) -> Iterator[SocketModeSlack]:
    """`holdfast serve`'s `run` with SLACK_APP_TOKEN set, on its own thread; stopped, and checked, on exit."""
    slack.add_user("U1", tz="UTC")
    with SocketModeSlack() as socket_side:
        slack.on("apps.connections.open", lambda call: {"ok": True, "url": socket_side.url})
        services = Services(make_settings(slack, database, slack_app_token=APP_TOKEN), database)
        ready: Future[str] = Future()
        served: Future[None] = Future()
        stops: list[Callable[[], None]] = []

        def serve_until_stopped() -> None:
            try:
                run(services, host="127.0.0.1", on_ready=ready.set_result, install_signals=stops.append)
            except BaseException as error:  # noqa: BLE001 - raised again on the test's thread
                served.set_exception(error)
            else:
                served.set_result(None)

        threading.Thread(target=serve_until_stopped, daemon=True).start()
        started: list[Future[Any]] = [ready, served]
        wait(started, timeout=TIMEOUT, return_when=FIRST_COMPLETED)
        if served.done():
            served.result()  # a start-up error: raise it here
        assert ready.done(), f"holdfast serve was not ready within {TIMEOUT}s"
        assert "Socket Mode" in ready.result()
        try:
            yield socket_side
        finally:
            [stop] = stops
            stop()
            served.result(timeout=TIMEOUT)  # serve() returned: listener work finished, engine disposed
        assert socket_side.closed.wait(TIMEOUT), "the app left its websocket open after stopping"
    [opened] = slack.calls_to("apps.connections.open")
    assert opened.headers["Authorization"] == f"Bearer {APP_TOKEN}"


def test_customer_card_comes_back_in_the_ack(db: Database, slack: SlackStub) -> None:
    with db.transaction() as session:
        session.add(customer("Acme", id=None, original_reason="Fast onboarding"))
    with serving(db, slack) as socket_side:
        ack = socket_side.request(slash_envelope("/customer", "Acme"))
    card = ack["payload"]
    assert card["response_type"] == "ephemeral"
    assert card["blocks"]
    assert "Acme" in all_text(card)
    assert "Fast onboarding" in all_text(card)


def test_checkin_is_stored_once_even_when_slack_retries_the_envelope(db: Database, slack: SlackStub) -> None:
    with db.transaction() as session:
        session.add(customer("Acme", id=None, original_reason="Fast onboarding"))
    envelope = slash_envelope("/checkin", "Acme: renewal call went well")
    with serving(db, slack) as socket_side:
        first = socket_side.request(envelope)
        again = socket_side.request({**envelope, "retry_attempt": 1, "retry_reason": "timeout"})
    assert first["payload"]["response_type"] == "ephemeral"
    assert "Logged a check-in with Acme" in first["payload"]["text"]
    assert again["payload"] == first["payload"]
    with db.session() as session:
        assert [c.note for c in session.exec(select(CheckIn)).all()] == ["renewal call went well"]
