"""The digest's controls: Snooze (a week / a month) and Not my customer (who owns it? then reassign).

Log check-in (`LOG_CHECKIN_ACTION`) belongs to the check-in form's handler. Everything a control
needs is in the payload (customer id in the value or block id, the message and where it is), so
buttons keep working after a restart. Each handler acks, then changes the customer and calls Slack:
`chat.update` on the digest, showing what was done in place of that customer's buttons (and, for a
hand-over, a direct message telling the new owner).
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block

from bot.operations.digest_controls import Refused
from bot.operations.hand_over import HandedOver, hand_over, may_hand_over
from bot.operations.snooze import snooze
from bot.rules.access import CANNOT_OWN
from bot.rules.digest import SnoozePeriod
from bot.rules.facts import CustomerFacts
from bot.rules.wording import day_label
from handlers.access import may_own
from handlers.ids import (
    DIGEST_NOT_MINE_ACTION,
    DIGEST_REASSIGN_ACTION,
    DIGEST_REASSIGN_CANCEL_ACTION,
    DIGEST_SNOOZE_ACTION,
)
from handlers.support import Shared, actor_of, after_ack
from handlers.views.digest import (
    customer_actions,
    customer_id_of,
    done_note,
    handed_over_text,
    reassign_prompt,
    replace_customer_controls,
)
from handlers.views.text import safe

logger = logging.getLogger("holdfast.digest")


def register(app: App, shared: Shared) -> None:
    services = shared.services

    def acknowledge(ack: Ack) -> None:
        ack()

    @after_ack
    def on_snooze(body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond) -> None:
        action = body["actions"][0]
        period, _, customer = str((action.get("selected_option") or {}).get("value", "")).partition(":")
        if period in SnoozePeriod.__members__.values() and customer.isdigit():
            result = snooze(services, actor_of(context), int(customer), SnoozePeriod(period))
            if isinstance(result, Refused):
                note = refused_text(result)
            else:
                name, until = safe(result.customer_name, 150), day_label(result.until, result.today)
                note = f":zzz: *{name}* snoozed until {until} by <@{context.user_id}>."
            update_digest(client, body, int(customer), done_note(int(customer), note))

    @after_ack
    def on_not_mine(body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond) -> None:
        customer_id = customer_id_of(str(body["actions"][0].get("value", "")))
        if customer_id is None:
            return
        result = may_hand_over(services, actor_of(context), customer_id)
        prompt = (
            done_note(customer_id, refused_text(result))
            if isinstance(result, Refused)
            else reassign_prompt(customer_id, result.customer_name)
        )
        update_digest(client, body, customer_id, prompt)

    @after_ack
    def on_reassign(body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond) -> None:
        action = body["actions"][0]
        customer_id = customer_id_of(str(action.get("block_id", "")))
        new_owner = action.get("selected_user")
        if customer_id is None or not new_owner:
            return
        if not may_own(context, client, str(new_owner)):
            note = f"<@{new_owner}> {CANNOT_OWN}; nothing changed."
            update_digest(client, body, customer_id, done_note(customer_id, note))
            return
        result = hand_over(services, actor_of(context), customer_id, str(new_owner))
        update_digest(client, body, customer_id, done_note(customer_id, handed_over_note(result, context)))
        if isinstance(result, HandedOver) and not result.kept:
            tell_new_owner(client, result.customer, result.new_owner, by=str(context.user_id))

    @after_ack
    def on_cancel(body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond) -> None:
        customer_id = customer_id_of(str(body["actions"][0].get("value", "")))
        if customer_id is not None:
            update_digest(client, body, customer_id, customer_actions(customer_id))

    # Each acks at once; the change and the Slack calls come after (Slack wants the ack in 3 s).
    app.action(DIGEST_SNOOZE_ACTION)(ack=acknowledge, lazy=[on_snooze])
    app.action(DIGEST_NOT_MINE_ACTION)(ack=acknowledge, lazy=[on_not_mine])
    app.action(DIGEST_REASSIGN_ACTION)(ack=acknowledge, lazy=[on_reassign])
    app.action(DIGEST_REASSIGN_CANCEL_ACTION)(ack=acknowledge, lazy=[on_cancel])


def refused_text(refused: Refused) -> str:
    """Why nothing changed, as mrkdwn."""
    if refused.owner is None:
        return "This customer is no longer in Holdfast; nothing changed."
    return f"{safe(refused.customer_name, 150)} is now owned by <@{refused.owner}>; nothing changed."


def handed_over_note(result: HandedOver | Refused, context: BoltContext) -> str:
    """What the digest shows after a hand-over, as mrkdwn."""
    if isinstance(result, Refused):
        return refused_text(result)
    name = safe(result.customer.name, 150)
    if result.kept:
        return f"*{name}* stays with you."
    return f":handshake: *{name}* handed over to <@{result.new_owner}> by <@{context.user_id}>."


def tell_new_owner(client: WebClient, customer: CustomerFacts, new_owner: str, *, by: str) -> None:
    """A direct message to the customer's new owner: who handed it over, and why the customer chose us."""
    try:
        client.chat_postMessage(channel=new_owner, text=handed_over_text(customer, by=by))
    except SlackApiError as error:
        # The hand-over stands (the digest says so); the new owner sees the customer in `/customer`.
        logger.warning("could not tell %s about %s: %s", new_owner, customer.id, error)


def update_digest(client: WebClient, body: dict[str, Any], customer_id: int, replacement: Block) -> None:
    """Show `replacement` in place of the customer's controls in the digest message."""
    message = body.get("message") or {}
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
    ts = container.get("message_ts") or message.get("ts")
    if not message.get("blocks") or not channel or not ts:
        logger.warning("digest action without its message; nothing to update")
        return
    client.chat_update(
        channel=channel,
        ts=ts,
        text=message.get("text") or "Holdfast digest",
        blocks=replace_customer_controls(message["blocks"], customer_id, replacement),
    )
