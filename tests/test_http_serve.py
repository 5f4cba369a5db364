"""The HTTP surface: signatures, /healthz, who may use Holdfast, apologies, retries, clean stop.

Signatures and /healthz are checked end to end, through `holdfast serve`'s HTTP server (`live_http`)."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from bot.app import create_app
from bot.server import HttpServer, make_wsgi_app
from bot.services import Services
from handlers import ids
from storage.db import Database
from storage.models import CheckIn
from tests.live_app import LiveApp, ServedApp, all_text, make_settings, reply, serve_app
from tests.markup import marked_up
from tests.slack_requests import block_suggestion, signed_headers, slash_command
from tests.slack_stub import SlackStub

REFUSED = "only available to the account team"


def stored(live: LiveApp) -> list[CheckIn]:
    with live.services.database.session() as session:
        return list(session.exec(select(CheckIn)).all())


def test_healthz_answers_200_when_the_database_does(live_http: ServedApp) -> None:
    live = live_http
    response = live.http.get("/healthz")
    assert response.status_code == 200
    assert live.http.get("/nowhere").status_code == 404


def test_healthz_answers_503_when_the_database_does_not(slack: SlackStub) -> None:
    unreachable = Database("postgresql://nobody@127.0.0.1:9/none", connect_args={"connect_timeout": 1})
    app = create_app(Services(make_settings(slack, unreachable), unreachable))
    server = HttpServer(make_wsgi_app(app, unreachable.ping), host="127.0.0.1", port=0, threads=2)
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    try:
        response = httpx.get(f"{server.url}/healthz")
        assert response.status_code == 503
        assert "database" in response.text
    finally:
        server.stop()
        thread.join(timeout=10)


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(lambda body: {"Content-Type": "application/x-www-form-urlencoded"}, id="unsigned"),
        pytest.param(lambda body: signed_headers(body, secret="not-the-secret"), id="forged"),
        pytest.param(lambda body: signed_headers(body, timestamp=int(time.time()) - 301), id="stale"),
        pytest.param(
            lambda body: {**signed_headers(body), "X-Slack-Signature": "v0=" + "0" * 64}, id="bad-signature"
        ),
    ],
)
def test_requests_not_signed_by_slack_get_401_and_change_nothing(live_http: ServedApp, headers: Any) -> None:
    live = live_http
    live.add_customer("Acme")
    body = slash_command("/checkin", "Acme: sneaky note", response_url=live.slack.response_url())
    before = len(live.slack.calls)
    response = live.post(body, headers(body))
    assert response.status_code == 401
    assert stored(live) == []
    assert len(live.slack.calls) == before


def test_tampered_body_gets_401(live_http: ServedApp) -> None:
    live = live_http
    live.add_customer("Acme")
    body = slash_command("/checkin", "Acme: note")
    response = live.post(body.replace("note", "evil"), signed_headers(body))
    assert response.status_code == 401
    assert stored(live) == []


def test_a_listener_error_is_an_apology_with_a_reference_and_a_logged_traceback(
    live: LiveApp, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import handlers.customer_command

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(handlers.customer_command, "look_up", broken)
    with caplog.at_level(logging.ERROR, logger="holdfast"):
        response = live.command("/customer", "Acme")
    assert response.status_code == 200
    body = reply(response)
    assert body["response_type"] == "ephemeral"
    assert "Sorry" in body["text"]
    reference = body["text"].split("`")[1]
    record = next(r for r in caplog.records if reference in r.getMessage())
    assert record.exc_info is not None
    assert "database on fire" in str(record.exc_info[1])


def test_an_error_after_the_ack_apologises_through_the_response_url(
    live: LiveApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    live.slack.on("views.open", lambda call: {"ok": False, "error": "expired_trigger_id"})
    assert live.command("/checkin", "").status_code == 200
    apology = live.slack.wait_for("response_url")[0]
    assert "Sorry" in apology.args["text"]
    assert apology.args["response_type"] == "ephemeral"


# -- who may use Holdfast ---------------------------------------------------------------------


def _ask(live: LiveApp, user_id: str) -> httpx.Response:
    return live.command("/customer", "Acme", user_id=user_id)


@pytest.mark.parametrize(
    "user",
    [
        pytest.param({"is_restricted": True}, id="guest"),
        pytest.param({"is_stranger": True}, id="slack-connect-stranger"),
        pytest.param({"team_id": "T9999"}, id="other-organisation"),
        pytest.param({"deleted": True}, id="deleted"),
    ],
)
def test_guests_and_outsiders_are_refused_politely(live: LiveApp, user: dict[str, Any]) -> None:
    live.add_customer("Acme", original_reason="Secret sauce")
    live.slack.add_user("U7", **user)
    body = reply(_ask(live, "U7"))
    assert REFUSED in body["text"]
    assert "Acme" not in all_text(body)
    assert "Secret" not in all_text(body)


def test_an_ultra_restricted_guest_and_an_unknown_user_are_refused(live: LiveApp) -> None:
    live.add_customer("Acme")
    user = live.slack.add_user("U8")
    user["is_ultra_restricted"] = True
    assert REFUSED in reply(_ask(live, "U8"))["text"]
    assert REFUSED in reply(_ask(live, "UNOBODY"))["text"]


def test_someone_from_another_team_in_the_payload_is_refused(live: LiveApp) -> None:
    live.add_customer("Acme")
    live.slack.add_user("U7")
    assert REFUSED in reply(live.command("/customer", "Acme", user_id="U7", team_id="T9999"))["text"]


def test_a_refused_user_sees_no_typeahead_and_cannot_store(live: LiveApp) -> None:
    live.add_customer("Acme")
    live.slack.add_user("U7", is_restricted=True)
    assert reply(live.interact(block_suggestion(ids.CHECKIN_CUSTOMER, "ac", user_id="U7"))) == {"options": []}
    reply(live.command("/checkin", "Acme: note", user_id="U7"))
    assert stored(live) == []


def test_every_full_member_may_use_it_when_no_access_list_is_set(live: LiveApp) -> None:
    live.add_customer("Acme")
    live.slack.add_user("U7")
    assert reply(_ask(live, "U7"))["blocks"][0]["text"]["text"] == "Acme"


def test_access_user_ids_limit_who_may_use_it(db: Database, slack: SlackStub) -> None:
    with serve_app(db, slack, access_user_ids="UAB5, UAB7") as live:
        live.add_customer("Acme")
        slack.add_user("UAB5")
        slack.add_user("UAB6")
        assert reply(_ask(live, "UAB5"))["blocks"][0]["text"]["text"] == "Acme"
        assert REFUSED in reply(_ask(live, "UAB6"))["text"]
        assert REFUSED in reply(_ask(live, "U1"))["text"]


def test_access_user_group_limits_who_may_use_it(db: Database, slack: SlackStub) -> None:
    slack.on("usergroups.users.list", lambda call: {"ok": True, "users": ["U1", "U5"]})
    with serve_app(db, slack, access_usergroup_id="S123") as live:
        live.add_customer("Acme")
        slack.add_user("U5")
        slack.add_user("U6")
        assert reply(_ask(live, "U5"))["blocks"][0]["text"]["text"] == "Acme"
        assert REFUSED in reply(_ask(live, "U6"))["text"]
        # Looked up once and cached, as are the users.
        assert [c.args["usergroup"] for c in slack.calls_to("usergroups.users.list")] == ["S123"]
        assert len([c for c in slack.calls_to("users.info") if c.args["user"] == "U5"]) == 1


# -- any text gets a helpful answer -----------------------------------------------------------

SAMPLE = st.text(st.characters(codec="utf-8"), max_size=300) | st.sampled_from(
    ["", "add", "add Foo", "Acme", "acme: hi #holds", "Acme:", ":", "#changed", "<!channel>", "a" * 5000]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(command=st.sampled_from(["/checkin", "/customer"]), text=SAMPLE)
def test_any_text_gets_a_200_and_a_helpful_reply(live_sqlite: LiveApp, command: str, text: str) -> None:
    live = live_sqlite
    live.slack.clear()
    opened = len(live.slack.calls_to("views.open"))
    response = live.command(command, text)
    assert response.status_code == 200
    body = reply(response)
    if body:
        assert body["response_type"] == "ephemeral"
        assert body["text"].strip()
        assert "Sorry, something went wrong" not in body["text"]
        # What Slack reads as markup (not button values, which nobody sees, nor plain_text, shown as
        # typed) never carries a live mention.
        assert "<!channel>" not in marked_up(body)
    else:
        view = live.slack.wait_for("views.open", opened + 1)[-1].args["view"]
        assert view["type"] == "modal"
