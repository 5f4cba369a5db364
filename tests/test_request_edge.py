"""The HTTP edge: an unverified, oversize or malformed request gets 401/413/400 and nothing else —
nothing stored, nothing sent to Slack or to a response_url, no body and no traceback in the log."""

from __future__ import annotations

import json
import logging
import re
import socket
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, TypeVar
from urllib.parse import urlencode

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from slack_bolt import App, BoltRequest
from slack_sdk import WebClient
from sqlmodel import select

from bot.settings import SettingsError, load_settings
from bot.slack_edge import SlackEdge, request_problem
from storage.db import Database
from storage.models import CheckIn
from tests.live_app import LiveApp, ServedApp, reply, serve_app, serve_over_http
from tests.slack_requests import (
    BOT_TOKEN,
    SIGNING_SECRET,
    block_action,
    interaction,
    signed_headers,
    slash_command,
)
from tests.slack_stub import SlackStub

MARKER = "body-marker-never-logged"
LIMIT = 1024 * 1024  # MAX_REQUEST_BYTES' default, which serve_app keeps
Live = TypeVar("Live", bound=LiveApp)


def stored(live: LiveApp) -> list[CheckIn]:
    with live.services.database.session() as session:
        return list(session.exec(select(CheckIn)).all())


@contextmanager
def watched(
    serving: AbstractContextManager[Live], slack: SlackStub, caplog: pytest.LogCaptureFixture
) -> Iterator[Live]:
    """The app `serving`; on exit (after-ack work finished) nothing was stored, sent or logged from a body."""
    caplog.set_level(logging.DEBUG)
    with serving as live:
        live.add_customer("Acme")
        slack.clear()
        yield live
        assert stored(live) == []
    assert slack.calls == [], [call.method for call in slack.calls]
    for record in caplog.records:
        assert record.exc_info is None, record.getMessage()
        assert MARKER not in record.getMessage()
    assert "Traceback" not in caplog.text


def sneaky_command(slack: SlackStub) -> str:
    """A /checkin that would store a note and whose apology would go to a URL the sender chose."""
    return slash_command("/checkin", f"Acme: {MARKER}", response_url=slack.response_url("attacker"))


# -- item 2: unsigned requests with odd timestamps ---------------------------------------------


@pytest.mark.parametrize(
    "timestamp",
    ["x", "1e12", "1.5", f"{int(time.time())}.5", "9" * 5000, "-1", f"+{int(time.time())}", "0x10"],
    # Named, not shown: two of them hold the time, and test IDs must be the same in every worker.
    ids=["letter", "exponent", "fraction", "now-and-a-half", "huge", "negative", "plus-now", "hex"],
)
def test_an_unsigned_request_with_any_timestamp_gets_401_and_calls_nothing(
    db: Database, slack: SlackStub, caplog: pytest.LogCaptureFixture, timestamp: str
) -> None:
    with watched(serve_app(db, slack), slack, caplog) as live:
        body = sneaky_command(slack)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": timestamp,
        }
        assert live.post(body, headers).status_code == 401
        payload = block_action("x", MARKER, response_url=slack.response_url("attacker"))
        assert live.post(interaction(payload), headers).status_code == 401


def test_a_signature_of_the_wrong_shape_gets_401(
    db: Database, slack: SlackStub, caplog: pytest.LogCaptureFixture
) -> None:
    with watched(serve_over_http(db, slack), slack, caplog) as live:
        body = sneaky_command(slack)
        for signature in [b"v0=\xe9" + b"0" * 63, b"v1=" + b"0" * 64, b"", b"v0=" + b"0" * 5000]:
            headers = {k.encode(): v.encode() for k, v in signed_headers(body).items()}
            headers[b"X-Slack-Signature"] = signature
            assert live.http.post("/slack/events", content=body.encode(), headers=headers).status_code == 401


# -- item 3: the size limit ------------------------------------------------------------------


def status_of(response: bytes) -> int:
    return int(response.split(b" ", 2)[1])


def exchange(live: ServedApp, head: bytes, body: Iterable[bytes] = ()) -> int:
    """Send `head` and `body` on a raw connection; the status of the first answer."""
    with socket.create_connection(("127.0.0.1", live.server.port), timeout=20) as sock:
        sock.sendall(head)
        for chunk in body:
            sock.sendall(chunk)
        answer = b""
        while b"\r\n" not in answer:
            data = sock.recv(4096)
            assert data, "the server closed the connection without answering"
            answer += data
    return status_of(answer)


def request_head(headers: dict[str, str]) -> bytes:
    lines = ["POST /slack/events HTTP/1.1", "Host: holdfast", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def test_a_signed_body_over_the_limit_gets_413(
    db: Database, slack: SlackStub, caplog: pytest.LogCaptureFixture
) -> None:
    with watched(serve_over_http(db, slack), slack, caplog) as live:
        body = slash_command("/checkin", "Acme: " + MARKER * (LIMIT // len(MARKER) + 1))
        assert live.post(body, signed_headers(body)).status_code == 413


def test_a_huge_content_length_gets_413_before_any_of_the_body_is_sent(
    db: Database, slack: SlackStub, caplog: pytest.LogCaptureFixture
) -> None:
    with watched(serve_over_http(db, slack), slack, caplog) as live:
        head = request_head(
            {"Content-Type": "application/x-www-form-urlencoded", "Content-Length": "300000000"}
        )
        assert exchange(live, head) == 413


def test_a_chunked_body_is_cut_off_at_the_limit_with_413(
    db: Database, slack: SlackStub, caplog: pytest.LogCaptureFixture
) -> None:
    """The body never ends (no last chunk); the answer comes once the limit is passed."""

    def chunks() -> Iterator[bytes]:
        sent, data = 0, MARKER.encode() * 4096
        while sent <= LIMIT:
            chunk = b"%x\r\n%s\r\n" % (len(data), data)
            sent += len(chunk)
            yield chunk

    with watched(serve_over_http(db, slack), slack, caplog) as live:
        head = request_head(
            {"Content-Type": "application/x-www-form-urlencoded", "Transfer-Encoding": "chunked"}
        )
        assert exchange(live, head, chunks()) == 413


def test_a_body_longer_than_its_content_length_is_read_only_that_far(
    db: Database, slack: SlackStub, caplog: pytest.LogCaptureFixture
) -> None:
    with watched(serve_over_http(db, slack), slack, caplog) as live:
        body = sneaky_command(slack)
        headers = {**signed_headers(body), "Content-Length": str(len(body) - 20)}
        assert exchange(live, request_head(headers), [body.encode()]) == 401


def test_max_request_bytes_is_the_limit(
    db: Database, slack: SlackStub, caplog: pytest.LogCaptureFixture
) -> None:
    with watched(serve_app(db, slack, max_request_bytes=16 * 1024), slack, caplog) as live:
        body = slash_command("/checkin", "Acme: " + MARKER * 700)
        assert live.post(body, signed_headers(body)).status_code == 413
    with serve_app(db, slack, max_request_bytes=16 * 1024) as live:
        body = slash_command("/customer", "x" * 12_000)
        assert live.post(body, signed_headers(body)).status_code == 200


class Endless:
    """A request body that never ends, counting what was read of it."""

    def __init__(self) -> None:
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        assert size >= 0, "read the whole body"
        self.read_bytes += size
        return b"a" * size


def test_the_edge_reads_a_body_without_a_length_no_further_than_the_limit() -> None:
    edge = SlackEdge(lambda environ, start: [b""], signing_secret=SIGNING_SECRET, max_request_bytes=LIMIT)
    body = Endless()
    statuses: list[str] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        statuses.append(status)
        return None

    edge({"REQUEST_METHOD": "POST", "wsgi.input": body}, start_response)
    assert statuses == ["413 Request Entity Too Large"]
    assert body.read_bytes == LIMIT + 1


def test_max_request_bytes_must_be_a_sane_size() -> None:
    assert load_settings(_env_file=None).max_request_bytes == LIMIT
    with pytest.raises(SettingsError, match="MAX_REQUEST_BYTES"):
        load_settings(_env_file=None, max_request_bytes=10)


# -- item 4: malformed bodies ------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("payload=%7Bnotjson" + MARKER, id="payload-not-json"),
        pytest.param("payload=null&m=" + MARKER, id="payload-null"),
        pytest.param("payload=" + json.dumps([1, 2, MARKER]), id="payload-a-list"),
    ],
)
def test_an_unsigned_malformed_body_gets_401(
    db: Database, slack: SlackStub, caplog: pytest.LogCaptureFixture, body: str
) -> None:
    with watched(serve_app(db, slack), slack, caplog) as live:
        assert live.post(body, {"Content-Type": "application/x-www-form-urlencoded"}).status_code == 401


def test_a_body_that_is_not_utf8_gets_400(
    db: Database, slack: SlackStub, caplog: pytest.LogCaptureFixture
) -> None:
    with watched(serve_app(db, slack), slack, caplog) as live:
        raw = b"payload=\xff\xfe" + MARKER.encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        assert live.http.post("/slack/events", content=raw, headers=headers).status_code == 400


def empty_actions(slack: SlackStub) -> dict[str, Any]:
    payload = block_action("history_more", "1:1", response_url=slack.response_url("attacker"))
    payload["actions"] = []
    return payload


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(lambda slack: "payload=%7Bnotjson" + MARKER, id="payload-not-json"),
        pytest.param(lambda slack: "payload=null&m=" + MARKER, id="payload-null"),
        pytest.param(lambda slack: "payload=" + json.dumps([1, 2, MARKER]), id="payload-a-list"),
        pytest.param(lambda slack: interaction(empty_actions(slack)), id="block-actions-without-actions"),
        pytest.param(
            lambda slack: interaction({**empty_actions(slack), "actions": [MARKER]}),
            id="an-action-not-an-object",
        ),
        pytest.param(
            lambda slack: interaction({**block_action("x", MARKER), "user": ["id"]}), id="user-not-an-object"
        ),
        pytest.param(
            lambda slack: interaction({"type": "view_submission", "view": MARKER}), id="view-a-string"
        ),
        pytest.param(lambda slack: "payload=" + "[" * 100_000, id="nested-too-deep"),
    ],
)
def test_a_signed_malformed_body_gets_400_and_nothing_is_done(
    db: Database, slack: SlackStub, caplog: pytest.LogCaptureFixture, body: Any
) -> None:
    with watched(serve_app(db, slack), slack, caplog) as live:
        text = body(slack)
        assert live.post(text, signed_headers(text)).status_code == 400
    assert any(r.name == "holdfast.edge" and r.levelno == logging.WARNING for r in caplog.records)


# -- what passes the edge ------------------------------------------------------------------------


def test_a_slash_command_mentioning_payload_is_handled_like_any_other(live: LiveApp) -> None:
    live.add_customer("Acme")
    assert (
        "Logged a check-in with Acme"
        in reply(live.command("/checkin", "Acme: asked about payload=limits"))["text"]
    )
    assert [c.note for c in stored(live)] == ["asked about payload=limits"]


def test_healthz_and_other_paths_are_untouched(live: LiveApp) -> None:
    assert live.http.get("/healthz").status_code == 200
    assert live.http.post("/elsewhere", content=urlencode({"payload": "x"})).status_code == 404
    assert live.http.get("/slack/events").status_code == 404


# -- the shape check: Socket Mode, and what it lets through Bolt can read ---------------------------


def test_socket_mode_acks_a_malformed_request_with_nothing(
    db: Database, slack: SlackStub, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.test_socket_mode_serve import serving

    caplog.set_level(logging.DEBUG)
    envelope = {
        "type": "interactive",
        "envelope_id": str(uuid.uuid4()),
        "payload": empty_actions(slack),
        "accepts_response_payload": False,
    }
    with serving(db, slack) as socket_side:
        ack = socket_side.request(envelope)
    assert ack == {"envelope_id": envelope["envelope_id"]}
    assert {call.method for call in slack.calls} <= {"auth.test", "apps.connections.open"}
    with db.session() as session:
        assert session.exec(select(CheckIn)).all() == []
    assert all(record.exc_info is None for record in caplog.records)
    assert any("not well-formed" in record.getMessage() for record in caplog.records)


SLACK_KEYS = ["type", "user", "team", "channel", "enterprise", "actions", "view", "event", "command",
              "trigger_id", "user_id", "team_id", "response_url", "response_urls", "authorizations",
              "action_id", "value", "container", "message", "previous_message",
              "is_enterprise_install"]  # fmt: skip
LEAF = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=5)
    | st.sampled_from(
        [
            "block_actions",
            "view_submission",
            "block_suggestion",
            "event_callback",
            "id",
            "type",
            "callback_id",
        ]
    )
)
JSON = st.recursive(
    LEAF,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from([*SLACK_KEYS, "id", "action_id", "callback_id", "state", "values"]), inner
        )
    ),
    max_leaves=12,
)


@pytest.fixture(scope="module")
def bare_bolt() -> Iterator[App]:
    """Bolt with a listener for every kind of request Holdfast answers, each only acking."""
    with SlackStub() as stub:
        client = WebClient(token=BOT_TOKEN, base_url=stub.api_url)
        yield bare_app(client)


def bare_app(client: WebClient) -> App:
    app = App(client=client, request_verification_enabled=False)
    anything = re.compile(".*")
    app.command(anything)(lambda ack: ack())
    app.action(anything)(lambda ack, action, body: ack())
    app.view(anything)(lambda ack, view, body: ack())
    app.options(anything)(lambda ack, options, body: ack())
    app.event(anything)(lambda body: None)

    @app.error
    def reraise(error: Exception) -> None:
        raise error

    return app


@settings(max_examples=400, deadline=None)
@given(body=st.dictionaries(st.sampled_from(SLACK_KEYS), JSON, max_size=6) | JSON)
@example(body={"message": {"user": False}})  # Bolt looks for the user inside a message too
@example(body={"type": "event_callback", "event": {"type": "x", "previous_message": {"user": 1}}})
def test_whatever_passes_the_shape_check_bolt_can_read(bare_bolt: App, body: Any) -> None:
    if request_problem(body) is not None:
        return
    request = BoltRequest(body=json.dumps(body), headers={"content-type": "application/json"})
    assert bare_bolt.dispatch(request).status in (200, 404)


def test_every_request_slack_sends_passes_the_shape_check() -> None:
    from urllib.parse import parse_qsl

    from tests.slack_requests import block_suggestion, view_action, view_submission

    command = dict(parse_qsl(slash_command("/checkin", "Acme: note")))
    for body in [
        command,
        block_action("a", "1"),
        view_submission("cb", {}),
        block_suggestion("a", "x"),
        view_action("a"),
    ]:
        assert request_problem(body) is None, body
