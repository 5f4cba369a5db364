"""`/customer`: a customer's card, the caller's customers most urgent first, the add form, or the edit
form (`/customer edit <name>`; saving it is `handlers.customer_edit`)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot.operations.digest_controls import Refused
from bot.operations.edit_customer import EditForm, edit_form_named
from bot.operations.look_up import Card, card_by_id, look_up
from bot.operations.my_book import my_book
from bot.rules.limits import MAX_QUERY, clean_text
from bot.rules.themes import Themes
from handlers import ids
from handlers.support import Shared, actor_of, after_ack
from handlers.views.common import Json
from handlers.views.customer_card import card_text, customer_card, customer_list
from handlers.views.customer_edit import edit_modal
from handlers.views.customer_form import customer_modal
from handlers.views.replies import longer_than_any_name, message, not_found, text_message
from handlers.views.text import safe

OPEN_ADD_FORM = "holdfast_open_customer_form"
OPEN_EDIT_FORM = "holdfast_open_edit_form"
# The words after `/customer` that open a form (the rest of the text is the name).
FORM_WORDS = ("add", "edit")


def render_card(card: Card, themes: Themes) -> tuple[list[Json], str]:
    """The card's blocks and its notification text (escaped, like every name shown)."""
    blocks = customer_card(
        card.customer, latest=card.latest, health=card.health, today=card.today, themes=themes
    )
    return blocks, card_text(card.customer)


def card_for(shared: Shared, context: BoltContext, customer_id: int) -> tuple[list[Json], str]:
    """The card of the customer with `customer_id` (from a button)."""
    card = card_by_id(shared.services, shared.cutoffs, actor_of(context), customer_id)
    if card is None:
        return [], "That customer no longer exists."
    return render_card(card, shared.services.settings.themes())


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
        if first.lower() == "edit":
            edit(ack, context, rest)
            return
        if first.lower() in ("help", "?"):
            ack(**text_message(HELP))
            return
        found = look_up(shared.services, shared.cutoffs, actor_of(context), text)
        if found.card is not None:
            blocks, name = render_card(found.card, shared.services.settings.themes())
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

    def edit(ack: Ack, context: BoltContext, name: str) -> None:
        """`/customer edit <name>`: the form opens after the ack; a name not found gets close names."""
        if not name:
            ack(**text_message(EDIT_USAGE))
            return
        found = edit_form_named(shared.services, actor_of(context), name)
        if isinstance(found, EditForm):
            context[OPEN_EDIT_FORM] = found
            ack()
        elif isinstance(found, Refused):
            ack(**text_message(refused_text(found)))
        elif found.too_long:
            ack(**longer_than_any_name(MAX_QUERY))
        else:
            ack(
                **not_found(
                    name,
                    found.suggestions,
                    pick_action=ids.PICK_FOR_EDIT_ACTION,
                    pick_value=str,
                    add_name=name,
                )
            )

    @after_ack
    def open_form(body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond) -> None:
        if (plan := context.get(OPEN_ADD_FORM)) is not None:
            view = customer_modal(
                name=plan["name"],
                owner_user_id=str(context.user_id),
                themes=shared.services.settings.themes(),
            )
        elif (form := context.get(OPEN_EDIT_FORM)) is not None:
            themes = shared.services.settings.themes()
            view = edit_modal(form, response_url=body.get("response_url"), replace=False, themes=themes)
        else:
            return
        client.views_open(trigger_id=body["trigger_id"], view=view)

    def no_form(body: dict[str, Any]) -> bool:
        words = str(body.get("text") or "").split()[:1]
        return not words or words[0].lower() not in FORM_WORDS

    # Only `/customer add` and `/customer edit` do work after the ack; the card and the list are the ack
    # itself, and are matched first (Bolt builds each matcher's arguments afresh, so the card is spared
    # one).
    app.command(ids.CUSTOMER_COMMAND, matchers=[no_form])(customer)
    app.command(ids.CUSTOMER_COMMAND)(ack=customer, lazy=[open_form])


def refused_text(refused: Refused) -> str:
    """Why the caller may not edit the customer or change its status, as mrkdwn."""
    if refused.owner is None:
        return "That customer no longer exists."
    return (
        f"*{safe(refused.customer_name, 150)}* is owned by <@{refused.owner}>: only its owner can change it."
    )


HELP = (
    "`/customer Acme` shows a customer's card, `/customer` lists yours (most urgent first), "
    "`/customer add Acme` adds one, `/customer edit Acme` corrects one."
)
EDIT_USAGE = "Name the customer to edit: `/customer edit Acme`."
