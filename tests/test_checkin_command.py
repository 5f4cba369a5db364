"""`/checkin` over HTTP: the form, logging at once, the verdict question, retries, unknown names."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select

from bot.rules.vocabulary import Change, Expectation, Verdict
from handlers import ids
from storage.db import Database
from storage.models import CheckIn, Customer
from storage.types import utcnow
from tests.add_form_state import add_form_values
from tests.live_app import NOW, TODAY, LiveApp, all_text, reply, serve_app
from tests.slack_requests import block_action, block_suggestion, view_action, view_submission
from tests.slack_stub import SlackStub


def checkins(live: LiveApp) -> list[CheckIn]:
    with live.services.database.session() as session:
        return list(session.exec(select(CheckIn).order_by(CheckIn.id)).all())  # type: ignore[arg-type]


def customer(live: LiveApp, customer_id: int | None) -> Customer:
    with live.services.database.session() as session:
        found = session.get(Customer, customer_id)
    assert found is not None
    return found


def inputs(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}


def test_alone_opens_the_form_dated_today(live: LiveApp) -> None:
    assert reply(live.command("/checkin", "")) == {}
    view = live.slack.wait_for("views.open")[0].args["view"]
    assert view["callback_id"] == ids.CHECKIN_VIEW
    fields = inputs(view)
    assert list(fields) == FORM_INPUTS
    assert fields[ids.CHECKIN_CUSTOMER]["element"]["type"] == "external_select"
    assert "initial_option" not in fields[ids.CHECKIN_CUSTOMER]["element"]
    assert fields[ids.CHECKIN_DATE]["element"]["initial_date"] == TODAY.isoformat()
    verdict = fields[ids.CHECKIN_VERDICT]
    assert verdict["label"]["text"] == "Does their reason still hold?"
    assert (verdict["optional"], verdict["dispatch_action"]) == (False, True)
    assert [(o["value"], o["text"]["text"]) for o in verdict["element"]["options"]] == [
        ("holds", "Holds"),
        ("weakened", "Weakened"),
        ("changed", "Changed"),
        ("not_asked", "Not asked"),
    ]
    assert "initial_option" not in verdict["element"]
    assert [o["value"] for o in fields[ids.CHECKIN_EXPECTATION]["element"]["options"]] == [
        "above",
        "meets",
        "below",
        "unknown",
    ]


# The form's inputs in order: the verdict first after the customer; the new reason only once "changed".
FORM_INPUTS = [
    ids.CHECKIN_CUSTOMER,
    ids.CHECKIN_VERDICT,
    ids.CHECKIN_NOTE,
    ids.CHECKIN_DATE,
    ids.CHECKIN_SPOKE_WITH,
    ids.CHECKIN_EXPECTATION,
    ids.CHECKIN_CHANGES,
    ids.CHECKIN_NEXT_STEP,
    ids.CHECKIN_NEXT_STEP_DUE,
]


def test_with_a_customer_opens_the_form_with_it_chosen_and_its_reason_shown(live: LiveApp) -> None:
    acme = live.add_customer("Acme", original_reason="They <3 our API & SDK")
    live.command("/checkin", "ACME")
    view = live.slack.wait_for("views.open")[0].args["view"]
    chosen = inputs(view)[ids.CHECKIN_CUSTOMER]["element"]["initial_option"]
    assert chosen["value"] == str(acme.id)
    assert chosen["text"]["text"] == "Acme"
    assert "*Their reason:* 'They &lt;3 our API &amp; SDK'" in all_text(view["blocks"])


def test_note_is_stored_at_once_and_the_reply_asks_whether_the_reason_holds(live: LiveApp) -> None:
    acme = live.add_customer("Acme", original_reason="Fast onboarding")
    body = reply(live.command("/checkin", "Acme: Spoke with Jo about <!here> & <@U2>"))

    [stored] = checkins(live)
    assert stored.customer_id == acme.id
    assert stored.occurred_on == TODAY
    assert stored.author_user_id == "U1"
    assert stored.note == "Spoke with Jo about <!here> & <@U2>"
    assert stored.verdict == Verdict.NOT_ASKED
    assert body["response_type"] == "ephemeral"
    first = body["blocks"][0]["text"]["text"]
    assert "\n" not in first
    assert "&lt;!here&gt; &amp; &lt;@U2&gt;" in first
    assert "<!here>" not in json.dumps(body)
    assert body["blocks"][1]["text"]["text"] == "Does 'Fast onboarding' still hold?"
    buttons = body["blocks"][2]["elements"]
    assert [b["action_id"] for b in buttons] == [
        ids.numbered(ids.ANSWER_VERDICT_ACTION, v) for v in ("holds", "weakened", "changed")
    ]
    assert {b["value"] for b in buttons} == {str(stored.id)}

    # "Holds": recorded on that check-in and on the customer; the question is replaced.
    live.interact(
        block_action(buttons[0]["action_id"], buttons[0]["value"], response_url=live.slack.response_url("q"))
    )
    answer = live.slack.wait_for("response_url")[0]
    assert answer.args["replace_original"] is True
    assert "'Fast onboarding' still holds" in answer.args["text"]
    [stored] = checkins(live)
    assert stored.verdict == Verdict.HOLDS
    after = customer(live, acme.id)
    assert after.last_verdict == Verdict.HOLDS
    assert after.reason_confirmed_on == TODAY


def test_changed_asks_for_the_new_reason_and_keeps_the_history(live: LiveApp) -> None:
    acme = live.add_customer("Acme", original_reason="Fast onboarding")
    body = reply(live.command("/checkin", "Acme: budget talk"))
    changed = body["blocks"][2]["elements"][2]
    live.interact(
        block_action(changed["action_id"], changed["value"], response_url=live.slack.response_url("q"))
    )
    view = live.slack.wait_for("views.open")[0].args["view"]
    assert view["callback_id"] == ids.NEW_REASON_VIEW

    empty = {ids.NEW_REASON: {ids.NEW_REASON: {"type": "plain_text_input", "value": "  "}}}
    refused = reply(
        live.interact(view_submission(ids.NEW_REASON_VIEW, empty, private_metadata=view["private_metadata"]))
    )
    assert refused["response_action"] == "errors"

    values = {ids.NEW_REASON: {ids.NEW_REASON: {"type": "plain_text_input", "value": "Cost savings"}}}
    done = reply(
        live.interact(view_submission(ids.NEW_REASON_VIEW, values, private_metadata=view["private_metadata"]))
    )
    assert done["response_action"] == "update"
    [stored] = checkins(live)
    assert (stored.verdict, stored.new_reason) == (Verdict.CHANGED, "Cost savings")
    after = customer(live, acme.id)
    assert after.current_reason == "Cost savings"
    assert after.original_reason == "Fast onboarding"
    replaced = live.slack.wait_for("response_url")[0]
    assert "'Cost savings'" in replaced.args["text"]


def test_verdict_tags_set_the_verdict_and_leave_the_note(live: LiveApp) -> None:
    live.add_customer("Acme", original_reason="Speed")
    body = reply(live.command("/checkin", "acme: renewal looks fine #Weakened  for now"))
    [stored] = checkins(live)
    assert stored.verdict == Verdict.WEAKENED
    assert stored.note == "renewal looks fine for now"
    assert len(body["blocks"]) == 1  # no question: the verdict was given


def test_a_slack_retry_stores_nothing_twice(live: LiveApp) -> None:
    live.add_customer("Acme", original_reason="Speed")
    first = reply(live.command("/checkin", "Acme: call #holds", trigger_id="T-1"))
    again = reply(live.command("/checkin", "Acme: call #holds", trigger_id="T-1", retry_num=1))
    assert len(checkins(live)) == 1
    assert again == first


def test_unknown_customer_suggests_close_names_and_stores_nothing(live: LiveApp) -> None:
    globex = live.add_customer("Globex Corporation", original_reason="Price")
    live.add_customer("Initech")
    body = reply(live.command("/checkin", "Globex Corp Inc: they want a discount #weakened"))
    assert checkins(live) == []
    buttons = [e for b in body["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [b["text"]["text"] for b in buttons] == ["Globex Corporation", "Add Globex Corp Inc"]

    live.interact(
        block_action(buttons[0]["action_id"], buttons[0]["value"], response_url=live.slack.response_url("p"))
    )
    done = live.slack.wait_for("response_url")[0]
    assert "Globex Corporation" in all_text(done.args)
    [stored] = checkins(live)
    assert (stored.customer_id, stored.verdict, stored.note) == (
        globex.id,
        Verdict.WEAKENED,
        "they want a discount",
    )
    # Pressing the same button again does not log twice.
    live.interact(
        block_action(buttons[0]["action_id"], buttons[0]["value"], response_url=live.slack.response_url("p"))
    )
    live.slack.wait_for("response_url", 2)
    assert len(checkins(live)) == 1


def test_a_pick_button_sent_before_the_day_was_carried_logs_today(live: LiveApp) -> None:
    """Buttons already in Slack when this version came out carry no day: they still log, dated today."""
    globex = live.add_customer("Globex Corporation")
    value = json.dumps({"c": globex.id, "n": "from an older button", "v": None, "k": "k1"})
    live.interact(
        block_action(
            ids.numbered(ids.PICK_FOR_CHECKIN_ACTION, 0), value, response_url=live.slack.response_url("p")
        )
    )
    live.slack.wait_for("response_url")
    [stored] = checkins(live)
    assert (stored.note, stored.occurred_on) == ("from an older button", TODAY)


def test_ambiguous_name_lists_the_candidates(live: LiveApp) -> None:
    live.add_customer("Acme East")
    live.add_customer("Acme West")
    body = reply(live.command("/checkin", "acme: hello"))
    labels = [e["text"]["text"] for b in body["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert labels == ["Acme East", "Acme West", "Add acme"]
    assert checkins(live) == []


def buttons(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in body["blocks"] if b["type"] == "actions" for e in b["elements"]]


def customer_named(live: LiveApp, name: str) -> Customer:
    with live.services.database.session() as session:
        [found] = session.exec(select(Customer).where(Customer.name == name)).all()
    return found


def add_button(live: LiveApp, text: str, **command: Any) -> dict[str, Any]:
    """`/checkin <text>` naming a customer nobody added yet: the reply's Add button."""
    add = buttons(reply(live.command("/checkin", text, **command)))[-1]
    assert add["action_id"] == ids.ADD_FOR_CHECKIN_ACTION
    assert len(add["value"]) <= 2000
    return add


def open_add_form(live: LiveApp, add: dict[str, Any]) -> dict[str, Any]:
    """Press `add` (in a message with response URL `add`): the add-customer form it opened."""
    opened = len(live.slack.calls_to("views.open"))
    live.interact(block_action(add["action_id"], add["value"], response_url=live.slack.response_url("add")))
    view: dict[str, Any] = live.slack.wait_for("views.open", opened + 1)[-1].args["view"]
    assert view["callback_id"] == ids.CUSTOMER_VIEW
    return view


def submit_add(
    live: LiveApp, view: dict[str, Any], name: str, *, view_id: str = "V0001", retry_num: int | None = None
) -> dict[str, Any]:
    """Submit the add-customer form `view` for `name`: the ack's body."""
    values = add_form_values(name)
    payload = view_submission(
        ids.CUSTOMER_VIEW, values, view_id=view_id, private_metadata=view["private_metadata"]
    )
    return reply(live.interact(payload, retry_num=retry_num))


def test_add_logs_the_checkin_typed_for_the_unknown_customer(live: LiveApp) -> None:
    live.add_customer("Globex Corporation")
    view = open_add_form(live, add_button(live, "Globex Corp Inc: they want a discount #weakened"))
    assert inputs(view)[ids.CUSTOMER_NAME]["element"]["initial_value"] == "Globex Corp Inc"

    done = submit_add(live, view, "Globex Corp Inc")

    added = customer_named(live, "Globex Corp Inc")
    [stored] = checkins(live)
    assert (stored.customer_id, stored.note, stored.verdict) == (
        added.id,
        "they want a discount",
        Verdict.WEAKENED,
    )
    assert (stored.occurred_on, stored.author_user_id) == (TODAY, "U1")
    assert done["response_action"] == "update"
    logged = "Logged a check-in with *Globex Corp Inc* on 14 March: they want a discount Reason: weakened."
    assert "Added *Globex Corp Inc*." in all_text(done["view"])
    assert logged in all_text(done["view"])
    # The message with the Add button ("Nothing was saved yet") now shows the check-in.
    [confirmed] = live.slack.wait_for("response_url")
    assert confirmed.path == "/response/add"
    assert confirmed.args["replace_original"] is True
    assert logged in all_text(confirmed.args["blocks"])


def test_add_stores_the_typed_checkin_once_however_often_it_is_sent(live: LiveApp) -> None:
    add = add_button(live, "Initrode: kickoff call #holds", trigger_id="T-9")
    view = open_add_form(live, add)
    first = submit_add(live, view, "Initrode", view_id="V1")
    again = submit_add(live, view, "Initrode", view_id="V1", retry_num=1)
    # Add pressed again on the same message and the form sent again; then Slack retries `/checkin`.
    twice = submit_add(live, open_add_form(live, add), "Initrode", view_id="V2")
    retried = reply(live.command("/checkin", "Initrode: kickoff call #holds", trigger_id="T-9", retry_num=1))

    added = customer_named(live, "Initrode")
    [stored] = checkins(live)
    assert (stored.customer_id, stored.note, stored.verdict) == (added.id, "kickoff call", Verdict.HOLDS)
    for body in (first, again, twice):
        assert "Logged a check-in with *Initrode*" in all_text(body["view"])
    assert "Logged a check-in with *Initrode*" in all_text(retried["blocks"])


def test_add_echoes_the_typed_note_escaped(live: LiveApp) -> None:
    view = open_add_form(live, add_button(live, "Initrode: told <!channel> & <@U2> the plan"))
    done = submit_add(live, view, "Initrode")

    [stored] = checkins(live)
    assert stored.note == "told <!channel> & <@U2> the plan"
    confirmed = live.slack.wait_for("response_url")[0].args
    for shown in (done["view"], confirmed):
        assert "told &lt;!channel&gt; &amp; &lt;@U2&gt; the plan" in all_text(shown)
        assert "<!channel>" not in json.dumps(shown)
        assert "<@U2>" not in json.dumps(shown)


def test_add_dates_the_checkin_the_day_it_was_typed(db: Database, slack: SlackStub) -> None:
    now = NOW
    with serve_app(db, slack, clock=lambda: now) as live:
        view = open_add_form(live, add_button(live, "Initrode: late call"))
        now = NOW + timedelta(days=1)
        done = submit_add(live, view, "Initrode")
        [stored] = checkins(live)
    assert stored.occurred_on == TODAY
    assert "on 14 March: late call" in all_text(done["view"])


@pytest.mark.parametrize("text", ["Initrode", "Initrode: " + "a long note " * 175])
def test_add_without_a_note_to_carry_opens_the_checkin_form_for_the_new_customer(
    live: LiveApp, text: str
) -> None:
    add = add_button(live, text)
    # A note too long for a button is left out whole, never cut.
    assert json.loads(add["value"])["n"] == ""

    done = submit_add(live, open_add_form(live, add), "Initrode")

    added = customer_named(live, "Initrode")
    assert done["response_action"] == "update"
    assert done["view"]["callback_id"] == ids.CHECKIN_VIEW
    assert inputs(done["view"])[ids.CHECKIN_CUSTOMER]["element"]["initial_option"]["value"] == str(added.id)
    assert checkins(live) == []


def form_values(customer_id: int | None, **fields: Any) -> dict[str, dict[str, Any]]:
    values: dict[str, dict[str, Any]] = {
        ids.CHECKIN_CUSTOMER: {
            ids.CHECKIN_CUSTOMER: {
                "type": "external_select",
                "selected_option": {"value": str(customer_id), "text": {"type": "plain_text", "text": "x"}}
                if customer_id
                else None,
            }
        },
        ids.CHECKIN_DATE: {
            ids.CHECKIN_DATE: {"type": "datepicker", "selected_date": fields.get("date", TODAY.isoformat())}
        },
        ids.CHECKIN_NOTE: {
            ids.CHECKIN_NOTE: {"type": "plain_text_input", "value": fields.get("note", "Good call")}
        },
        ids.CHECKIN_SPOKE_WITH: {ids.CHECKIN_SPOKE_WITH: {"type": "plain_text_input", "value": "Jo"}},
        ids.CHECKIN_NEW_REASON: {
            ids.CHECKIN_NEW_REASON: {"type": "plain_text_input", "value": fields.get("new_reason")}
        },
        ids.CHECKIN_NEXT_STEP: {ids.CHECKIN_NEXT_STEP: {"type": "plain_text_input", "value": "Send deck"}},
        ids.CHECKIN_NEXT_STEP_DUE: {
            ids.CHECKIN_NEXT_STEP_DUE: {"type": "datepicker", "selected_date": "2025-03-20"}
        },
        ids.CHECKIN_CHANGES: {
            ids.CHECKIN_CHANGES: {
                "type": "checkboxes",
                "selected_options": [{"value": "reorg"}, {"value": "champion_left"}],
            }
        },
        ids.CHECKIN_EXPECTATION: {
            ids.CHECKIN_EXPECTATION: {"type": "radio_buttons", "selected_option": {"value": "below"}}
        },
    }
    if "verdict" in fields:
        values[ids.CHECKIN_VERDICT] = {
            ids.CHECKIN_VERDICT: {"type": "radio_buttons", "selected_option": {"value": fields["verdict"]}}
        }
    return values


def test_form_mistakes_are_shown_next_to_the_field(live: LiveApp) -> None:
    acme = live.add_customer("Acme")
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    values = form_values(acme.id, verdict="changed", new_reason="", date=tomorrow, note="   ")
    body = reply(live.interact(view_submission(ids.CHECKIN_VIEW, values)))
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {ids.CHECKIN_NEW_REASON, ids.CHECKIN_DATE, ids.CHECKIN_NOTE}
    assert checkins(live) == []


def test_form_submission_is_stored_once(live: LiveApp) -> None:
    acme = live.add_customer("Acme", original_reason="Speed")
    values = form_values(acme.id, verdict="changed", new_reason="Compliance")
    first = reply(live.interact(view_submission(ids.CHECKIN_VIEW, values, view_id="V7", view_hash="7.a")))
    assert first["response_action"] == "update"
    again = reply(
        live.interact(view_submission(ids.CHECKIN_VIEW, values, view_id="V7", view_hash="7.a"), retry_num=1)
    )
    assert again["response_action"] == "update"
    [stored] = checkins(live)
    assert stored.spoke_with == "Jo"
    assert stored.expectation == Expectation.BELOW
    assert stored.changes == [Change.REORG, Change.CHAMPION_LEFT]
    assert stored.next_step == "Send deck"
    after = customer(live, acme.id)
    assert after.current_reason == "Compliance"
    assert after.next_step_due == TODAY + timedelta(days=6)


def test_typeahead_filters_and_puts_the_callers_customers_first(live: LiveApp) -> None:
    live.add_customer("Zeta Acme", owner_user_id="U1")
    live.add_customer("Acme Alpha", owner_user_id="U9")
    live.add_customer("Beta", owner_user_id="U9")
    for n in range(120):
        live.add_customer(f"Acme {n:03d}", owner_user_id="U9")
    options = reply(live.interact(block_suggestion(ids.CHECKIN_CUSTOMER, "acme")))["options"]
    assert len(options) == 100
    names = [o["text"]["text"] for o in options]
    assert names[0] == "Zeta Acme"
    assert names[1] == "Acme 000"
    assert "Beta" not in names
    everyone = reply(live.interact(block_suggestion(ids.CHECKIN_CUSTOMER, "")))["options"]
    assert everyone[0]["text"]["text"] == "Zeta Acme"


def test_typeahead_labels_show_names_as_typed(live: LiveApp) -> None:
    # plain_text is shown literally: an escaped name would read "R&amp;D" in the list.
    live.add_customer("R&D <Labs>", owner_user_id="U1")
    options = reply(live.interact(block_suggestion(ids.CHECKIN_CUSTOMER, "r&d")))["options"]
    assert [o["text"] for o in options] == [{"type": "plain_text", "text": "R&D <Labs>", "emoji": True}]


def test_choosing_a_customer_in_the_form_shows_its_reason(live: LiveApp) -> None:
    acme = live.add_customer("Acme", original_reason="Uptime")
    values = form_values(acme.id)
    view = {"id": "V5", "hash": "5.h", "type": "modal", "private_metadata": "{}", "state": {"values": values}}
    live.interact(
        view_action(
            ids.CHECKIN_CUSTOMER,
            view=view,
            action={"action_id": ids.CHECKIN_CUSTOMER, "type": "external_select"},
        )
    )
    update = live.slack.wait_for("views.update")[0].args
    assert update["view_id"] == "V5"
    assert update["hash"] == "5.h"
    assert "'Uptime'" in all_text(update["view"]["blocks"])


def test_choosing_a_customer_after_changed_keeps_the_new_reason_field_and_the_metadata(live: LiveApp) -> None:
    acme = live.add_customer("Acme", original_reason="Uptime")
    values = form_values(acme.id, verdict="changed", new_reason="Compliance")
    view = {
        "id": "V6",
        "hash": "6.h",
        "type": "modal",
        "private_metadata": '{"digest": 7}',
        "state": {"values": values},
    }
    action = {"action_id": ids.CHECKIN_CUSTOMER, "type": "external_select"}
    live.interact(view_action(ids.CHECKIN_CUSTOMER, view=view, action=action))
    updated = live.slack.wait_for("views.update")[0].args["view"]
    assert ids.CHECKIN_NEW_REASON in inputs(updated)
    assert "'Uptime'" in all_text(updated["blocks"])
    assert updated["private_metadata"] == '{"digest": 7}'


def choose_verdict(live: LiveApp, customer_id: int | None, verdict: str, count: int) -> dict[str, Any]:
    """Choose `verdict` in an open check-in form: the `count`-th `views.update` the app sent."""
    values = form_values(customer_id, verdict=verdict, new_reason="Compliance")
    view = {
        "id": "V5",
        "hash": f"5.{count}",
        "type": "modal",
        "callback_id": ids.CHECKIN_VIEW,
        "private_metadata": '{"digest": 7}',
        "state": {"values": values},
    }
    action = {
        "action_id": ids.CHECKIN_VERDICT,
        "block_id": ids.CHECKIN_VERDICT,
        "type": "radio_buttons",
        "selected_option": {"value": verdict},
    }
    live.interact(view_action(ids.CHECKIN_VERDICT, view=view, action=action))
    update: dict[str, Any] = live.slack.wait_for("views.update", count)[-1].args
    assert (update["view_id"], update["hash"]) == ("V5", f"5.{count}")
    assert update["view"]["private_metadata"] == '{"digest": 7}'
    return dict(update["view"])


def test_the_new_reason_is_asked_for_once_their_reason_changed(live: LiveApp) -> None:
    acme = live.add_customer("Acme & Sons", original_reason="Uptime")

    changed = choose_verdict(live, acme.id, "changed", 1)
    fields = inputs(changed)
    new_reason = [ids.CHECKIN_NEW_REASON, ids.CHECKIN_NEW_REASON_THEME]
    assert list(fields) == [*FORM_INPUTS[:2], *new_reason, *FORM_INPUTS[2:]]
    assert fields[ids.CHECKIN_NEW_REASON]["label"]["text"] == "What is their reason now?"
    assert fields[ids.CHECKIN_NEW_REASON].get("optional", False) is False
    # The customer stays chosen, shown as named, with their reason.
    assert fields[ids.CHECKIN_CUSTOMER]["element"]["initial_option"]["text"]["text"] == "Acme & Sons"
    assert "*Their reason:* 'Uptime'" in all_text(changed["blocks"])

    held = choose_verdict(live, acme.id, "holds", 2)
    assert list(inputs(held)) == FORM_INPUTS


def test_a_verdict_chosen_before_the_customer_keeps_the_form_as_it_is(live: LiveApp) -> None:
    changed = choose_verdict(live, None, "changed", 1)
    assert ids.CHECKIN_NEW_REASON in inputs(changed)
    assert "_Choose the customer to see their reason._" in all_text(changed["blocks"])


def test_log_checkin_button_opens_the_form_for_that_customer(live: LiveApp) -> None:
    acme = live.add_customer("Acme", original_reason="Uptime")
    live.interact(block_action(ids.LOG_CHECKIN_ACTION, str(acme.id)))
    view = live.slack.wait_for("views.open")[0].args["view"]
    assert inputs(view)[ids.CHECKIN_CUSTOMER]["element"]["initial_option"]["value"] == str(acme.id)


def test_full_history_is_paged(live: LiveApp) -> None:
    from storage.checkins import add_checkin

    acme = live.add_customer("Acme")
    with live.services.database.transaction() as session:
        stored = session.get(Customer, acme.id)
        assert stored is not None
        for n in range(45):
            add_checkin(
                CheckIn(
                    team_id="T0001", customer_id=0, occurred_on=TODAY - timedelta(days=n), note=f"note {n}"
                ),
                customer=stored,
                session=session,
                now=utcnow(),
            )
    live.interact(block_action(ids.HISTORY_ACTION, str(acme.id)))
    view = live.slack.wait_for("views.open")[0].args["view"]
    text = all_text(view["blocks"])
    assert "page 1 of 3" in text
    assert "note 0\n" in text + "\n"
    assert "note 20" not in text
    pager = next(b for b in view["blocks"] if b["type"] == "actions")["elements"]
    assert [b["value"] for b in pager] == [f"{acme.id}:1"]
    live.interact(view_action(pager[0]["action_id"], pager[0]["value"]))
    page2 = live.slack.wait_for("views.update")[0].args["view"]
    assert "note 20" in all_text(page2["blocks"])
    assert len(page2["blocks"]) <= 100
