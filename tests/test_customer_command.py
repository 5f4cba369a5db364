"""`/customer` over HTTP: the card, the caller's list, the add form, unknown names."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlmodel import select

from bot.rules.forms import REASON_REQUIRED
from bot.rules.vocabulary import Expectation, Verdict
from handlers import ids
from storage.models import CheckIn, Customer
from storage.types import utcnow
from tests.add_form_state import add_form_values
from tests.live_app import TODAY, LiveApp, all_text, reply
from tests.markup import marked_up, plain_texts
from tests.slack_requests import block_action, view_action, view_submission


def _checkin(
    live: LiveApp, customer: Customer, days_ago: int, note: str, by: str = "U2", **fields: Any
) -> None:
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
                author_user_id=by,
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
        "*Why they chose us* (customer since 10 January 2022): 'Fast onboarding'",
        "*Their reason now* (changed 9 March, by <@U2>): 'Cost savings'",
        "in 45 days",
        "Jo (CFO)",
        "below expectations",
        "*Next step:* Send pricing (due 17 March)",
        "At risk",
        "reason for choosing us changed",
    ):
        assert expected in text, expected
    assert "&lt;!channel&gt;" in text
    assert "<!channel>" not in text
    # The latest check-in once, then the two before it, newest first; the oldest is not on the card.
    assert text.count("Spoke about") == 1
    assert text.index("Spoke about") < text.index("*Earlier check-ins*") < text.index("mid chat")
    assert text.index("mid chat") < text.index("old chat")
    assert "oldest chat" not in text
    # The changed reason is not told again in the latest check-in's line.
    assert "reason changed" not in text
    assert "Expectations:" not in text
    actions = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert [(e["action_id"], e["value"]) for e in actions] == [
        (ids.LOG_CHECKIN_ACTION, str(acme.id)),
        (ids.HISTORY_ACTION, str(acme.id)),
        (ids.EDIT_CUSTOMER_ACTION, str(acme.id)),
        (ids.numbered(ids.MARK_INACTIVE_ACTION, "lost"), f"lost:{acme.id}"),
        (ids.numbered(ids.MARK_INACTIVE_ACTION, "inactive"), f"inactive:{acme.id}"),
    ]
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
    assert "*Stale* · last check-in 90 days ago · reason not recorded" in text
    assert "*Renewing* · last check-in 3 days ago · reason never asked" in text


def test_list_says_you_and_today_and_each_name_opens_its_card(live: LiveApp) -> None:
    acme = live.add_customer("Acme & Sons", original_reason="Speed")
    _checkin(live, acme, 0, "Call today", by="U1", verdict=Verdict.HOLDS)
    globex = live.add_customer("Globex", original_reason="Docs", last_checkin_on=TODAY - timedelta(days=40))

    body = reply(live.command("/customer", ""))

    rows = [b for b in body["blocks"] if "accessory" in b]
    assert [b["text"]["text"] for b in rows] == [
        "🔔 *Globex* · last check-in 40 days ago · reason never asked",
        "*Acme &amp; Sons* · last check-in today · reason holds (14 March, by you)",
    ]
    buttons = [b["accessory"] for b in rows]
    assert [(e["action_id"], e["value"], e["text"]["text"]) for e in buttons] == [
        (ids.numbered(ids.PICK_FOR_CARD_ACTION, 0), str(globex.id), "View card"),
        (ids.numbered(ids.PICK_FOR_CARD_ACTION, 1), str(acme.id), "View card"),
    ]
    live.interact(
        block_action(
            buttons[1]["action_id"], buttons[1]["value"], response_url=live.slack.response_url("list")
        )
    )
    [shown] = live.slack.wait_for("response_url")
    assert shown.args["replace_original"] is True
    assert shown.args["blocks"][0]["text"] == {"type": "plain_text", "text": "Acme & Sons", "emoji": True}
    assert "*Does it still hold?* Holds (14 March, by <@U1>)" in all_text(shown.args["blocks"])


def test_a_long_list_shows_what_fits_and_counts_the_rest(live: LiveApp) -> None:
    for n in range(60):
        live.add_customer(f"Customer {n:02d}", last_checkin_on=TODAY - timedelta(days=n))

    blocks = reply(live.command("/customer", ""))["blocks"]

    assert len(blocks) == 50
    assert len({b["accessory"]["action_id"] for b in blocks if "accessory" in b}) == 48
    assert blocks[-1]["elements"][0]["text"] == "…and 12 more. Look one up with `/customer <name>`."


def test_add_opens_the_form_and_refuses_a_taken_name(live: LiveApp) -> None:
    live.add_customer("Initech")
    assert reply(live.command("/customer", "add Initrode")) == {}
    view = live.slack.wait_for("views.open")[0].args["view"]
    assert view["callback_id"] == ids.CUSTOMER_VIEW
    elements = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert elements[ids.CUSTOMER_NAME]["initial_value"] == "Initrode"
    assert elements[ids.CUSTOMER_OWNER]["initial_user"] == "U1"
    reason, _, unknown = (next(b for b in view["blocks"] if b.get("block_id") == i) for i in REASON_INPUTS)
    assert (reason["label"]["text"], reason["optional"]) == ("Why did they choose us?", False)
    assert unknown["dispatch_action"] is True
    assert [o["text"]["text"] for o in unknown["element"]["options"]] == [
        "Not known yet: remind me to find out"
    ]

    def values(name: str, arr: str) -> dict[str, dict[str, Any]]:
        return add_form_values(name, reason="Reliability", arr=arr)

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


REASON_INPUTS = (ids.CUSTOMER_REASON, ids.CUSTOMER_REASON_THEME, ids.CUSTOMER_REASON_UNKNOWN)


def tick_not_known(live: LiveApp, ticked: bool, count: int) -> list[str]:
    """Tick (or untick) "Not known yet" in an open add form: the input blocks of the form sent back."""
    options = [{"value": "unknown"}] if ticked else []
    values = {ids.CUSTOMER_REASON_UNKNOWN: {ids.CUSTOMER_REASON_UNKNOWN: {"selected_options": options}}}
    view = {
        "id": "V3",
        "hash": f"3.{count}",
        "type": "modal",
        "callback_id": ids.CUSTOMER_VIEW,
        "private_metadata": '{"checkin": {"a": "Initrode"}}',
        "state": {"values": values},
    }
    action = {"action_id": ids.CUSTOMER_REASON_UNKNOWN, "type": "checkboxes", "selected_options": options}
    live.interact(view_action(ids.CUSTOMER_REASON_UNKNOWN, view=view, action=action))
    update = live.slack.wait_for("views.update", count)[-1].args
    assert (update["view_id"], update["hash"]) == ("V3", f"3.{count}")
    assert update["view"]["private_metadata"] == view["private_metadata"]
    return [b["block_id"] for b in update["view"]["blocks"] if b["type"] == "input"]


def test_not_known_yet_takes_the_reason_away_until_it_is_unticked(live: LiveApp) -> None:
    everything = [ids.CUSTOMER_NAME, ids.CUSTOMER_OWNER, *REASON_INPUTS]
    everything += [ids.CUSTOMER_SINCE, ids.CUSTOMER_RENEWAL, ids.CUSTOMER_ARR]
    gone = (ids.CUSTOMER_REASON, ids.CUSTOMER_REASON_THEME)
    assert tick_not_known(live, True, 1) == [b for b in everything if b not in gone]
    assert tick_not_known(live, False, 2) == everything


def test_the_reason_is_required_unless_not_known_yet(live: LiveApp) -> None:
    def submit(values: dict[str, Any]) -> dict[str, Any]:
        return reply(live.interact(view_submission(ids.CUSTOMER_VIEW, values)))

    empty = add_form_values("Initrode", reason="  ")
    assert submit(empty) == {"response_action": "errors", "errors": {ids.CUSTOMER_REASON: REASON_REQUIRED}}
    assert submit(add_form_values("Initrode"))["response_action"] == "update"
    # A reason typed and the box ticked (only a forged form can hold both): what was typed is kept.
    ticked = add_form_values("Globex")[ids.CUSTOMER_REASON_UNKNOWN]
    both = {**add_form_values("Globex", reason="Docs"), ids.CUSTOMER_REASON_UNKNOWN: ticked}
    assert submit(both)["response_action"] == "update"
    with live.services.database.session() as session:
        added = {c.name: c for c in session.exec(select(Customer)).all()}
    assert (added["Initrode"].original_reason, added["Initrode"].original_reason_on) == (None, None)
    assert (added["Globex"].original_reason, added["Globex"].original_reason_on) == ("Docs", TODAY)


def test_add_refuses_an_owner_outside_the_account_team(live: LiveApp) -> None:
    live.slack.add_user("UGUEST", is_restricted=True)
    values = add_form_values("Initrode", owner="UGUEST")
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
                ids.CUSTOMER_VIEW, add_form_values("Initrode"), private_metadata=view["private_metadata"]
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
    assert "<!channel>" not in marked_up(body)
    # The header is plain_text, which Slack shows as typed and never parses: not escaped.
    assert body["blocks"][0]["text"]["text"] == "<!channel> Corp"
    # The same card from a close-match button.
    live.interact(
        block_action(
            ids.numbered(ids.PICK_FOR_CARD_ACTION, 0), str(corp.id), response_url=live.slack.response_url("c")
        )
    )
    shown = live.slack.wait_for("response_url")[0].args
    assert shown["text"] == "&lt;!channel&gt; Corp"
    assert "<!channel>" not in marked_up(shown)


def test_names_in_plain_text_are_shown_as_typed(live: LiveApp) -> None:
    live.add_customer("Acme & Sons")
    live.add_customer("Acme & Daughters")

    body = reply(live.command("/customer", "Acme &"))

    assert set(plain_texts(body["blocks"])[:2]) == {"Acme & Daughters", "Acme & Sons"}
    assert "I couldn't find exactly 'Acme &amp;'" in all_text(body["blocks"])


def test_a_one_letter_typo_suggests_the_longer_name(live: LiveApp) -> None:
    acme = live.add_customer("Acme GmbH")
    live.add_customer("Globex")

    for typed in ("Acmee", "acm gmbh", "Xcme GmbH", "Acme GmbHh", "Amce Gmbh"):
        body = reply(live.command("/customer", typed))
        buttons = [e for b in body["blocks"] if b["type"] == "actions" for e in b["elements"]]
        assert [(e["text"]["text"], e["value"]) for e in buttons[:-1]] == [("Acme GmbH", str(acme.id))], typed


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

    taken = reply(live.interact(view_submission(ids.CUSTOMER_VIEW, add_form_values("Ａcmе", reason="Price"))))

    assert taken["response_action"] == "errors"
    assert "already exists" in taken["errors"][ids.CUSTOMER_NAME]
    with live.services.database.session() as session:
        assert [c.name for c in session.exec(select(Customer)).all()] == ["Acme"]
