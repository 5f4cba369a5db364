"""`/customer` over HTTP: the card, the caller's list, the add form, unknown names."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from sqlmodel import select

from bot.rules.vocabulary import Expectation, Verdict
from handlers import ids
from storage.models import CheckIn, Customer
from storage.types import utcnow
from tests.live_app import TODAY, LiveApp, all_text, customer_form_values, reply
from tests.slack_requests import block_action, view_submission


def _checkin(live: LiveApp, customer: Customer, days_ago: int, note: str, **fields: Any) -> None:
    from storage.checkins import add_checkin

    with live.services.database.transaction() as session:
        stored = session.get(Customer, customer.id)
        assert stored is not None
        add_checkin(
            CheckIn(
                team_id="T0001",
                customer_id=0,
                occurred_on=TODAY - timedelta(days=days_ago),
                note=note,
                author_user_id="U2",
                **fields,
            ),
            customer=stored,
            session=session,
            now=utcnow(),
        )


def test_card_shows_everything_before_a_call(live: LiveApp) -> None:
    acme = live.add_customer(
        "Acme Corp",
        arr=120000,
        customer_since=date(2022, 1, 10),
        renewal_date=TODAY + timedelta(days=45),
        original_reason="Fast onboarding",
        original_reason_on=date(2022, 1, 10),
    )
    _checkin(live, acme, 40, "old chat")
    _checkin(live, acme, 20, "mid chat", verdict=Verdict.HOLDS)
    _checkin(
        live,
        acme,
        5,
        "Spoke about <!channel> budget",
        spoke_with="Jo (CFO)",
        verdict=Verdict.CHANGED,
        new_reason="Cost savings",
        expectation=Expectation.BELOW,
        next_step="Send pricing",
        next_step_due=TODAY + timedelta(days=3),
    )
    _checkin(live, acme, 60, "oldest chat")

    body = reply(live.command("/customer", "acme corp"))

    assert body["response_type"] == "ephemeral"
    blocks = body["blocks"]
    assert blocks[0] == {"type": "header", "text": {"type": "plain_text", "text": "Acme Corp", "emoji": True}}
    text = all_text(blocks)
    for expected in (
        "<@U1>",
        "$120,000",
        "10 January 2022",
        "in 45 days",
        "'Fast onboarding'",
        "'Cost savings'",
        "Changed (9 March, by <@U2>)",
        "Jo (CFO)",
        "Below expectations",
        "Send pricing",
        "At risk",
        "reason for choosing us changed",
    ):
        assert expected in text, expected
    assert "&lt;!channel&gt;" in text
    assert "<!channel>" not in text
    # The three latest check-ins, newest first; the oldest is not on the card.
    assert text.index("mid chat") > text.index("Spoke about")
    assert "oldest chat" not in text
    actions = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert {(e["action_id"], e["value"]) for e in actions} == {
        (ids.LOG_CHECKIN_ACTION, str(acme.id)),
        (ids.HISTORY_ACTION, str(acme.id)),
    }
    assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in blocks)


def test_unknown_name_offers_close_matches_and_add(live: LiveApp) -> None:
    live.add_customer("Acme Corp")
    live.add_customer("Acme Labs")
    live.add_customer("Globex")

    body = reply(live.command("/customer", "Acme Crop"))

    buttons = [e for b in body["blocks"] if b["type"] == "actions" for e in b["elements"]]
    labels = [b["text"]["text"] for b in buttons]
    assert labels[:2] == ["Acme Corp", "Acme Labs"]
    assert labels[-1] == "Add Acme Crop"
    assert buttons[-1]["action_id"] == ids.ADD_CUSTOMER_ACTION
    assert "Globex" not in labels


def test_list_is_the_callers_customers_most_urgent_first(live: LiveApp) -> None:
    live.add_customer("Quiet", last_checkin_on=TODAY - timedelta(days=2), customer_since=date(2020, 1, 1))
    live.add_customer(
        "Renewing",
        renewal_date=TODAY + timedelta(days=30),
        last_checkin_on=TODAY - timedelta(days=3),
        original_reason="Speed",
    )
    live.add_customer("Stale", last_checkin_on=TODAY - timedelta(days=90))
    live.add_customer("Someone else's", owner_user_id="U9")

    text = all_text(reply(live.command("/customer", ""))["blocks"])

    assert text.index("Renewing") < text.index("Stale") < text.index("Quiet")
    assert "Someone else" not in text
    assert "90 days since the last check-in" in text
    assert "Never asked" in text


def test_add_opens_the_form_and_refuses_a_taken_name(live: LiveApp) -> None:
    live.add_customer("Initech")
    assert reply(live.command("/customer", "add Initrode")) == {}
    view = live.slack.wait_for("views.open")[0].args["view"]
    assert view["callback_id"] == ids.CUSTOMER_VIEW
    elements = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert elements[ids.CUSTOMER_NAME]["initial_value"] == "Initrode"
    assert elements[ids.CUSTOMER_OWNER]["initial_user"] == "U1"

    def values(name: str, arr: str) -> dict[str, dict[str, Any]]:
        return customer_form_values(name, reason="Reliability", arr=arr)

    taken = reply(live.interact(view_submission(ids.CUSTOMER_VIEW, values("INITECH", "10k"))))
    assert taken["response_action"] == "errors"
    assert "already exists" in taken["errors"][ids.CUSTOMER_NAME]
    bad_arr = reply(live.interact(view_submission(ids.CUSTOMER_VIEW, values("Initrode", "lots"))))
    assert set(bad_arr["errors"]) == {ids.CUSTOMER_ARR}

    done = reply(live.interact(view_submission(ids.CUSTOMER_VIEW, values("Initrode", "$120k"), view_id="V9")))
    assert done["response_action"] == "update"
    # Slack retries the same submission: answered the same way, nothing refused, nothing doubled.
    again = reply(
        live.interact(view_submission(ids.CUSTOMER_VIEW, values("Initrode", "$120k"), view_id="V9"))
    )
    assert again["response_action"] == "update"
    with live.services.database.session() as session:
        added = session.exec(select(Customer).where(Customer.name == "Initrode")).all()
    assert len(added) == 1
    assert added[0].arr == 120000
    assert added[0].original_reason == "Reliability"
    assert added[0].original_reason_on == TODAY
    assert added[0].owner_user_id == "U1"


def test_add_refuses_an_owner_outside_the_account_team(live: LiveApp) -> None:
    live.slack.add_user("UGUEST", is_restricted=True)
    values = customer_form_values("Initrode", owner="UGUEST")
    refused = reply(live.interact(view_submission(ids.CUSTOMER_VIEW, values)))
    assert refused["response_action"] == "errors"
    assert "cannot own customers" in refused["errors"][ids.CUSTOMER_OWNER]
    with live.services.database.session() as session:
        assert session.exec(select(Customer).where(Customer.name == "Initrode")).all() == []


def test_add_button_for_an_unknown_name_adds_the_customer_and_logs_nothing(live: LiveApp) -> None:
    body = reply(live.command("/customer", "Initrode"))
    [add] = [e for b in body["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert (add["action_id"], add["value"]) == (ids.ADD_CUSTOMER_ACTION, "Initrode")

    live.interact(block_action(add["action_id"], add["value"], response_url=live.slack.response_url("add")))
    view = live.slack.wait_for("views.open")[0].args["view"]
    assert view["callback_id"] == ids.CUSTOMER_VIEW
    assert view["private_metadata"] == "{}"
    done = reply(
        live.interact(
            view_submission(
                ids.CUSTOMER_VIEW, customer_form_values("Initrode"), private_metadata=view["private_metadata"]
            )
        )
    )

    assert done["response_action"] == "update"
    assert done["view"]["title"]["text"] == "Customer added"
    assert "Added *Initrode*. Log a conversation with `/checkin Initrode: …`" in all_text(done["view"])
    with live.services.database.session() as session:
        assert [c.name for c in session.exec(select(Customer)).all()] == ["Initrode"]
        assert session.exec(select(CheckIn)).all() == []


def test_card_notification_text_mentions_nobody(live: LiveApp) -> None:
    corp = live.add_customer("<!channel> Corp")

    body = reply(live.command("/customer", "<!channel> Corp"))

    assert body["text"] == "&lt;!channel&gt; Corp"
    assert "<!channel>" not in json.dumps(body)
    # The same card from a close-match button.
    live.interact(
        block_action(
            ids.numbered(ids.PICK_FOR_CARD_ACTION, 0), str(corp.id), response_url=live.slack.response_url("c")
        )
    )
    shown = live.slack.wait_for("response_url")[0].args
    assert shown["text"] == "&lt;!channel&gt; Corp"
    assert "<!channel>" not in json.dumps(shown)


def test_a_search_longer_than_any_name_gets_a_friendly_answer(live: LiveApp) -> None:
    live.add_customer("Acme")

    body = reply(live.command("/customer", "Acme " + "x" * 50_000))

    assert body == {
        "response_type": "ephemeral",
        "text": "That's longer than any customer name (at most 200 characters), so I looked nothing up. "
        "Nothing was saved.",
    }


def test_a_look_alike_name_shows_the_card_it_reads_as(live: LiveApp) -> None:
    live.add_customer("Acme Corp")

    body = reply(live.command("/customer", "Аcmе Соrp"))  # Cyrillic А, е, С, о

    assert body["blocks"][0]["text"]["text"] == "Acme Corp"


def test_add_refuses_a_name_that_reads_as_a_taken_one(live: LiveApp) -> None:
    live.add_customer("Acme")

    taken = reply(
        live.interact(view_submission(ids.CUSTOMER_VIEW, customer_form_values("Ａcmе", reason="Price")))
    )

    assert taken["response_action"] == "errors"
    assert "already exists" in taken["errors"][ids.CUSTOMER_NAME]
    with live.services.database.session() as session:
        assert [c.name for c in session.exec(select(Customer)).all()] == ["Acme"]
