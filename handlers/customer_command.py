"""`/customer`: a customer's card, the caller's customers most urgent first, or the add form."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot.rules.health import health
from bot.rules.key_accounts import is_key
from bot.rules.limits import MAX_QUERY, clean_text
from bot.rules.nudges import due_reasons, urgency_order
from bot.services import Services
from handlers import ids
from handlers.lookup import find_customer
from handlers.support import KeyCutoffs, after_ack, caller_today
from handlers.views.common import Json
from handlers.views.customer_card import card_text, customer_card, customer_list
from handlers.views.customer_form import customer_modal
from handlers.views.replies import longer_than_any_name, message, not_found, text_message
from storage.checkins import latest_checkins
from storage.customers import customer_by_id, customers_of_owner
from storage.fast_read import Reader
from storage.models import Customer

OPEN_ADD_FORM = "holdfast_open_customer_form"


def render_card(
    services: Services, cutoffs: KeyCutoffs, context: BoltContext, customer: Customer, reader: Reader
) -> tuple[list[Json], str]:
    """The card's blocks and its notification text (escaped, like every name shown)."""
    today = caller_today(services, context)
    state = health(
        customer,
        today=today,
        policy=services.settings.policy(),
        is_key=is_key(customer.arr, customer.active, cutoffs(customer.team_id)),
    )
    latest = latest_checkins(customer.id or 0, reader=reader, limit=3)
    return customer_card(customer, latest=latest, health=state, today=today), card_text(customer)


def card_for(
    services: Services, cutoffs: KeyCutoffs, context: BoltContext, customer_id: int
) -> tuple[list[Json], str]:
    """The card of the customer with `customer_id` (from a button)."""
    with services.database.session() as session:
        customer = customer_by_id(str(context.team_id), customer_id, session=session)
        if customer is None:
            return [], "That customer no longer exists."
        return render_card(services, cutoffs, context, customer, Reader.of(session))


def list_for(services: Services, cutoffs: KeyCutoffs, context: BoltContext) -> dict[str, Any]:
    """The caller's customers, most urgent first (the order the nudges use)."""
    today = caller_today(services, context)
    policy = services.settings.policy()
    team_id, user_id = str(context.team_id), str(context.user_id)
    with services.database.session() as session:
        customers = customers_of_owner(team_id, user_id, session=session)
    cutoff = cutoffs(team_id) if customers else None
    rows = [
        (
            customer,
            due_reasons(
                customer, today=today, policy=policy, is_key=is_key(customer.arr, customer.active, cutoff)
            ),
        )
        for customer in customers
    ]
    rows.sort(key=lambda row: urgency_order(row[0], row[1], today))
    return message(customer_list(rows, today=today, total=len(rows)), "Your customers")


def register(app: App, services: Services) -> None:
    cutoffs = KeyCutoffs(services)

    def customer(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        text = " ".join(clean_text(str(body.get("text") or "")).split())
        if not text:
            ack(**list_for(services, cutoffs, context))
            return
        first, _, rest = text.partition(" ")
        if first.lower() == "add":
            context[OPEN_ADD_FORM] = {"name": rest}
            ack()
            return
        if first.lower() in ("help", "?"):
            ack(**text_message(HELP))
            return
        with services.database.reader() as reader:
            found = find_customer(str(context.team_id), text, reader=reader)
            if found.customer is not None:
                blocks, name = render_card(services, cutoffs, context, found.customer, reader)
                ack(**message(blocks, name))
                return
        if found.too_long:
            ack(**longer_than_any_name(MAX_QUERY))
            return
        ack(
            **not_found(
                text,
                found.suggestions,
                pick_action=ids.PICK_FOR_CARD_ACTION,
                pick_value=str,
                add_name=text,
            )
        )

    @after_ack
    def open_add_form(
        body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
    ) -> None:
        plan = context.get(OPEN_ADD_FORM)
        if plan is None:
            return
        view = customer_modal(name=plan["name"], owner_user_id=str(context.user_id))
        client.views_open(trigger_id=body["trigger_id"], view=view)

    def not_add(body: dict[str, Any]) -> bool:
        return [word.lower() for word in str(body.get("text") or "").split()[:1]] != ["add"]

    # Only `/customer add` does work after the ack; the card and the list are the ack itself, and
    # are matched first (Bolt builds each matcher's arguments afresh, so the card is spared one).
    app.command(ids.CUSTOMER_COMMAND, matchers=[not_add])(customer)
    app.command(ids.CUSTOMER_COMMAND)(ack=customer, lazy=[open_add_form])


HELP = (
    "`/customer Acme` shows a customer's card, `/customer` lists yours (most urgent first), "
    "`/customer add Acme` adds one."
)
