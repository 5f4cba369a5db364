"""The buttons under "I couldn't find …": complete the log with a close match, show its card, or add it."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from handlers import ids
from handlers.checkin_form import open_checkin_form
from handlers.customer_command import card_for
from handlers.home import refresh_for_checkin
from handlers.support import Shared, after_ack, caller_today, request_key
from handlers.typed_checkin import TypedCheckin, log_now
from handlers.views.customer_form import customer_modal
from handlers.views.replies import message


def register(app: App, shared: Shared) -> None:

    def acknowledge(ack: Ack) -> None:
        ack()

    @after_ack
    def complete_log(body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond) -> None:
        choice = json.loads(body["actions"][0]["value"])
        customer_id = int(choice["c"])
        typed = TypedCheckin.from_fields(choice, today=caller_today(shared, context))
        if not typed.note:
            open_checkin_form(shared, client, body, context, customer_id)
            return
        key = request_key("pick", typed.key, customer_id)
        reply = log_now(shared, context, typed, customer_id=customer_id, key=key)
        respond(**reply, replace_original=True)
        refresh_for_checkin(shared, client, context)

    app.action(ids.numbered_pattern(ids.PICK_FOR_CHECKIN_ACTION))(ack=acknowledge, lazy=[complete_log])

    @after_ack
    def show_card(body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond) -> None:
        value = str(body["actions"][0]["value"])
        blocks, text = card_for(shared, context, int(value))
        respond(**message(blocks, text), replace_original=True)

    app.action(ids.numbered_pattern(ids.PICK_FOR_CARD_ACTION))(ack=acknowledge, lazy=[show_card])

    @after_ack
    def add_customer(body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond) -> None:
        action = body["actions"][0]
        name, metadata = str(action.get("value") or ""), None
        if action["action_id"] == ids.ADD_FOR_CHECKIN_ACTION:
            # The form carries the typed check-in (logged once the customer is added) and where to
            # confirm it: the message with this button.
            typed = json.loads(name)
            name, metadata = str(typed["a"]), {"checkin": typed, "response_url": body.get("response_url")}
        themes = shared.services.settings.themes()
        view = customer_modal(name=name, owner_user_id=str(context.user_id), metadata=metadata, themes=themes)
        client.views_open(trigger_id=body["trigger_id"], view=view)

    app.action(ids.ADD_CUSTOMER_ACTION)(ack=acknowledge, lazy=[add_customer])
    app.action(ids.ADD_FOR_CHECKIN_ACTION)(ack=acknowledge, lazy=[add_customer])
