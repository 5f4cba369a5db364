"""`/customer`: a customer's card, the caller's customers most urgent first, or the add form."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot.operations.look_up import Card, card_by_id, look_up
from bot.operations.my_book import my_book
from bot.rules.limits import MAX_QUERY, clean_text
from handlers import ids
from handlers.support import Shared, actor_of, after_ack
from handlers.views.common import Json
from handlers.views.customer_card import card_text, customer_card, customer_list
from handlers.views.customer_form import customer_modal
from handlers.views.replies import longer_than_any_name, message, not_found, text_message

OPEN_ADD_FORM = "holdfast_open_customer_form"


def render_card(card: Card) -> tuple[list[Json], str]:
    """The card's blocks and its notification text (escaped, like every name shown)."""
    blocks = customer_card(card.customer, latest=card.latest, health=card.health, today=card.today)
    return blocks, card_text(card.customer)


def card_for(shared: Shared, context: BoltContext, customer_id: int) -> tuple[list[Json], str]:
    """The card of the customer with `customer_id` (from a button)."""
    card = card_by_id(shared.services, shared.cutoffs, actor_of(context), customer_id)
    return ([], "That customer no longer exists.") if card is None else render_card(card)


def list_for(shared: Shared, context: BoltContext) -> dict[str, Any]:
    """The caller's customers, most urgent first (the order the nudges use); each name's button shows
    its card (`PICK_FOR_CARD_ACTION`, in place of the list)."""
    actor = actor_of(context)
    book = my_book(shared.services, shared.cutoffs, actor)
    rows = customer_list(book.rows, today=book.today, total=len(book.rows), viewer=actor.user_id)
    return message(rows, "Your customers")


def register(app: App, shared: Shared) -> None:

    def customer(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        text = " ".join(clean_text(str(body.get("text") or "")).split())
        if not text:
            ack(**list_for(shared, context))
            return
        first, _, rest = text.partition(" ")
        if first.lower() == "add":
            context[OPEN_ADD_FORM] = {"name": rest}
            ack()
            return
        if first.lower() in ("help", "?"):
            ack(**text_message(HELP))
            return
        found = look_up(shared.services, shared.cutoffs, actor_of(context), text)
        if found.card is not None:
            blocks, name = render_card(found.card)
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
