"""Keeping the book true from Slack, over signed requests: the card's Edit and `/customer edit`, the forms
they open, saving them (the change, its history, the card sent back), and marking a customer lost,
inactive or active again."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from sqlmodel import select

from bot.rules.edits import WHY_LOST_REQUIRED
from bot.rules.vocabulary import Inactive
from handlers import ids
from storage.models import Customer, CustomerChange
from tests.live_app import TODAY, LiveApp, all_text, reply
from tests.markup import marked_up
from tests.slack_requests import block_action, view_submission

HOSTILE = "<!channel> & <@U9> said <https://evil.example|click>"


def acme(live: LiveApp, **fields: Any) -> Customer:
    values: dict[str, Any] = {
        "arr": 12000.0,
        "original_reason": "Fast onboarding",
        "original_reason_on": date(2024, 1, 5),
        "customer_since": date(2024, 1, 5),
        "renewal_date": date(2025, 9, 1),
        "cadence_days": 30,
    }
    values.update(fields)
    return live.add_customer("Acme", **values)


def card_buttons(blocks: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The card's buttons by label."""
    return {e["text"]["text"]: e for b in blocks if b["type"] == "actions" for e in b["elements"]}


def press(live: LiveApp, button: dict[str, Any], *, user_id: str = "U1") -> None:
    live.interact(
        block_action(
            button["action_id"],
            button["value"],
            user_id=user_id,
            response_url=live.slack.response_url("card"),
        )
    )


def opened_form(live: LiveApp, count: int = 1) -> dict[str, Any]:
    return dict(live.slack.wait_for("views.open", count)[-1].args["view"])


def inputs(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}


def edit_values(view: dict[str, Any], **typed: Any) -> dict[str, dict[str, Any]]:
    """The edit form's `state.values` as Slack submits it: what it was filled in with, then `typed`."""
    found = inputs(view)

    def element(block_id: str) -> dict[str, Any]:
        return dict(found[block_id]["element"])

    values: dict[str, dict[str, Any]] = {}
    for block_id in (ids.EDIT_REASON, ids.EDIT_ARR, ids.EDIT_CADENCE):
        values[block_id] = {"type": "plain_text_input", "value": element(block_id).get("initial_value")}
    for block_id in (ids.EDIT_SINCE, ids.EDIT_RENEWAL):
        values[block_id] = {"type": "datepicker", "selected_date": element(block_id).get("initial_date")}
    values[ids.EDIT_OWNER] = {
        "type": "users_select",
        "selected_user": element(ids.EDIT_OWNER)["initial_user"],
    }
    for block_id, value in typed.items():
        key = {"datepicker": "selected_date", "users_select": "selected_user"}.get(
            values[block_id]["type"], "value"
        )
        values[block_id] = {**values[block_id], key: value}
    return {block_id: {block_id: value} for block_id, value in values.items()}


def submit(live: LiveApp, view: dict[str, Any], values: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    payload = view_submission(
        view["callback_id"], values, private_metadata=view["private_metadata"], **kwargs
    )
    return reply(live.interact(payload))


def changes(live: LiveApp) -> list[tuple[str, str | None, str | None, str | None, str | None, str]]:
    with live.services.database.session() as session:
        rows = session.exec(select(CustomerChange).order_by(CustomerChange.id)).all()  # type: ignore[arg-type]
        return [(r.field, r.old_value, r.new_value, r.changed_by, r.note, r.source) for r in rows]


def stored(live: LiveApp, customer_id: int | None) -> Customer:
    with live.services.database.session() as session:
        row = session.get(Customer, customer_id)
        assert row is not None
        return row


def test_edit_on_the_card_opens_the_form_filled_in_with_the_customer(live: LiveApp) -> None:
    customer = acme(live)
    blocks = reply(live.command("/customer", "Acme"))["blocks"]

    press(live, card_buttons(blocks)["Edit"])

    view = opened_form(live)
    assert view["callback_id"] == ids.EDIT_VIEW
    assert json.loads(view["private_metadata"]) == {
        "customer": customer.id,
        "response_url": live.slack.response_url("card"),
        "replace": True,
    }
    found = inputs(view)
    assert list(found) == [
        ids.EDIT_REASON,
        ids.EDIT_REASON_THEME,
        ids.EDIT_SINCE,
        ids.EDIT_RENEWAL,
        ids.EDIT_ARR,
        ids.EDIT_CADENCE,
        ids.EDIT_OWNER,
    ]
    assert found[ids.EDIT_REASON]["element"]["initial_value"] == "Fast onboarding"
    assert found[ids.EDIT_REASON]["optional"] is False
    assert found[ids.EDIT_SINCE]["element"]["initial_date"] == "2024-01-05"
    assert found[ids.EDIT_RENEWAL]["element"]["initial_date"] == "2025-09-01"
    assert found[ids.EDIT_ARR]["element"]["initial_value"] == "12000"
    assert found[ids.EDIT_CADENCE]["element"]["initial_value"] == "30"
    assert found[ids.EDIT_OWNER]["element"]["initial_user"] == "U1"


def test_saving_stores_the_changes_with_history_and_sends_the_card_as_it_is_now(live: LiveApp) -> None:
    customer = acme(live)
    press(live, {"action_id": ids.EDIT_CUSTOMER_ACTION, "value": str(customer.id)})
    view = opened_form(live)

    values = edit_values(view, **{ids.EDIT_ARR: "15k", ids.EDIT_REASON: "Cost savings", ids.EDIT_CADENCE: ""})
    assert submit(live, view, values) == {}

    after = stored(live, customer.id)
    assert (after.arr, after.cadence_days, after.current_reason) == (15000.0, None, "Cost savings")
    assert (after.original_reason, after.current_reason_on) == ("Fast onboarding", TODAY)
    assert sorted(changes(live)) == [
        ("arr", "12000", "15000", "U1", None, "slack"),
        ("cadence_days", "30", None, "U1", None, "slack"),
        ("reason", "Fast onboarding", "Cost savings", "U1", None, "slack"),
    ]
    [sent] = live.slack.wait_for("response_url")
    assert sent.path == "/response/card"
    assert sent.args["replace_original"] is True
    text = all_text(sent.args["blocks"])
    assert "*ARR*\n$15,000" in text
    assert "*Their reason now* (recorded on 14 March): 'Cost savings'" in text


def test_mistakes_are_shown_next_to_their_fields_and_nothing_is_stored(live: LiveApp) -> None:
    customer = acme(live)
    press(live, {"action_id": ids.EDIT_CUSTOMER_ACTION, "value": str(customer.id)})
    view = opened_form(live)

    values = edit_values(
        view,
        **{
            ids.EDIT_ARR: "lots",
            ids.EDIT_CADENCE: "0",
            ids.EDIT_REASON: "",
            ids.EDIT_RENEWAL: "2023-01-01",
        },
    )
    answer = submit(live, view, values)

    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {ids.EDIT_ARR, ids.EDIT_CADENCE, ids.EDIT_REASON, ids.EDIT_RENEWAL}
    assert answer["errors"][ids.EDIT_CADENCE] == "The cadence '0' is not a whole number of days above 0."
    assert answer["errors"][ids.EDIT_RENEWAL] == "The renewal date is before the customer-since date."
    assert changes(live) == []
    assert stored(live, customer.id).arr == 12000.0


def test_a_new_owner_gets_the_hand_over_message_and_a_guest_is_refused(live: LiveApp) -> None:
    live.slack.add_user("U2")
    live.slack.add_user("UGUEST", is_restricted=True)
    customer = acme(live)
    press(live, {"action_id": ids.EDIT_CUSTOMER_ACTION, "value": str(customer.id)})
    view = opened_form(live)

    refused = submit(live, view, edit_values(view, **{ids.EDIT_OWNER: "UGUEST"}))
    assert refused["response_action"] == "errors"
    assert "cannot own customers" in refused["errors"][ids.EDIT_OWNER]

    assert submit(live, view, edit_values(view, **{ids.EDIT_OWNER: "U2"})) == {}
    [dm] = live.slack.wait_for("chat.postMessage")
    assert dm.args["channel"] == "U2"
    assert "Acme" in all_text(dm.args["blocks"])
    assert stored(live, customer.id).owner_user_id == "U2"
    assert changes(live) == [("owner", "U1", "U2", "U1", None, "slack")]


def test_only_the_owner_may_edit(live: LiveApp) -> None:
    live.slack.add_user("U2")
    customer = acme(live)

    press(live, {"action_id": ids.EDIT_CUSTOMER_ACTION, "value": str(customer.id)}, user_id="U2")

    [answer] = live.slack.wait_for("response_url")
    assert answer.args["text"] == "*Acme* is owned by <@U1>: only its owner can change it."
    assert answer.args["replace_original"] is False
    assert live.slack.calls_to("views.open") == []
    # A form submitted anyway (forged, or the customer was handed over meanwhile) changes nothing.
    view = {"callback_id": ids.EDIT_VIEW, "private_metadata": json.dumps({"customer": customer.id})}
    values = {ids.EDIT_ARR: {ids.EDIT_ARR: {"type": "plain_text_input", "value": "1"}}}
    done = submit(live, view, values, user_id="U2")
    assert done["response_action"] == "update"
    assert "only its owner" in all_text(done["view"])
    assert changes(live) == []


def test_customer_edit_opens_the_form_and_the_card_follows_the_command(live: LiveApp) -> None:
    customer = acme(live)

    assert reply(live.command("/customer", "edit acme")) == {}

    view = opened_form(live)
    assert json.loads(view["private_metadata"]) == {
        "customer": customer.id,
        "response_url": live.slack.response_url("cmd"),
        "replace": False,
    }
    assert submit(live, view, edit_values(view, **{ids.EDIT_SINCE: "2023-06-01"})) == {}
    [sent] = live.slack.wait_for("response_url")
    assert (sent.path, sent.args["replace_original"]) == ("/response/cmd", False)
    assert changes(live) == [("since", "2024-01-05", "2023-06-01", "U1", None, "slack")]


def test_customer_edit_with_an_unknown_name_offers_close_names(live: LiveApp) -> None:
    customer = live.add_customer("Acme Corp")

    body = reply(live.command("/customer", "edit Acme Crop"))
    usage = reply(live.command("/customer", "edit"))

    assert "I couldn't find exactly 'Acme Crop'" in all_text(body["blocks"])
    buttons = [e for b in body["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [(e["text"]["text"], e["action_id"], e["value"]) for e in buttons] == [
        ("Acme Corp", ids.numbered(ids.PICK_FOR_EDIT_ACTION, 0), str(customer.id)),
        ("Add Acme Crop", ids.ADD_CUSTOMER_ACTION, "Acme Crop"),
    ]
    assert usage == {
        "response_type": "ephemeral",
        "text": "Name the customer to edit: `/customer edit Acme`.",
    }
    press(live, buttons[0])
    assert opened_form(live)["callback_id"] == ids.EDIT_VIEW


def test_mark_as_lost_needs_why_then_the_card_says_so_and_reactivate_undoes_it(live: LiveApp) -> None:
    customer = acme(live, last_checkin_on=TODAY - timedelta(days=90))
    blocks = reply(live.command("/customer", "Acme"))["blocks"]
    assert "Stale contact" in all_text(blocks)

    press(live, card_buttons(blocks)["Mark as lost"])
    view = opened_form(live)
    assert view["callback_id"] == ids.STATUS_VIEW
    found = inputs(view)
    assert found[ids.STATUS_WHY]["optional"] is False
    assert found[ids.STATUS_ON]["element"]["initial_date"] == TODAY.isoformat()

    def values(why: str) -> dict[str, Any]:
        return {
            ids.STATUS_WHY: {ids.STATUS_WHY: {"type": "plain_text_input", "value": why}},
            ids.STATUS_ON: {ids.STATUS_ON: {"type": "datepicker", "selected_date": "2025-03-10"}},
        }

    assert submit(live, view, values(" ")) == {
        "response_action": "errors",
        "errors": {ids.STATUS_WHY: WHY_LOST_REQUIRED},
    }
    assert submit(live, view, values(HOSTILE)) == {}

    after = stored(live, customer.id)
    assert (after.active, after.inactive_kind, after.inactive_on) == (False, Inactive.LOST, date(2025, 3, 10))
    assert changes(live) == [("status", "active", "lost", "U1", HOSTILE, "slack")]
    [sent] = live.slack.wait_for("response_url")
    card = sent.args["blocks"]
    text = all_text(card)
    assert "*Status*\n⚪ Lost" in text
    assert "*Lost* since 10 March: '&lt;!channel&gt; &amp; &lt;@U9&gt; said" in text
    assert "Stale contact" not in text
    assert "<!channel>" not in marked_up(card)

    press(live, card_buttons(card)["Reactivate"])
    [_, again] = live.slack.wait_for("response_url", 2)
    assert again.args["replace_original"] is True
    assert "*Health*" in all_text(again.args["blocks"])
    assert stored(live, customer.id).active is True
    assert changes(live)[-1] == ("status", "lost", "active", "U1", None, "slack")


def test_mark_as_inactive_needs_no_why_and_the_list_says_inactive(live: LiveApp) -> None:
    customer = acme(live)
    press(
        live,
        {"action_id": ids.numbered(ids.MARK_INACTIVE_ACTION, "inactive"), "value": f"inactive:{customer.id}"},
    )
    view = opened_form(live)
    assert inputs(view)[ids.STATUS_WHY]["optional"] is True

    on = {ids.STATUS_ON: {ids.STATUS_ON: {"type": "datepicker", "selected_date": TODAY.isoformat()}}}
    assert submit(live, view, on) == {}

    assert stored(live, customer.id).inactive_kind == Inactive.INACTIVE
    rows = [b for b in reply(live.command("/customer", ""))["blocks"] if "accessory" in b]
    assert rows[0]["text"]["text"] == "*Acme* · never checked in · inactive"


def test_the_full_history_shows_the_changes_escaped(live: LiveApp) -> None:
    customer = acme(live)
    press(live, {"action_id": ids.EDIT_CUSTOMER_ACTION, "value": str(customer.id)})
    view = opened_form(live)
    submit(live, view, edit_values(view, **{ids.EDIT_ARR: "15000", ids.EDIT_REASON: HOSTILE}))

    live.interact(block_action(ids.HISTORY_ACTION, str(customer.id)))

    history = opened_form(live, 2)
    text = all_text(history["blocks"])
    assert history["title"]["text"] == "History"
    assert "*Acme* · 0 check-ins · 2 changes · page 1 of 1" in text
    assert "*14 March* · <@U1> changed ARR from 12,000 to 15,000" in text
    assert "changed the reason from 'Fast onboarding' to '&lt;!channel&gt; &amp; &lt;@U9&gt; said" in text
    assert "<!channel>" not in marked_up(history)
    assert "<https://evil" not in marked_up(history)
