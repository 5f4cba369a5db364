"""One-tap answers in the digest: holds / weakened store a check-in at once, changed asks for the new
reason, and any answer or logged check-in folds the entry into one line (asserted on `chat.update`)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from slack_bolt import App, BoltRequest
from sqlmodel import select

from bot.rules.vocabulary import Verdict
from handlers import ids
from handlers.views.digest import answer_value
from storage.db import Database
from storage.models import CheckIn, Customer
from tests.nudge_helpers import Clock, make_job, make_services, seed
from tests.slack_requests import interaction, message_action, signed_headers, view_submission
from tests.slack_stub import SlackStub
from tests.test_checkin_command import form_values
from tests.test_digest_handlers import controls, customer_ids, fresh_app, press

TODAY = date(2026, 6, 10)  # the owner's day in London when the clock says 08:30 UTC


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def digest(db: Database, slack: SlackStub, clock: Clock) -> dict[str, Any]:
    """U1's digest, posted by the job; returns the message as Slack holds it."""
    slack.add_user("U1", tz="Europe/London")
    seed(db, "U1", ["Acme <!channel> & Co", "Globex"])
    make_job(make_services(db, slack, clock), slack)()
    (message,) = slack.posted("DU1")
    slack.clear()
    return message


@pytest.fixture
def app(db: Database, slack: SlackStub, clock: Clock) -> App:
    return fresh_app(db, slack, clock)[0]


def answer(message: dict[str, Any], customer_id: int, verdict: Verdict, user: str = "U1") -> dict[str, Any]:
    block = controls(message, customer_id)
    action = {
        "type": "button",
        "action_id": ids.numbered(ids.DIGEST_ANSWER_ACTION, verdict.value),
        "block_id": block["block_id"],
        "value": answer_value(verdict, customer_id),
    }
    return message_action(action, message=message, channel_id="DU1", user_id=user)


def checkins_of(db: Database, customer_id: int) -> list[CheckIn]:
    with db.session() as session:
        return list(session.exec(select(CheckIn).where(CheckIn.customer_id == customer_id)))


def entry(message: dict[str, Any], customer_id: int) -> list[dict[str, Any]]:
    return [b for b in message["blocks"] if str(b.get("block_id", "")).endswith(f":{customer_id}")]


def test_each_entry_offers_the_three_answers_first(digest: dict[str, Any]) -> None:
    first = customer_ids(digest)[0]
    elements = controls(digest, first)["elements"]
    assert [e["action_id"] for e in elements[:3]] == [
        ids.numbered(ids.DIGEST_ANSWER_ACTION, v) for v in ("holds", "weakened", "changed")
    ]
    assert [e["value"] for e in elements[:3]] == [f"{v}:{first}" for v in ("holds", "weakened", "changed")]


@pytest.mark.parametrize(("verdict", "words"), [(Verdict.HOLDS, "holds"), (Verdict.WEAKENED, "weakened")])
def test_holds_or_weakened_stores_a_check_in_at_once_and_folds_the_entry(
    db: Database, slack: SlackStub, app: App, digest: dict[str, Any], verdict: Verdict, words: str
) -> None:
    target, other = customer_ids(digest)
    press(app, answer(digest, target, verdict))
    (update,) = slack.wait_for("chat.update")
    [checkin] = checkins_of(db, target)
    assert (checkin.verdict, checkin.occurred_on, checkin.author_user_id) == (verdict, TODAY, "U1")
    with db.session() as session:
        customer = session.get(Customer, target)
        assert customer is not None
        assert (customer.last_verdict, customer.last_checkin_on) == (verdict, TODAY)
    assert (update.args["channel"], update.args["ts"]) == ("DU1", digest["ts"])
    [line] = entry(update.args, target)
    assert line["type"] == "context"
    name = "Acme &lt;!channel&gt; &amp; Co" if "Acme" in json.dumps(entry(digest, target)) else "Globex"
    assert line["elements"][0]["text"] == f"✓ *{name}* — the reason {words}, 10 June"
    assert update.args["blocks"][0]["text"]["text"] == "1 customer to talk to today"
    assert entry(update.args, other) == entry(digest, other)
    assert "<!channel>" not in json.dumps(update.args["blocks"])


def test_a_double_tap_or_a_second_answer_stores_once(
    db: Database, slack: SlackStub, app: App, digest: dict[str, Any]
) -> None:
    target = customer_ids(digest)[0]
    press(app, answer(digest, target, Verdict.HOLDS))
    press(app, answer(digest, target, Verdict.HOLDS))  # pressed again before the message changed
    press(app, answer(digest, target, Verdict.WEAKENED))
    updates = slack.wait_for("chat.update", 3)
    [checkin] = checkins_of(db, target)
    assert checkin.verdict == Verdict.HOLDS
    for update in updates:  # every update shows the one answer stored
        [line] = entry(update.args, target)
        assert "the reason holds" in line["elements"][0]["text"]


def test_changed_asks_for_the_new_reason_then_stores_it_and_folds_the_entry(
    db: Database, slack: SlackStub, app: App, digest: dict[str, Any]
) -> None:
    target, other = customer_ids(digest)
    press(app, answer(digest, target, Verdict.CHANGED))
    (opened,) = slack.wait_for("views.open")
    view = opened.args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["callback_id"] == ids.DIGEST_NEW_REASON_VIEW
    assert checkins_of(db, target) == []  # nothing stored before the new reason is given
    metadata = view["private_metadata"]
    assert json.loads(metadata) == {"customer": target, "digest": {"channel": "DU1", "ts": digest["ts"]}}

    def submit(reason: str) -> None:
        values = {ids.NEW_REASON: {ids.NEW_REASON: {"type": "plain_text_input", "value": reason}}}
        press(app, view_submission(ids.DIGEST_NEW_REASON_VIEW, values, private_metadata=metadata))

    submit("   ")
    assert checkins_of(db, target) == []
    submit("One platform for every depot")
    (update,) = slack.wait_for("chat.update")
    [checkin] = checkins_of(db, target)
    assert (checkin.verdict, checkin.new_reason) == (Verdict.CHANGED, "One platform for every depot")
    with db.session() as session:
        customer = session.get(Customer, target)
        assert customer is not None
        assert customer.current_reason == "One platform for every depot"
    [line] = entry(update.args, target)
    assert "the reason changed, 10 June" in line["elements"][0]["text"]
    assert entry(update.args, other) == entry(digest, other)


def test_an_empty_new_reason_is_refused_next_to_the_field(
    db: Database, slack: SlackStub, app: App, digest: dict[str, Any]
) -> None:
    target = customer_ids(digest)[0]
    metadata = json.dumps({"customer": target, "digest": {"channel": "DU1", "ts": digest["ts"]}})
    values = {ids.NEW_REASON: {ids.NEW_REASON: {"type": "plain_text_input", "value": ""}}}
    body = interaction(view_submission(ids.DIGEST_NEW_REASON_VIEW, values, private_metadata=metadata))
    response = app.dispatch(BoltRequest(body=body, headers=dict(signed_headers(body))))
    assert response.status == 200
    assert json.loads(response.body)["response_action"] == "errors"
    assert ids.NEW_REASON in json.loads(response.body)["errors"]
    assert checkins_of(db, target) == []


def test_a_check_in_logged_from_the_digest_folds_its_entry(
    db: Database, slack: SlackStub, app: App, digest: dict[str, Any]
) -> None:
    target, other = customer_ids(digest)
    block = controls(digest, target)
    log = {
        "type": "button",
        "action_id": ids.LOG_CHECKIN_ACTION,
        "block_id": block["block_id"],
        "value": str(target),
    }
    press(app, message_action(log, message=digest, channel_id="DU1"))
    (opened,) = slack.wait_for("views.open")
    view = opened.args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    metadata = view["private_metadata"]
    values = form_values(target, date=TODAY.isoformat(), verdict="holds")
    press(app, view_submission(ids.CHECKIN_VIEW, values, private_metadata=metadata))
    (update,) = slack.wait_for("chat.update")
    assert len(checkins_of(db, target)) == 1
    [line] = entry(update.args, target)
    assert "the reason holds, 10 June" in line["elements"][0]["text"]
    assert update.args["blocks"][0]["text"]["text"] == "1 customer to talk to today"
    assert entry(update.args, other) == entry(digest, other)


def test_changed_asks_for_the_new_reasons_theme_and_stores_it(
    db: Database, slack: SlackStub, app: App, digest: dict[str, Any]
) -> None:
    target = customer_ids(digest)[0]
    press(app, answer(digest, target, Verdict.CHANGED))
    (opened,) = slack.wait_for("views.open")
    view = opened.args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    [theme] = [block for block in view["blocks"] if block.get("block_id") == ids.NEW_REASON_THEME]
    assert [option["value"] for option in theme["element"]["options"]][:3] == ["-", "price", "product_fit"]
    values: dict[str, dict[str, Any]] = {
        ids.NEW_REASON: {ids.NEW_REASON: {"type": "plain_text_input", "value": "One platform"}},
        ids.NEW_REASON_THEME: {
            ids.NEW_REASON_THEME: {"type": "static_select", "selected_option": {"value": "integration"}}
        },
    }
    press(app, view_submission(ids.DIGEST_NEW_REASON_VIEW, values, private_metadata=view["private_metadata"]))
    slack.wait_for("chat.update")
    [checkin] = checkins_of(db, target)
    assert (checkin.new_reason, checkin.new_reason_theme) == ("One platform", "integration")
    with db.session() as session:
        customer = session.get(Customer, target)
        assert customer is not None
        assert (customer.current_reason, customer.current_reason_theme) == ("One platform", "integration")
