"""The real Holdfast app, sent signed requests as Slack sends them, against the Slack stand-in.

`serve_app` runs it in this process: each request goes through the same WSGI app `holdfast serve`
serves (the edge's size, signature and shape checks, then Bolt), with no socket in between.
`serve_over_http` puts that WSGI app behind `holdfast serve`'s HTTP server on a free loopback port,
for the tests about the server itself. Either way the app's Slack client calls the stand-in over
loopback, and lazy listeners (Bolt's after-ack work) run on the app's own threads: wait for what
they send with `slack.wait_for`; on exit their work is finished.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import httpx

from bot.app import create_app
from bot.rules.names import name_key
from bot.server import HttpServer, finish_listener_work, make_wsgi_app
from bot.services import Services
from bot.settings import Settings
from handlers import ids
from storage.db import Database
from storage.models import Customer
from tests.slack_requests import (
    BOT_TOKEN,
    SIGNING_SECRET,
    TEAM_ID,
    interaction,
    signed_headers,
    slash_command,
)
from tests.slack_stub import SlackStub

if TYPE_CHECKING:
    from wsgiref.types import WSGIApplication

NOW = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)
TODAY = date(2025, 3, 14)
IN_PROCESS_URL = "http://holdfast.test"  # no such host: requests never leave the process


def make_settings(slack: SlackStub, database: Database, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": slack.api_url,
        "database_url": database.url.render_as_string(hide_password=False),
        "_env_file": None,
    }
    values.update(overrides)
    return Settings(**values)


class LiveApp:
    """Send signed requests to the app; read what it stored and what it sent to Slack."""

    def __init__(self, http: httpx.Client, services: Services, slack: SlackStub) -> None:
        self.http = http
        self.services = services
        self.slack = slack

    def post(self, body: str, headers: dict[str, str] | None = None) -> httpx.Response:
        return self.http.post("/slack/events", content=body.encode(), headers=headers or signed_headers(body))

    def command(
        self, command: str, text: str, *, retry_num: int | None = None, **kwargs: Any
    ) -> httpx.Response:
        kwargs.setdefault("response_url", self.slack.response_url("cmd"))
        body = slash_command(command, text, **kwargs)
        return self.post(body, signed_headers(body, retry_num=retry_num))

    def interact(self, payload: dict[str, Any], *, retry_num: int | None = None) -> httpx.Response:
        body = interaction(payload)
        return self.post(body, signed_headers(body, retry_num=retry_num))

    def event(self, body: str) -> httpx.Response:
        """Send an Events API request (a JSON body, signed like the rest)."""
        headers = {**signed_headers(body), "Content-Type": "application/json"}
        return self.post(body, headers)

    def add_customer(self, name: str, **fields: Any) -> Customer:
        values: dict[str, Any] = {"team_id": TEAM_ID, "owner_user_id": "U1", "last_changes": []}
        values.update(fields)
        customer = Customer(name=name, name_key=name_key(name), **values)
        with self.services.database.transaction() as session:
            session.add(customer)
        return customer


def reply(response: httpx.Response) -> dict[str, Any]:
    """The JSON body of an ack (an ephemeral reply or a form action)."""
    assert response.status_code == 200, response.text
    return dict(json.loads(response.text)) if response.text else {}


def all_text(value: Any) -> str:
    """Every string inside a JSON-like value, joined (to search a message for a phrase)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "\n".join(all_text(item) for key, item in value.items() if key != "value")
    if isinstance(value, list):
        return "\n".join(all_text(item) for item in value)
    return ""


def customer_form_values(
    name: str, *, owner: str = "U1", reason: str | None = None, arr: str | None = None
) -> dict[str, dict[str, Any]]:
    """The add-customer form's `state.values` as Slack submits them."""
    return {
        ids.CUSTOMER_NAME: {ids.CUSTOMER_NAME: {"type": "plain_text_input", "value": name}},
        ids.CUSTOMER_OWNER: {ids.CUSTOMER_OWNER: {"type": "users_select", "selected_user": owner}},
        ids.CUSTOMER_REASON: {ids.CUSTOMER_REASON: {"type": "plain_text_input", "value": reason}},
        ids.CUSTOMER_ARR: {ids.CUSTOMER_ARR: {"type": "plain_text_input", "value": arr}},
    }


class ServedApp(LiveApp):
    """The app behind the real HTTP server (`server`), requests going over a loopback socket."""

    def __init__(self, server: HttpServer, services: Services, slack: SlackStub) -> None:
        super().__init__(httpx.Client(base_url=server.url, timeout=30), services, slack)
        self.server = server


@contextmanager
def _running(
    database: Database, slack: SlackStub, clock: Callable[[], datetime], overrides: dict[str, Any]
) -> Iterator[tuple[Services, WSGIApplication]]:
    """The app and the WSGI app `holdfast serve` serves for it; its after-ack work finished on exit."""
    slack.add_user("U1", tz="Europe/London")
    services = Services(make_settings(slack, database, **overrides), database, clock=clock)
    app = create_app(services)
    try:
        yield services, make_wsgi_app(app, database.ping)
    finally:
        finish_listener_work(app)


@contextmanager
def serve_app(
    database: Database, slack: SlackStub, *, clock: Callable[[], datetime] = lambda: NOW, **overrides: Any
) -> Iterator[LiveApp]:
    """The app in this process: requests reach its WSGI app directly (`overrides` are settings)."""
    with (
        _running(database, slack, clock, overrides) as (services, wsgi),
        httpx.Client(transport=httpx.WSGITransport(app=wsgi), base_url=IN_PROCESS_URL) as http,
    ):
        yield LiveApp(http, services, slack)


@contextmanager
def serve_over_http(
    database: Database, slack: SlackStub, *, clock: Callable[[], datetime] = lambda: NOW, **overrides: Any
) -> Iterator[ServedApp]:
    """The app behind `holdfast serve`'s HTTP server on a free loopback port, stopped on exit."""
    with _running(database, slack, clock, overrides) as (services, wsgi):
        server = HttpServer(wsgi, host="127.0.0.1", port=0, threads=8)
        thread = threading.Thread(target=server.serve, daemon=True)
        thread.start()
        served = ServedApp(server, services, slack)
        try:
            yield served
        finally:
            served.http.close()
            server.stop()
            thread.join(timeout=30)
