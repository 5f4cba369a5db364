"""A reason's theme in Slack: the add-customer, check-in, new-reason and edit forms offer the configured
themes (with "Not set"), what is submitted is stored with its reason, and the card shows it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import select

from bot.rules.vocabulary import Verdict
from handlers import ids
from storage.db import Database
from storage.models import CheckIn, Customer, CustomerChange
from tests.add_form_state import add_form_values
from tests.live_app import LiveApp, all_text, reply, serve_app
from tests.slack_requests import block_action, view_submission
from tests.slack_stub import SlackStub
from tests.test_checkin_command import choose_verdict, form_values, inputs
from tests.test_customer_edit import edit_values, opened_form, press, submit

DEFAULT_OPTIONS = [
    ("-", "Not set"),
    ("price", "Price"),
    ("product_fit", "Product fit"),
    ("ease_of_use", "Ease of use"),
    ("speed_of_delivery", "Speed of delivery"),
    ("service_and_support", "Service and support"),
    ("integration", "Integration"),
    ("compliance_and_security", "Compliance and security"),
    ("relationship", "Relationship"),
    ("other", "Other"),
]


@pytest.fixture
def custom(db: Database, slack: SlackStub) -> Iterator[LiveApp]:
    """The app with its own list: a reworded label kept under its old key, and one new theme."""
    with serve_app(db, slack, reason_themes="price=Cost <b>& co</b>,data residency") as running:
        yield running


def options(block: dict[str, Any]) -> list[tuple[str, str]]:
    return [(option["value"], option["text"]["text"]) for option in block["element"]["options"]]


def chosen(key: str | None) -> dict[str, Any]:
    """A theme select's state as Slack submits it (`key` None: nothing chosen)."""
    option = {"value": key, "text": {"type": "plain_text", "text": key}} if key else None
    return {"type": "static_select", "selected_option": option}


def with_theme(values: dict[str, Any], block_id: str, key: str | None) -> dict[str, Any]:
    return {**values, block_id: {block_id: chosen(key)}}


def stored(live: LiveApp, name: str) -> Customer:
    with live.services.database.session() as session:
        return session.exec(select(Customer).where(Customer.name == name)).one()


def only_checkin(live: LiveApp) -> CheckIn:
    with live.services.database.session() as session:
        return session.exec(select(CheckIn)).one()


def card_text(live: LiveApp, name: str) -> str:
    return all_text(reply(live.command("/customer", name))["blocks"])


def test_the_add_form_offers_the_themes_and_stores_the_one_chosen(live: LiveApp) -> None:
    live.command("/customer", "add Initrode")
    view = live.slack.wait_for("views.open")[0].args["view"]
    theme = inputs(view)[ids.CUSTOMER_REASON_THEME]
    assert (theme["label"]["text"], theme["optional"], theme["element"]["type"]) == (
        "Theme of this reason",
        True,
        "static_select",
    )
    assert options(theme) == DEFAULT_OPTIONS
    assert "initial_option" not in theme["element"]

    values = with_theme(add_form_values("Initrode", reason="Cheapest"), ids.CUSTOMER_REASON_THEME, "price")
    assert reply(live.interact(view_submission(ids.CUSTOMER_VIEW, values)))["response_action"] == "update"
    added = stored(live, "Initrode")
    assert (added.original_reason, added.original_reason_theme, added.current_reason_theme) == (
        "Cheapest",
        "price",
        None,
    )
    assert "*Why they chose us* (recorded on 14 March): 'Cheapest' · theme: Price" in card_text(
        live, "Initrode"
    )


def test_not_set_and_a_theme_without_a_reason_store_no_theme(live: LiveApp) -> None:
    values = with_theme(add_form_values("Globex", reason="Docs"), ids.CUSTOMER_REASON_THEME, "-")
    live.interact(view_submission(ids.CUSTOMER_VIEW, values))
    unknown = with_theme(add_form_values("Initech"), ids.CUSTOMER_REASON_THEME, "price")  # a forged form
    live.interact(view_submission(ids.CUSTOMER_VIEW, unknown))
    assert (stored(live, "Globex").original_reason_theme, stored(live, "Initech").original_reason_theme) == (
        None,
        None,
    )
    assert "'Docs' · theme not set" in card_text(live, "Globex")


def test_a_theme_not_on_the_list_is_refused_next_to_the_select(live: LiveApp) -> None:
    values = with_theme(add_form_values("Initrode", reason="Cheapest"), ids.CUSTOMER_REASON_THEME, "cheap")
    answer = reply(live.interact(view_submission(ids.CUSTOMER_VIEW, values)))
    assert answer == {
        "response_action": "errors",
        "errors": {ids.CUSTOMER_REASON_THEME: "Choose one of the listed themes, or “Not set”."},
    }


def test_the_check_in_form_asks_for_the_new_reasons_theme_once_it_changed(live: LiveApp) -> None:
    acme = live.add_customer("Acme", original_reason="Uptime", original_reason_theme="product_fit")
    changed = inputs(choose_verdict(live, acme.id, "changed", 1))
    assert options(changed[ids.CHECKIN_NEW_REASON_THEME]) == DEFAULT_OPTIONS
    assert ids.CHECKIN_NEW_REASON_THEME not in inputs(choose_verdict(live, acme.id, "holds", 2))

    values = form_values(acme.id, verdict="changed", new_reason="Works with SAP")
    values = with_theme(values, ids.CHECKIN_NEW_REASON_THEME, "integration")
    assert reply(live.interact(view_submission(ids.CHECKIN_VIEW, values)))["response_action"] == "update"
    checkin = only_checkin(live)
    assert (checkin.new_reason, checkin.new_reason_theme) == ("Works with SAP", "integration")
    after = stored(live, "Acme")
    assert (after.current_reason, after.current_reason_theme) == ("Works with SAP", "integration")
    assert after.original_reason_theme == "product_fit"
    text = card_text(live, "Acme")
    assert "'Uptime' · theme: Product fit" in text
    assert "'Works with SAP' · theme: Integration" in text


def test_a_theme_chosen_without_a_changed_reason_is_not_stored(live: LiveApp) -> None:
    acme = live.add_customer("Acme", original_reason="Uptime")
    values = with_theme(form_values(acme.id, verdict="holds"), ids.CHECKIN_NEW_REASON_THEME, "price")
    live.interact(view_submission(ids.CHECKIN_VIEW, values))
    assert only_checkin(live).new_reason_theme is None
    assert stored(live, "Acme").current_reason_theme is None


def test_the_new_reason_form_after_a_typed_check_in_stores_the_theme(custom: LiveApp) -> None:
    custom.add_customer("Acme", original_reason="Fast onboarding")
    body = reply(custom.command("/checkin", "Acme: budget talk"))
    button = body["blocks"][2]["elements"][2]
    custom.interact(
        block_action(button["action_id"], button["value"], response_url=custom.slack.response_url("q"))
    )
    view = custom.slack.wait_for("views.open")[0].args["view"]
    theme = inputs(view)[ids.NEW_REASON_THEME]
    assert options(theme) == [
        ("-", "Not set"),
        ("price", "Cost <b>& co</b>"),
        ("data_residency", "Data residency"),
    ]

    values = {ids.NEW_REASON: {ids.NEW_REASON: {"type": "plain_text_input", "value": "EU hosting"}}}
    values = with_theme(values, ids.NEW_REASON_THEME, "data_residency")
    submission = view_submission(ids.NEW_REASON_VIEW, values, private_metadata=view["private_metadata"])
    assert reply(custom.interact(submission))["response_action"] == "update"
    checkin = only_checkin(custom)
    assert (checkin.verdict, checkin.new_reason_theme) == (Verdict.CHANGED, "data_residency")
    assert stored(custom, "Acme").current_reason_theme == "data_residency"


def test_the_edit_form_shows_the_theme_and_records_its_change_in_the_history(live: LiveApp) -> None:
    acme = live.add_customer("Acme", original_reason="Cheapest", original_reason_theme="price")
    press(live, {"action_id": ids.EDIT_CUSTOMER_ACTION, "value": str(acme.id)})
    view = opened_form(live)
    theme = inputs(view)[ids.EDIT_REASON_THEME]
    assert options(theme) == DEFAULT_OPTIONS
    assert theme["element"]["initial_option"]["value"] == "price"

    values = with_theme(edit_values(view), ids.EDIT_REASON_THEME, "relationship")
    assert submit(live, view, values) == {}
    after = stored(live, "Acme")
    assert (after.original_reason, after.original_reason_theme) == ("Cheapest", "relationship")
    with live.services.database.session() as session:
        rows = session.exec(select(CustomerChange)).all()
    assert [(r.field, r.old_value, r.new_value, r.changed_by, r.source) for r in rows] == [
        ("reason_theme", "price", "relationship", "U1", "slack")
    ]


def test_a_stored_theme_the_list_no_longer_has_stays_a_choice_in_the_edit_form(custom: LiveApp) -> None:
    acme = custom.add_customer("Acme", original_reason="Fits", original_reason_theme="product_fit")
    press(custom, {"action_id": ids.EDIT_CUSTOMER_ACTION, "value": str(acme.id)})
    view = opened_form(custom)
    theme = inputs(view)[ids.EDIT_REASON_THEME]
    assert options(theme)[-1] == ("product_fit", "Product fit")
    assert theme["element"]["initial_option"]["value"] == "product_fit"

    # Saved as it was: kept, and no history row.
    assert submit(custom, view, with_theme(edit_values(view), ids.EDIT_REASON_THEME, "product_fit")) == {}
    assert stored(custom, "Acme").original_reason_theme == "product_fit"
    refused = submit(custom, view, with_theme(edit_values(view), ids.EDIT_REASON_THEME, "ease_of_use"))
    assert refused["errors"] == {ids.EDIT_REASON_THEME: "Choose one of the listed themes, or “Not set”."}


def test_the_edit_forms_theme_is_the_theme_of_their_reason_now(live: LiveApp) -> None:
    acme = live.add_customer(
        "Acme",
        original_reason="Cheap",
        original_reason_theme="price",
        current_reason="Fits",
        current_reason_on=None,
    )
    press(live, {"action_id": ids.EDIT_CUSTOMER_ACTION, "value": str(acme.id)})
    view = opened_form(live)
    assert "initial_option" not in inputs(view)[ids.EDIT_REASON_THEME]["element"]  # their reason now has none

    assert submit(live, view, with_theme(edit_values(view), ids.EDIT_REASON_THEME, "product_fit")) == {}
    after = stored(live, "Acme")
    assert (after.original_reason_theme, after.current_reason_theme) == ("price", "product_fit")
