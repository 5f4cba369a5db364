"""`holdfast serve`: one-line start-up errors, Socket Mode on SLACK_API_URL, SIGTERM losing no write."""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from slack_sdk.errors import SlackApiError
from sqlmodel import select

from bot.app import create_app
from bot.server import SocketModeServer
from bot.services import Services
from storage.db import Database, open_database
from storage.models import CheckIn, Customer
from tests.live_app import make_settings, reply, serve_over_http
from tests.slack_requests import BOT_TOKEN, SIGNING_SECRET
from tests.slack_stub import SlackStub

ROOT = Path(__file__).resolve().parents[1]
APP_TOKEN = "xapp-1-A0001-test"


def test_socket_mode_opens_its_connection_through_slack_api_url(db: Database, slack: SlackStub) -> None:
    services = Services(make_settings(slack, db, slack_app_token=APP_TOKEN), db)
    app = create_app(services)
    server = SocketModeServer(app, APP_TOKEN)
    with pytest.raises(SlackApiError):
        server.connect()
    [call] = slack.calls_to("apps.connections.open")
    assert call.headers["Authorization"] == f"Bearer {APP_TOKEN}"
    assert call.path == "/api/apps.connections.open"


def test_stop_lets_a_write_in_flight_finish(sqlite_db: Database, slack: SlackStub) -> None:
    with serve_over_http(sqlite_db, slack) as live:
        live.add_customer("Acme")
        # Another writer holds the database, so the check-in below is stuck mid-write.
        blocker = sqlite3.connect(str(sqlite_db.url.database), isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        result: dict[str, Any] = {}
        request = threading.Thread(
            target=lambda: result.update(r=live.command("/checkin", "Acme: in flight"))
        )
        request.start()
        assert live.server.in_flight.entered.wait(10)
        live.server.stop()
        assert not live.server.stopped.is_set()
        blocker.execute("ROLLBACK")
        blocker.close()
        request.join(30)
        assert live.server.stopped.wait(30)
        assert "Logged a check-in" in reply(result["r"])["text"]
        with sqlite_db.session() as session:
            assert [c.note for c in session.exec(select(CheckIn)).all()] == ["in flight"]


# -- the real command in a subprocess ---------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve_process(tmp_path: Path, slack: SlackStub, **env: str) -> subprocess.Popen[str]:
    environment = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "PYTHONUNBUFFERED": "1",
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.api_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'holdfast.db'}",
        **env,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1"],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def first_line_with(process: subprocess.Popen[str], text: str, timeout: float = 60) -> str:
    """The process's first stderr line holding `text`; fails (and kills it) if none comes in time."""
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.put(line)
            if text in line:
                return
        lines.put(None)  # the stream ended

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = lines.get(timeout=left)
        except queue.Empty:
            break
        if line is None:
            pytest.fail(f"the process ended without a {text!r} line")
        if text in line:
            return line
    process.kill()
    pytest.fail(f"no {text!r} line from the process within {timeout} s")


def finished(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=60)
    return process.returncode, out, err


def test_a_refused_bot_token_is_one_line_and_a_failure(tmp_path: Path, slack: SlackStub) -> None:
    slack.on("auth.test", lambda call: {"ok": False, "error": "invalid_auth"})
    code, _, err = finished(serve_process(tmp_path, slack, PORT=str(free_port())))
    assert code == 1
    assert "invalid_auth" in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_a_port_in_use_is_one_line_and_a_failure(tmp_path: Path, slack: SlackStub) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, _, err = finished(serve_process(tmp_path, slack, PORT=str(port)))
    assert code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_socket_mode_refused_is_one_line_and_used_slack_api_url(tmp_path: Path, slack: SlackStub) -> None:
    code, _, err = finished(serve_process(tmp_path, slack, SLACK_APP_TOKEN=APP_TOKEN))
    assert code == 1
    assert "Socket Mode" in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    [call] = slack.calls_to("apps.connections.open")
    assert call.headers["Authorization"] == f"Bearer {APP_TOKEN}"


def test_sigterm_stops_the_http_server_cleanly(tmp_path: Path, slack: SlackStub) -> None:
    port = free_port()
    process = serve_process(tmp_path, slack, PORT=str(port))
    assert process.stdout is not None
    line = process.stdout.readline()
    assert f"http://127.0.0.1:{port}/slack/events" in line, line
    assert httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200
    os.kill(process.pid, signal.SIGTERM)
    code, out, err = finished(process)
    assert code == 0, err
    assert "Holdfast stopped." in out
    assert "Traceback" not in err


def test_serve_sends_the_daily_digest_once_even_across_a_restart(tmp_path: Path, slack: SlackStub) -> None:
    database = open_database(f"sqlite:///{tmp_path / 'holdfast.db'}")
    with database.transaction() as session:
        session.add(
            Customer(
                team_id=slack.team_id,
                name="Acme",
                name_key="acme",
                owner_user_id="UOWNER",
                original_reason="audit trail",
            )
        )
    database.dispose()
    slack.add_user("UOWNER", tz="UTC")
    every_day = {"DIGEST_HOUR": "0", "DIGEST_WEEKDAYS": "mon,tue,wed,thu,fri,sat,sun"}
    for expected in ("1 sent", "0 sent"):
        process = serve_process(tmp_path, slack, PORT=str(free_port()), **every_day)
        assert process.stdout is not None
        assert process.stderr is not None
        assert "/slack/events" in process.stdout.readline()
        # The digest job logs one summary line per run; the first run starts with serving. A restart
        # plans nobody: the day's digest is already sent.
        summary = first_line_with(process, "digests:")
        assert f"{expected}" in summary, summary
        os.kill(process.pid, signal.SIGTERM)
        code, _, err = finished(process)
        assert code == 0, err
    [post] = slack.calls_to("chat.postMessage")
    assert post.args["channel"] == "UOWNER"
    assert "Acme" in json.dumps(post.args["blocks"])
