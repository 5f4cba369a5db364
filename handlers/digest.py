"""The digest's controls: Snooze (a week / a month) and Not my customer (who owns it? then reassign).

Log check-in (`LOG_CHECKIN_ACTION`) belongs to the check-in form's handler. Everything a control
needs is in the payload (customer id in the value or block id, the message and where it is), so
buttons keep working after a restart. Each handler acks, then changes the customer and calls Slack:
`chat.update` on the digest, showing what was done in place of that customer's buttons (and, for a
hand-over, a direct message telling the new owner).
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block

from bot.digest_blocks import (
    customer_actions,
    customer_id_of,
    done_note,
    handed_over_text,
    reassign_prompt,
    replace_customer_controls,
)
from bot.rules.digest import SnoozePeriod, local_now, snooze_until
from bot.rules.wording import day_label
from bot.services import Services
from bot.slack_text import safe
from handlers.access import CANNOT_OWN, may_own
from handlers.ids import (
    DIGEST_NOT_MINE_ACTION,
    DIGEST_REASSIGN_ACTION,
    DIGEST_REASSIGN_CANCEL_ACTION,
    DIGEST_SNOOZE_ACTION,
)
from handlers.support import after_ack
from storage.models import Customer
from storage.nudges import ensure_owners, owner_by_user

logger = logging.getLogger("holdfast.digest")


def register(app: App, services: Services) -> None:
    def acknowledge(ack: Ack) -> None:
        ack()

    @after_ack
    def on_snooze(body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond) -> None:
        action = body["actions"][0]
        period, _, customer = str((action.get("selected_option") or {}).get("value", "")).partition(":")
        if period in SnoozePeriod.__members__.values() and customer.isdigit():
            note = snooze(services, body, int(customer), SnoozePeriod(period))
            update_digest(client, body, int(customer), done_note(int(customer), note))

    @after_ack
    def on_not_mine(body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond) -> None:
        customer_id = customer_id_of(str(body["actions"][0].get("value", "")))
        if customer_id is not None:
            update_digest(client, body, customer_id, ask_who_owns(services, body, customer_id))

    @after_ack
    def on_reassign(body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond) -> None:
        action = body["actions"][0]
        customer_id = customer_id_of(str(action.get("block_id", "")))
        new_owner = action.get("selected_user")
        if customer_id is None or not new_owner:
            return
        handed: Customer | None = None
        if may_own(context, client, str(new_owner)):
            note, handed = reassign(services, body, customer_id, str(new_owner))
        else:
            note = f"<@{new_owner}> {CANNOT_OWN}; nothing changed."
        update_digest(client, body, customer_id, done_note(customer_id, note))
        if handed is not None:
            tell_new_owner(client, handed, by=_team_and_user(body)[1])

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


def _team_and_user(body: dict[str, Any]) -> tuple[str, str]:
    user = body.get("user") or {}
    team = (body.get("team") or {}).get("id") or user.get("team_id") or ""
    return str(team), str(user.get("id", ""))


def _not_yours(customer: Customer | None, team_id: str, user_id: str) -> str | None:
    """Why `user_id` may not act on `customer` from their digest, or None when they may."""
    if customer is None or customer.team_id != team_id:
        return "This customer is no longer in Holdfast; nothing changed."
    if customer.owner_user_id != user_id:
        return f"{safe(customer.name, 150)} is now owned by <@{customer.owner_user_id}>; nothing changed."
    return None


def snooze(services: Services, body: dict[str, Any], customer_id: int, period: SnoozePeriod) -> str:
    """Snooze the customer for the period, from the owner's local today; what to show, as mrkdwn."""
    team_id, user_id = _team_and_user(body)
    now = services.clock()
    with services.database.transaction() as session:
        customer = session.get(Customer, customer_id)
        refused = _not_yours(customer, team_id, user_id)
        if refused or customer is None:
            return refused or ""
        owner = owner_by_user(team_id, user_id, session=session)
        today: date = local_now(now, owner.tz if owner else None).date()
        until = snooze_until(today, period)
        customer.snoozed_until = until
        customer.updated_at = now
        session.add(customer)
        name = safe(customer.name, 150)
    return f":zzz: *{name}* snoozed until {day_label(until, today)} by <@{user_id}>."


def ask_who_owns(services: Services, body: dict[str, Any], customer_id: int) -> Block:
    """The people picker asking who owns the customer (or why the caller may not hand it over)."""
    team_id, user_id = _team_and_user(body)
    with services.database.session() as session:
        customer = session.get(Customer, customer_id)
        refused = _not_yours(customer, team_id, user_id)
        if refused or customer is None:
            return done_note(customer_id, refused or "")
        return reassign_prompt(customer_id, customer.name)


def reassign(
    services: Services, body: dict[str, Any], customer_id: int, new_owner: str
) -> tuple[str, Customer | None]:
    """Hand the customer to `new_owner`: what to show, as mrkdwn, and the customer when it changed hands."""
    team_id, user_id = _team_and_user(body)
    with services.database.transaction() as session:
        customer = session.get(Customer, customer_id)
        refused = _not_yours(customer, team_id, user_id)
        if refused or customer is None:
            return refused or "", None
        name = safe(customer.name, 150)
        if new_owner == user_id:
            return f"*{name}* stays with you.", None
        customer.owner_user_id = new_owner
        customer.updated_at = services.clock()
        session.add(customer)
        ensure_owners([(team_id, new_owner)], session=session)
    logger.info("customer %s handed from %s to %s", customer_id, user_id, new_owner)
    return f":handshake: *{name}* handed over to <@{new_owner}> by <@{user_id}>.", customer


def tell_new_owner(client: WebClient, customer: Customer, *, by: str) -> None:
    """A direct message to the customer's new owner: who handed it over, and why the customer chose us."""
    try:
        client.chat_postMessage(channel=customer.owner_user_id, text=handed_over_text(customer, by=by))
    except SlackApiError as error:
        # The hand-over stands (the digest says so); the new owner sees the customer in `/customer`.
        logger.warning("could not tell %s about %s: %s", customer.owner_user_id, customer.id, error)


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
