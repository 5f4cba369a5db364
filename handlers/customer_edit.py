"""Keeping the book true from the card: Edit (also `/customer edit <name>`), Mark as lost / inactive, and
Reactivate.

Each button acks, then opens its form (or, for Reactivate, changes the customer and shows the card
again). Once a form is saved it closes, and the customer's card, as it is now, replaces the message the
form was opened from (or follows the `/customer edit` command); a new owner gets the hand-over message.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from bot.operations.customer_status import StatusNotChanged, mark_inactive, reactivate, status_form
from bot.operations.digest_controls import Refused
from bot.operations.edit_customer import NotEdited, edit_customer, edit_form
from bot.rules.vocabulary import Inactive
from handlers import ids
from handlers.access import may_own
from handlers.customer_command import card_for, refused_text
from handlers.digest import tell_new_owner
from handlers.support import Shared, actor_of, after_ack, open_view
from handlers.views.common import form_errors
from handlers.views.customer_edit import (
    EDIT_FIELD_BLOCKS,
    STATUS_FIELD_BLOCKS,
    edit_modal,
    form_metadata,
    read_edit_form,
    read_status_form,
    status_modal,
)
from handlers.views.replies import done_modal, message, text_message

SAVED = "holdfast_customer_saved"  # the customer id whose card to show once a form is saved
HANDED = "holdfast_customer_handed"  # the hand-over to tell the new owner of


def _status_choice(value: str) -> tuple[Inactive, int] | None:
    """`lost:12` → (lost, 12); None for anything else (a forged value)."""
    kind, _, customer = value.partition(":")
    if kind not in Inactive.__members__.values() or not customer.isdigit():
        return None
    return Inactive(kind), int(customer)


def register(app: App, shared: Shared) -> None:
    services = shared.services

    def acknowledge(ack: Ack) -> None:
        ack()

    @after_ack
    def open_edit(body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond) -> None:
        value = str(body["actions"][0].get("value") or "")
        if not value.isdigit():
            return
        form = edit_form(services, actor_of(context), int(value))
        if isinstance(form, Refused):
            respond(**text_message(refused_text(form)), replace_original=False)
            return
        themes = services.settings.themes()
        view = edit_modal(form, response_url=body.get("response_url"), replace=True, themes=themes)
        open_view(client, body, view)

    app.action(ids.EDIT_CUSTOMER_ACTION)(ack=acknowledge, lazy=[open_edit])
    app.action(ids.numbered_pattern(ids.PICK_FOR_EDIT_ACTION))(ack=acknowledge, lazy=[open_edit])

    @after_ack
    def open_status(body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond) -> None:
        choice = _status_choice(str(body["actions"][0].get("value") or ""))
        if choice is None:
            return
        form = status_form(services, actor_of(context), choice[1], choice[0])
        if isinstance(form, Refused):
            respond(**text_message(refused_text(form)), replace_original=False)
            return
        view = status_modal(form, response_url=body.get("response_url"), replace=True)
        open_view(client, body, view)

    app.action(ids.numbered_pattern(ids.MARK_INACTIVE_ACTION))(ack=acknowledge, lazy=[open_status])

    @after_ack
    def on_reactivate(
        body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
    ) -> None:
        value = str(body["actions"][0].get("value") or "")
        if not value.isdigit():
            return
        result = reactivate(services, actor_of(context), int(value))
        if isinstance(result, Refused):
            respond(**text_message(refused_text(result)), replace_original=False)
            return
        blocks, text = card_for(shared, context, int(value))
        respond(**message(blocks, text), replace_original=True)

    app.action(ids.REACTIVATE_ACTION)(ack=acknowledge, lazy=[on_reactivate])

    def submit_edit(ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        customer_id = form_metadata(body["view"]).get("customer")
        if not isinstance(customer_id, int):
            ack()
            return
        edit = read_edit_form(body["view"]["state"]["values"])
        result = edit_customer(
            services,
            actor_of(context),
            customer_id,
            edit,
            may_own=lambda owner: may_own(context, client, owner),
        )
        if isinstance(result, NotEdited):
            ack(response_action="errors", errors=form_errors(result.mistakes, EDIT_FIELD_BLOCKS))
            return
        if isinstance(result, Refused):
            ack(response_action="update", view=done_modal("Not saved", refused_text(result)))
            return
        context[SAVED] = customer_id
        if result.handed is not None:
            context[HANDED] = result.handed
        ack()

    def submit_status(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        metadata = form_metadata(body["view"])
        choice = _status_choice(f"{metadata.get('kind')}:{metadata.get('customer')}")
        if choice is None:
            ack()
            return
        why, on = read_status_form(body["view"]["state"]["values"])
        result = mark_inactive(services, actor_of(context), choice[1], choice[0], why=why, on=on)
        if isinstance(result, StatusNotChanged):
            ack(response_action="errors", errors=form_errors(result.mistakes, STATUS_FIELD_BLOCKS))
            return
        if isinstance(result, Refused):
            ack(response_action="update", view=done_modal("Not saved", refused_text(result)))
            return
        context[SAVED] = choice[1]
        ack()

    @after_ack
    def show_saved(body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond) -> None:
        """The card as saved, where the form came from; the hand-over message for a new owner."""
        metadata = form_metadata(body["view"])
        customer_id = context.get(SAVED)
        if customer_id is not None and metadata.get("response_url"):
            blocks, text = card_for(shared, context, customer_id)
            reply = {**message(blocks, text), "replace_original": bool(metadata.get("replace"))}
            WebhookClient(metadata["response_url"]).send_dict(reply)
        if context.get(HANDED) is not None:
            tell_new_owner(client, context[HANDED], by=str(context.user_id))

    app.view(ids.EDIT_VIEW)(ack=submit_edit, lazy=[show_saved])
    app.view(ids.STATUS_VIEW)(ack=submit_status, lazy=[show_saved])
