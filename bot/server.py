"""Serving Slack: HTTP on waitress (`POST /slack/events`, `GET /healthz`) or Socket Mode.

Every HTTP request passes the edge (`bot.slack_edge`: size, signature, shape) before Bolt sees it;
Socket Mode requests, authenticated by the connection, pass the same shape check.

Both stop cleanly: no new work is taken, requests and listener work in flight finish (so no write
is lost), then the database engine is disposed.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from waitress import wasyncore
from waitress.server import create_server

from bot.gc_pause import freeze_set_up
from bot.services import Services
from bot.settings import DEFAULT_MAX_REQUEST_BYTES
from bot.slack_edge import SlackEdge, request_problem
from bot.task_dispatcher import OneAtATimeDispatcher

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

    from bot.app import HoldfastApp

logger = logging.getLogger("holdfast.server")

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
HTTP_THREADS = 8
DRAIN_SECONDS = 25.0


def make_wsgi_app(app: HoldfastApp, ping: Callable[[], bool]) -> WSGIApplication:
    """`POST /slack/events` through the edge to Bolt, `GET /healthz` (503 when the database is down);
    anything else gets Bolt's 404."""
    settings = app.services.settings
    bolt = SlackRequestHandler(app, path=EVENTS_PATH)
    secret = settings.slack_signing_secret
    events = SlackEdge(
        bolt,
        signing_secret=secret.get_secret_value() if secret else None,
        max_request_bytes=settings.max_request_bytes,
    )

    def wsgi(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            healthy = ping()
            body = b"ok\n" if healthy else b"database unavailable\n"
            start_response(
                "200 OK" if healthy else "503 Service Unavailable",
                [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))],
            )
            return [body]
        if environ.get("PATH_INFO") == EVENTS_PATH and environ.get("REQUEST_METHOD") == "POST":
            return events(environ, start_response)
        return bolt(environ, start_response)

    return wsgi


class InFlight:
    """Counts requests being handled, so shutdown can wait for them."""

    def __init__(self) -> None:
        self._count = 0
        self._cv = threading.Condition()
        self.entered = threading.Event()

    def wrap(self, wsgi: WSGIApplication) -> WSGIApplication:
        def tracked(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
            with self._cv:
                self._count += 1
            self.entered.set()
            try:
                return list(wsgi(environ, start_response))
            finally:
                with self._cv:
                    self._count -= 1
                    self._cv.notify_all()

        return tracked

    @property
    def count(self) -> int:
        with self._cv:
            return self._count


class HttpServer:
    """waitress serving the WSGI app until `stop()`, then draining what is in flight.

    Its `threads` take requests one at a time unless the one in hand is stuck (`bot.task_dispatcher`).
    A body over `max_request_bytes` gets 413 from waitress itself, which stops reading it there.
    """

    def __init__(
        self,
        wsgi: WSGIApplication,
        *,
        host: str,
        port: int,
        threads: int = HTTP_THREADS,
        max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES,
    ) -> None:
        self.in_flight = InFlight()
        self._stop = threading.Event()
        self.stopped = threading.Event()
        self.server: Any = create_server(
            self.in_flight.wrap(wsgi),
            host=host,
            port=port,
            ident="holdfast",
            connection_limit=1000,
            channel_timeout=60,
            expose_tracebacks=False,
            # Waitress refuses a body of max_request_body_size bytes or more.
            max_request_body_size=max_request_bytes + 1,
            # Waitress takes any object with add_task and shutdown; its type stubs name only its own.
            _dispatcher=OneAtATimeDispatcher(threads),  # type: ignore[arg-type]
        )

    @property
    def port(self) -> int:
        return int(self.server.effective_port)

    @property
    def url(self) -> str:
        return f"http://{self.server.effective_host}:{self.port}"

    def stop(self) -> None:
        """Ask the server to stop (safe from a signal handler or another thread)."""
        if self._stop.is_set() or self.stopped.is_set():
            return
        self._stop.set()
        # Wake the loop; if it has already closed its trigger, it is on its way out anyway.
        with contextlib.suppress(OSError):
            self.server.pull_trigger()

    def serve(self, drain_seconds: float = DRAIN_SECONDS) -> None:
        """Serve until `stop()`; then stop accepting, finish requests in flight and flush their answers."""
        server = self.server
        try:
            while not self._stop.is_set():
                wasyncore.loop(timeout=1.0, map=server._map, use_poll=True, count=1)
            # No new connections; requests already received still get their answers.
            wasyncore.dispatcher.close(server)
            deadline = time.monotonic() + drain_seconds
            while self._busy() and time.monotonic() < deadline:
                wasyncore.loop(timeout=0.05, map=server._map, use_poll=True, count=1)
        finally:
            server.task_dispatcher.shutdown(cancel_pending=False, timeout=drain_seconds)
            wasyncore.close_all(server._map)
            self.stopped.set()

    def _busy(self) -> bool:
        if self.in_flight.count:
            return True
        channels = list(self.server.active_channels.values())
        return any(channel.requests or channel.total_outbufs_len for channel in channels)


def finish_listener_work(app: App) -> None:
    """Let post-ack (lazy) listener work finish: it may still be writing or calling Slack."""
    app.listener_runner.listener_executor.shutdown(wait=True)


class CheckedSocketModeHandler(SocketModeHandler):
    """Bolt's Socket Mode handler, acking a malformed request with nothing instead of dispatching it."""

    # Bolt's own `handle` narrows the client type the same way.
    def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        problem = request_problem(req.payload)
        if problem is None:
            super().handle(client, req)
            return
        logger.warning("ignored a Socket Mode request that is not well-formed (%s)", problem)
        client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))


class SocketModeServer:
    """Bolt's Socket Mode handler on the app's own client (so connection set-up uses SLACK_API_URL)."""

    def __init__(self, app: App, app_token: str) -> None:
        self.handler = CheckedSocketModeHandler(app, app_token, web_client=app.client)
        self._stop = threading.Event()

    def connect(self) -> None:
        """Open the connection (calls apps.connections.open); raises when Slack refuses."""
        self.handler.connect()  # type: ignore[no-untyped-call]

    def stop(self) -> None:
        self._stop.set()

    def serve(self) -> None:
        self._stop.wait()
        client = self.handler.client
        client.auto_reconnect_enabled = False
        client.disconnect()
        # Requests received before the disconnect are still processed by the client's workers.
        client.message_workers.shutdown(wait=True)
        client.close()


class StartupError(Exception):
    """`holdfast serve` cannot start; the message is one line for the operator."""


def _reason(error: BaseException) -> str:
    response = getattr(error, "response", None)
    if response is not None and hasattr(response, "get") and response.get("error"):
        return str(response.get("error"))
    return str(error).splitlines()[0] if str(error) else type(error).__name__


def build_app(services: Services) -> HoldfastApp:
    """The app, after auth.test has confirmed the bot token (BoltError / connection errors → StartupError)."""
    from slack_bolt.error import BoltError

    from bot.app import create_app

    try:
        return create_app(services)
    except BoltError as error:
        raise StartupError(f"Slack refused SLACK_BOT_TOKEN ({_reason(error)})") from None
    except OSError as error:
        raise StartupError(f"cannot reach Slack at SLACK_API_URL ({_reason(error)})") from None


def run(
    services: Services,
    *,
    host: str,
    on_ready: Callable[[str], None],
    install_signals: Callable[[Callable[[], None]], None],
) -> None:
    """Serve (and send digests) until a stop signal, then shut down cleanly: listeners and the digest
    run in progress finish, the engine is disposed."""
    from slack_sdk.errors import SlackApiError

    from bot.scheduler import start_digests

    settings = services.settings
    app = build_app(services)
    server: HttpServer | SocketModeServer
    try:
        if settings.slack_app_token is not None:
            server = SocketModeServer(app, settings.slack_app_token.get_secret_value())
            try:
                server.connect()
            except SlackApiError as error:
                raise StartupError(f"Slack refused the Socket Mode connection ({_reason(error)})") from None
            except OSError as error:
                raise StartupError(f"cannot open a Socket Mode connection ({_reason(error)})") from None
            ready = f"Holdfast is connected to Slack in Socket Mode (API {settings.slack_api_url})"
        else:
            try:
                server = HttpServer(
                    make_wsgi_app(app, services.database.ping),
                    host=host,
                    port=settings.port,
                    max_request_bytes=settings.max_request_bytes,
                )
            except OSError as error:
                raise StartupError(f"cannot listen on {host}:{settings.port} ({_reason(error)})") from None
            ready = f"Holdfast is listening on {server.url}{EVENTS_PATH} (health: {HEALTH_PATH})"
        freeze_set_up()
        # Handlers first: a stop signal right after the ready line must find them in place.
        install_signals(server.stop)
        on_ready(ready)
        digests = start_digests(services)
        try:
            server.serve()
        finally:
            digests.stop()
    finally:
        finish_listener_work(app)
        services.database.dispose()
