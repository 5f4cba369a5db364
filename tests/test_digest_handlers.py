"""The digest's buttons, through the real Bolt app and signed requests, after a restart."""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from datetime import date
from typing import Any

import pytest
from slack_bolt import App, BoltRequest
from slack_sdk import WebClient

from bot.app import create_app
from bot.services import Services
from handlers.ids import (
    DIGEST_ACTIONS_BLOCK,
    DIGEST_CUSTOMER_BLOCK,
    DIGEST_NOT_MINE_ACTION,
    DIGEST_REASSIGN_ACTION,
    DIGEST_REASSIGN_CANCEL_ACTION,
    DIGEST_SNOOZE_ACTION,
    LOG_CHECKIN_ACTION,
    VIEW_CARD_ACTION,
)
from storage.db import Database
from storage.models import Customer, Owner
from storage.owners import owner_by_user
from tests.nudge_helpers import Clock, make_job, make_services, seed
from tests.slack_requests import BOT_TOKEN, interaction, message_action, signed_headers
from tests.slack_stub import SlackStub, rate_limited


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def digest(db: Database, slack: SlackStub, clock: Clock) -> dict[str, Any]:
    """U1's digest, posted by the job; returns the message as Slack holds it."""
    slack.add_user("U1", tz="Europe/London")
    slack.add_user("U2", tz="Europe/London")
    seed(db, "U1", ["Acme <!channel> & Co", "Globex"])
    make_job(make_services(db, slack, clock), slack)()
    (message,) = slack.posted("DU1")
    slack.clear()
    return message


def fresh_app(db: Database, slack: SlackStub, clock: Clock) -> tuple[App, Services]:
    """A new process's app: nothing in memory from the one that sent the digest."""
    services = make_services(db, slack, clock)
    return create_app(services, client=WebClient(token=BOT_TOKEN, base_url=slack.api_url)), services


def press(app: App, payload: dict[str, Any]) -> None:
    body = interaction(payload)
    headers: dict[str, str | Sequence[str]] = dict(signed_headers(body))
    response = app.dispatch(BoltRequest(body=body, headers=headers))
    assert response.status == 200


def controls(message: dict[str, Any], customer_id: int) -> dict[str, Any]:
    (block,) = [b for b in message["blocks"] if b.get("block_id") == f"{DIGEST_ACTIONS_BLOCK}:{customer_id}"]
    return dict(block)


def customer_ids(message: dict[str, Any]) -> list[int]:
    return [int(b["block_id"].split(":")[1]) for b in message["blocks"] if b.get("type") == "actions"]


def snooze_payload(
    message: dict[str, Any], customer_id: int, period: str, user: str = "U1"
) -> dict[str, Any]:
    block = controls(message, customer_id)
    action = {
        "type": "static_select",
        "action_id": DIGEST_SNOOZE_ACTION,
        "block_id": block["block_id"],
        "selected_option": {
            "text": {"type": "plain_text", "text": period},
            "value": f"{period}:{customer_id}",
        },
    }
    return message_action(action, message=message, channel_id="DU1", user_id=user)


def test_the_digest_offers_answers_log_check_in_snooze_and_not_my_customer(digest: dict[str, Any]) -> None:
    first = customer_ids(digest)[0]
    elements = controls(digest, first)["elements"]
    assert [e["action_id"] for e in elements][3:] == [
        LOG_CHECKIN_ACTION,
        DIGEST_SNOOZE_ACTION,
        DIGEST_NOT_MINE_ACTION,
    ]
    assert elements[3]["value"] == str(first)
    assert [o["value"] for o in elements[4]["options"]] == [f"week:{first}", f"month:{first}"]


@pytest.mark.parametrize(("period", "until"), [("week", date(2026, 6, 17)), ("month", date(2026, 7, 10))])
def test_snooze_after_a_restart_sets_the_date_and_shows_what_was_done(
    db: Database, slack: SlackStub, clock: Clock, digest: dict[str, Any], period: str, until: date
) -> None:
    app, _ = fresh_app(db, slack, clock)
    target, other = customer_ids(digest)
    press(app, snooze_payload(digest, target, period))
    (update,) = slack.wait_for("chat.update")
    assert (update.args["channel"], update.args["ts"]) == ("DU1", digest["ts"])
    with db.session() as session:
        customer = session.get(Customer, target)
        assert customer is not None
        assert customer.snoozed_until == until
    note = controls(update.args, target)
    assert note["type"] == "context"
    assert f"snoozed until {until.day} {until:%B} by <@U1>" in note["elements"][0]["text"]
    assert controls(update.args, other) == controls(digest, other)
    # The snoozed entry folds into its one line; the others are as they were.
    assert [b["block_id"] for b in update.args["blocks"] if "block_id" in b] == [
        b["block_id"]
        for b in digest["blocks"]
        if "block_id" in b and b["block_id"] != f"{DIGEST_CUSTOMER_BLOCK}:{target}"
    ]
    assert update.args["blocks"][0]["text"]["text"] == "1 customer to talk to today"


def test_the_snoozed_customer_is_left_out_of_the_next_digests(
    db: Database, slack: SlackStub, clock: Clock, digest: dict[str, Any]
) -> None:
    app, services = fresh_app(db, slack, clock)
    target, other = customer_ids(digest)
    press(app, snooze_payload(digest, target, "week"))
    slack.wait_for("chat.update")
    clock.advance(days=1)
    make_job(services, slack)()
    (message,) = [m for m in slack.posted("DU1") if m["ts"] != digest["ts"]]
    assert customer_ids(message) == [other]


def test_not_my_customer_asks_who_owns_it_then_reassigns(
    db: Database, slack: SlackStub, clock: Clock, digest: dict[str, Any]
) -> None:
    app, _ = fresh_app(db, slack, clock)
    target = customer_ids(digest)[0]
    button = {
        "type": "button",
        "action_id": DIGEST_NOT_MINE_ACTION,
        "block_id": f"{DIGEST_ACTIONS_BLOCK}:{target}",
    }
    press(app, message_action({**button, "value": str(target)}, message=digest, channel_id="DU1"))
    (ask,) = slack.wait_for("chat.update")
    prompt = controls(ask.args, target)
    assert [e["action_id"] for e in prompt["elements"]] == [
        DIGEST_REASSIGN_ACTION,
        DIGEST_REASSIGN_CANCEL_ACTION,
    ]
    assert prompt["elements"][0]["type"] == "users_select"
    assert prompt["elements"][0]["placeholder"]["text"] == "Who owns Acme <!channel> & Co?"

    asked = {**digest, "blocks": ask.args["blocks"]}
    pick = {
        "type": "users_select",
        "action_id": DIGEST_REASSIGN_ACTION,
        "block_id": prompt["block_id"],
        "selected_user": "U2",
    }
    press(app, message_action(pick, message=asked, channel_id="DU1"))
    _, done = slack.wait_for("chat.update", 2)
    with db.session() as session:
        customer = session.get(Customer, target)
        assert customer is not None
        assert customer.owner_user_id == "U2"
        assert owner_by_user("T0001", "U2", session=session) is not None
    text = controls(done.args, target)["elements"][0]["text"]
    assert text == ":handshake: *Acme &lt;!channel&gt; &amp; Co* handed over to <@U2> by <@U1>."
    # The new owner hears of it, with the card's essentials; nothing they typed pings anyone.
    (told,) = slack.wait_for("chat.postMessage")
    assert told.args["channel"] == "U2"
    assert told.args["text"] == "Acme &lt;!channel&gt; &amp; Co was handed over to you in Holdfast."
    said = json.dumps(told.args["blocks"])
    assert "<@U1> handed *Acme &lt;!channel&gt; &amp; Co* over to you" in said
    assert "*Why they chose us:* 'Acme &lt;!channel&gt; &amp; Co wanted faster onboarding'" in said
    assert "*ARR:* $1,000" in said
    assert "<!channel>" not in said
    [view] = [e for b in told.args["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert (view["action_id"], view["value"]) == (VIEW_CARD_ACTION, str(target))

    # View card answers with the card as a new message; the hand-over message stays.
    slack.add_user("U2", tz="Europe/London")
    handed = slack.posted("DU2")[0]
    payload = message_action({**view, "block_id": "b"}, message=handed, channel_id="DU2", user_id="U2")
    press(app, {**payload, "response_url": slack.response_url("card")})
    (card,) = slack.wait_for("response_url")
    assert card.args["replace_original"] is False
    assert "Acme &lt;!channel&gt; &amp; Co" in json.dumps(card.args["blocks"])


def test_a_control_is_acked_before_its_slack_calls(
    db: Database, slack: SlackStub, clock: Clock, digest: dict[str, Any]
) -> None:
    """Slack wants the ack within 3 seconds: updating the digest comes after it."""
    app, _ = fresh_app(db, slack, clock)
    arrived, release, answered = threading.Event(), threading.Event(), threading.Event()

    def held(call: Any) -> None:
        arrived.set()
        release.wait(10)
        answered.set()

    slack.on("chat.update", held)
    press(app, snooze_payload(digest, customer_ids(digest)[0], "week"))
    assert arrived.wait(10)
    assert not answered.is_set()  # acked while chat.update was still waiting for Slack
    release.set()
    assert answered.wait(10)


def test_cancel_puts_the_buttons_back(
    db: Database, slack: SlackStub, clock: Clock, digest: dict[str, Any]
) -> None:
    app, _ = fresh_app(db, slack, clock)
    target = customer_ids(digest)[0]
    cancel = {
        "type": "button",
        "action_id": DIGEST_REASSIGN_CANCEL_ACTION,
        "block_id": f"{DIGEST_ACTIONS_BLOCK}:{target}",
        "value": str(target),
    }
    press(app, message_action(cancel, message=digest, channel_id="DU1"))
    (update,) = slack.wait_for("chat.update")
    assert controls(update.args, target) == controls(digest, target)


def test_only_the_owner_can_snooze_or_hand_over(
    db: Database, slack: SlackStub, clock: Clock, digest: dict[str, Any]
) -> None:
    app, _ = fresh_app(db, slack, clock)
    target = customer_ids(digest)[0]
    press(app, snooze_payload(digest, target, "week", user="U2"))
    (update,) = slack.wait_for("chat.update")
    with db.session() as session:
        customer = session.get(Customer, target)
        assert customer is not None
        assert customer.snoozed_until is None
    assert "is now owned by <@U1>; nothing changed" in controls(update.args, target)["elements"][0]["text"]


def test_a_job_waiting_out_a_429_does_not_block_request_listeners(
    db: Database, slack: SlackStub, clock: Clock, digest: dict[str, Any]
) -> None:
    """The job's Slack calls (and their Retry-After waits) run on its own thread, not Bolt's pool."""
    app, services = fresh_app(db, slack, clock)
    seed(db, "U2", ["Initech"])
    limited = threading.Event()

    def first_is_limited(call: Any) -> Any:
        if not limited.is_set():
            limited.set()
            return rate_limited(2)
        return None

    slack.on("chat.postMessage", first_is_limited)
    job = threading.Thread(target=make_job(services, slack))
    job.start()
    assert limited.wait(10)
    press(app, snooze_payload(digest, customer_ids(digest)[0], "week"))
    slack.wait_for("chat.update")
    assert job.is_alive()  # still waiting out Retry-After: 2 while the button was answered
    job.join()
    assert len(slack.calls_to("chat.postMessage")) == 2
    with db.session() as session:
        assert session.get(Owner, 2) is not None


def test_a_guest_cannot_be_handed_a_customer(
    db: Database, slack: SlackStub, clock: Clock, digest: dict[str, Any]
) -> None:
    slack.add_user("UGUEST", is_restricted=True)
    app, _ = fresh_app(db, slack, clock)
    target = customer_ids(digest)[0]
    pick = {
        "type": "users_select",
        "action_id": DIGEST_REASSIGN_ACTION,
        "block_id": f"{DIGEST_ACTIONS_BLOCK}:{target}",
        "selected_user": "UGUEST",
    }
    press(app, message_action(pick, message=digest, channel_id="DU1"))
    (done,) = slack.wait_for("chat.update")
    with db.session() as session:
        customer = session.get(Customer, target)
        assert customer is not None
        assert customer.owner_user_id == "U1"
    text = controls(done.args, target)["elements"][0]["text"]
    assert text.startswith("<@UGUEST> cannot own customers in Holdfast")
    assert text.endswith("nothing changed.")
