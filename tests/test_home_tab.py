"""The Home tab: what `views.publish` carries for each person (asks first, the book, figures, the
schedule), the Slack limits, the refusal, the digest's buttons working from here, and the settings."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlmodel import select

from bot.rules.digest import plan_owner
from bot.rules.vocabulary import Verdict
from handlers import ids
from handlers.views.digest import answer_value
from handlers.views.home import MAX_HOME_BLOCKS
from storage.models import CheckIn, Customer, Owner
from tests.live_app import TODAY, LiveApp, all_text, reply
from tests.slack_requests import TEAM_ID, app_home_opened, home_action, view_submission


def open_home(live: LiveApp, user_id: str = "U1", *, view: dict[str, Any] | None = None) -> dict[str, Any]:
    """Open `user_id`'s Home tab; the view the app published (as the stand-in holds it)."""
    before = len(live.slack.calls_to("views.publish"))
    response = live.event(app_home_opened(user_id=user_id, view=view))
    assert response.status_code == 200, response.text
    call = live.slack.wait_for("views.publish", before + 1)[-1]
    assert call.args["user_id"] == user_id
    return live.slack.homes[user_id]


def entry_ids(home: dict[str, Any]) -> list[int]:
    """The customers with the digest's entry (one-tap answers) on the Home view, in order."""
    return [
        int(block["block_id"].rsplit(":", 1)[1])
        for block in home["blocks"]
        if str(block.get("block_id", "")).startswith(ids.DIGEST_ACTIONS_BLOCK)
    ]


def due_book(live: LiveApp) -> dict[str, Customer]:
    """U1's book: two due (a big one whose reason weakened, a small one with a renewal), one fine."""
    old = TODAY - timedelta(days=60)
    return {
        "Big": live.add_customer(
            "Big & Co",
            arr=500_000,
            original_reason="Uptime",
            last_checkin_on=TODAY - timedelta(days=30),
            last_verdict=Verdict.WEAKENED,
            last_verdict_on=TODAY - timedelta(days=30),
            concern_on=TODAY - timedelta(days=30),
        ),
        "Small": live.add_customer(
            "Small <!channel>",
            arr=12_000,
            original_reason="Price",
            renewal_date=TODAY + timedelta(days=40),
            last_checkin_on=TODAY - timedelta(days=5),
        ),
        "Fine": live.add_customer(
            "Fine Ltd",
            arr=30_000,
            original_reason="Support",
            last_checkin_on=TODAY - timedelta(days=2),
            reason_confirmed_on=TODAY - timedelta(days=2),
            last_verdict=Verdict.HOLDS,
            last_verdict_on=TODAY - timedelta(days=2),
            customer_since=old,
        ),
    }


def test_the_home_tab_shows_todays_asks_as_the_digest_orders_them_then_the_book(live: LiveApp) -> None:
    book = due_book(live)
    home = open_home(live)

    assert home["type"] == "home"
    big = book["Big"].id
    assert big is not None
    with live.services.database.session() as session:
        mine = session.exec(select(Customer)).all()
    plan = plan_owner(
        mine,
        team_id=TEAM_ID,
        owner_user_id="U1",
        today=TODAY,
        policy=live.services.settings.policy(),
        key_ids={big},  # the top 20% by ARR
        cap=10,
    )
    assert plan is not None
    assert entry_ids(home) == plan.customer_ids == [book["Big"].id, book["Small"].id]
    text = all_text(home["blocks"])
    assert "Today's asks" in text
    assert "Small &lt;!channel&gt;" in text
    assert "<!channel>" not in text
    assert "Why now:" in text
    assert "Ask:" in text
    assert "3* customers" in text
    assert "contacted within cadence" in text
    assert "Key accounts" in text
    assert "Your digest comes at 09:00 on weekdays" in text
    buttons = [e for b in home["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert any(e.get("action_id") == ids.HOME_SETTINGS_ACTION for e in buttons)
    answers = {
        e["text"]["text"] for e in buttons if e.get("action_id", "").startswith(ids.DIGEST_ANSWER_ACTION)
    }
    assert answers == {"Still holds", "Weakened", "Changed"}


def test_an_owner_with_nothing_due_is_told_so(live: LiveApp) -> None:
    live.add_customer(
        "Fine Ltd", arr=30_000, last_checkin_on=TODAY, customer_since=TODAY - timedelta(days=90)
    )
    text = all_text(open_home(live)["blocks"])
    assert "Nobody needs you today" in text
    assert entry_ids(open_home(live)) == []


def test_someone_with_no_customers_gets_a_first_step(live: LiveApp) -> None:
    text = all_text(open_home(live)["blocks"])
    assert "You own no customers yet" in text


def test_a_book_of_2000_stays_within_slacks_limits(live: LiveApp) -> None:
    with live.services.database.transaction() as session:
        for n in range(2000):
            session.add(
                Customer(
                    team_id=TEAM_ID,
                    name=f"Customer {n:04d}",
                    name_key=f"customer {n:04d}",
                    owner_user_id="U1",
                    arr=1000 + n,
                    renewal_date=TODAY + timedelta(days=30 + n % 60),
                    last_changes=[],
                )
            )
    home = open_home(live)
    assert len(home["blocks"]) <= MAX_HOME_BLOCKS
    assert len(json.dumps(home)) < 250_000
    assert len(entry_ids(home)) == 10
    assert "more — `/customer` lists them all" in all_text(home["blocks"])

    # "See all my customers": the whole book in a paged modal, 40 lines a page.
    see_all = {"type": "button", "action_id": ids.numbered(ids.HOME_BOOK_ACTION, "open"), "value": "0"}
    live.interact(home_action(see_all, home=home))
    first = live.slack.wait_for("views.open")[0].args["view"]
    assert "2000 customers, highest priority first · page 1 of 50" in all_text(first["blocks"])
    cards = [
        b for b in first["blocks"] if (b.get("accessory") or {}).get("action_id") == ids.HOME_CARD_ACTION
    ]
    assert len(cards) == 40
    assert len(first["blocks"]) <= MAX_HOME_BLOCKS
    (turn,) = [e for b in first["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert turn["text"]["text"] == "Next page"
    modal = {**first, "id": "VBOOK", "hash": "1.book"}
    live.interact(home_action({"type": "button", **turn}, home=modal))
    second = live.slack.wait_for("views.update")[0].args
    assert (second["view_id"], second["hash"]) == ("VBOOK", "1.book")
    assert "page 2 of 50" in all_text(second["view"]["blocks"])


def test_a_paused_owner_sees_when_digests_start_again(live: LiveApp) -> None:
    with live.services.database.transaction() as session:
        session.add(Owner(team_id=TEAM_ID, user_id="U1", paused_until=TODAY + timedelta(days=10)))
    live.add_customer("Acme", arr=1000)
    text = all_text(open_home(live)["blocks"])
    assert "paused; they start again on 24 March" in text


def test_an_away_status_is_shown(live: LiveApp) -> None:
    live.slack.users["U1"]["profile"].update(status_emoji=":palm_tree:", status_text="")
    live.add_customer("Acme", arr=1000)
    text = all_text(open_home(live)["blocks"])
    assert "status says you are away, so no digest today" in text


def test_someone_outside_the_team_sees_the_refusal_and_no_customer(live: LiveApp) -> None:
    live.slack.add_user("UGUEST", is_restricted=True)
    live.add_customer("Secret Corp", owner_user_id="UGUEST")
    home = open_home(live, "UGUEST")
    text = all_text(home["blocks"])
    assert "only available to the account team" in text
    assert "Secret" not in text


def test_still_holds_from_home_stores_once_and_republishes_without_the_ask(live: LiveApp) -> None:
    book = due_book(live)
    home = open_home(live)
    big = book["Big"].id
    assert big is not None
    action = {
        "type": "button",
        "action_id": ids.numbered(ids.DIGEST_ANSWER_ACTION, Verdict.HOLDS.value),
        "block_id": f"{ids.DIGEST_ACTIONS_BLOCK}:{big}",
        "value": answer_value(Verdict.HOLDS, big),
    }
    live.interact(home_action(action, home=home))
    live.interact(home_action(action, home=home))  # a double tap on the same view
    live.slack.wait_for("views.publish", 3)
    with live.services.database.session() as session:
        stored = session.exec(select(CheckIn).where(CheckIn.customer_id == big)).all()
    assert [(c.verdict, c.occurred_on, c.author_user_id) for c in stored] == [(Verdict.HOLDS, TODAY, "U1")]
    assert big not in entry_ids(live.slack.homes["U1"])
    assert live.slack.calls_to("chat.update") == []  # nothing to fold: it came from Home


def test_a_colleagues_checkin_refreshes_the_owners_home(live: LiveApp) -> None:
    live.slack.add_user("U2")
    acme = live.add_customer("Acme", arr=1000, owner_user_id="U1")
    response = live.command("/checkin", "Acme: talked pricing #holds", user_id="U2")
    assert "Acme" in all_text(reply(response))
    live.slack.wait_for("views.publish", 2)
    published = {call.args["user_id"] for call in live.slack.calls_to("views.publish")}
    assert published == {"U1", "U2"}
    assert acme.id not in entry_ids(live.slack.homes["U1"])


def test_settings_round_trip_changes_the_schedule_shown(live: LiveApp) -> None:
    live.add_customer("Acme", arr=1000)
    home = open_home(live)
    live.interact(
        home_action({"type": "button", "action_id": ids.HOME_SETTINGS_ACTION, "value": "s"}, home=home)
    )
    modal = live.slack.wait_for("views.open")[0].args["view"]
    assert modal["callback_id"] == ids.HOME_SETTINGS_VIEW
    values: dict[str, dict[str, Any]] = {
        ids.HOME_PAUSE: {ids.HOME_PAUSE: {"type": "datepicker", "selected_date": None}},
        ids.HOME_HOUR: {ids.HOME_HOUR: {"type": "static_select", "selected_option": {"value": "7"}}},
        ids.HOME_DAYS: {
            ids.HOME_DAYS: {"type": "checkboxes", "selected_options": [{"value": "0"}, {"value": "2"}]}
        },
    }
    assert reply(live.interact(view_submission(ids.HOME_SETTINGS_VIEW, values))) == {}
    live.slack.wait_for("views.publish", 2)
    with live.services.database.session() as session:
        owner = session.exec(select(Owner).where(Owner.user_id == "U1")).one()
    assert (owner.digest_hour, owner.digest_weekdays, owner.paused_until) == (7, "mon,wed", None)
    assert "at 07:00 on Monday and Wednesday" in all_text(live.slack.homes["U1"]["blocks"])


def test_settings_mistakes_are_shown_on_the_form(live: LiveApp) -> None:
    values: dict[str, dict[str, Any]] = {
        ids.HOME_PAUSE: {ids.HOME_PAUSE: {"type": "datepicker", "selected_date": "2020-01-01"}},
        ids.HOME_HOUR: {ids.HOME_HOUR: {"type": "static_select", "selected_option": {"value": "9"}}},
        ids.HOME_DAYS: {ids.HOME_DAYS: {"type": "checkboxes", "selected_options": []}},
    }
    answer = reply(live.interact(view_submission(ids.HOME_SETTINGS_VIEW, values)))
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {ids.HOME_PAUSE, ids.HOME_DAYS}


def test_a_stale_home_hash_loses_to_the_newer_view(live: LiveApp) -> None:
    live.add_customer("Acme", arr=1000)
    open_home(live)
    held = live.slack.homes["U1"]
    live.event(app_home_opened(view={"id": held["id"], "hash": "0.stale"}))
    conflicted = live.slack.wait_for("views.publish", 2)[-1]
    assert conflicted.args["hash"] == "0.stale"
    assert live.slack.homes["U1"]["hash"] == held["hash"]  # the newer view stands; no error


def test_a_card_opens_from_a_book_line(live: LiveApp) -> None:
    book = due_book(live)
    home = open_home(live)
    big = book["Big"].id
    live.interact(
        home_action({"type": "button", "action_id": ids.HOME_CARD_ACTION, "value": str(big)}, home=home)
    )
    modal = live.slack.wait_for("views.open")[0].args["view"]
    assert modal["type"] == "modal"
    assert "Big & Co" in all_text(modal["blocks"])  # the card's header (plain text, shown as typed)


def test_log_checkin_from_home_opens_the_form_rather_than_pushing_onto_no_modal(live: LiveApp) -> None:
    book = due_book(live)
    home = open_home(live)
    big = book["Big"].id
    action = {
        "type": "button",
        "action_id": ids.LOG_CHECKIN_ACTION,
        "block_id": f"{ids.DIGEST_ACTIONS_BLOCK}:{big}",
        "value": str(big),
    }
    live.interact(home_action(action, home=home))
    form = live.slack.wait_for("views.open")[0].args["view"]
    assert form["callback_id"] == ids.CHECKIN_VIEW
    assert live.slack.calls_to("views.push") == []  # Slack refuses a push with no modal open
