"""The digest's controls: the reason's one-tap answers (holds / weakened / changed), Snooze (a week /
a month) and Not my customer (who owns it? then reassign).

Log check-in (`LOG_CHECKIN_ACTION`) belongs to the check-in form's handler, which collapses the
entry through `collapse_digest_at` once saved. Everything a control needs is in the payload
(customer id in the value or block id, the message and where it is), so buttons keep working after
a restart. Each handler acks, then changes the customer and calls Slack: `chat.update` on the
digest, folding that customer's entry into one line of what was done (and, for a hand-over, a direct
message telling the new owner). An answer is stored once per digest entry, whatever the retries or
taps (its request key is the message and the customer).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block

from bot.operations.chosen_customer import chosen_customer
from bot.operations.digest_controls import Refused
from bot.operations.hand_over import HandedOver, hand_over, may_hand_over
from bot.operations.log_checkin import CustomerGone, Logged, NotLogged, log_answer
from bot.operations.snooze import snooze
from bot.rules.access import CANNOT_OWN
from bot.rules.digest import SnoozePeriod
from bot.rules.vocabulary import Verdict
from bot.rules.wording import day_label
from handlers import ids
from handlers.access import may_own
from handlers.customer_command import card_for
from handlers.home import from_home, owner_of, refresh_homes
from handlers.ids import (
    DIGEST_ANSWER_ACTION,
    DIGEST_NEW_REASON_VIEW,
    DIGEST_NOT_MINE_ACTION,
    DIGEST_REASSIGN_ACTION,
    DIGEST_REASSIGN_CANCEL_ACTION,
    DIGEST_SNOOZE_ACTION,
    numbered_pattern,
)
from handlers.support import Shared, actor_of, after_ack, request_key
from handlers.views.checkin_form import new_reason_modal, read_new_reason
from handlers.views.digest import (
    answer_of,
    answered_text,
    collapse_customer,
    customer_actions,
    customer_id_of,
    customer_name_in,
    done_note,
    handed_over_message,
    reassign_prompt,
    replace_customer_controls,
)
from handlers.views.replies import message
from handlers.views.text import safe

Blocks = list[dict[str, Any]]
GONE = "This customer is no longer in Holdfast; nothing changed."

logger = logging.getLogger("holdfast.digest")
ANSWERED = "holdfast_digest_answered"


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
            settle(shared, client, body, context, int(customer), note)

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
        handed = isinstance(result, HandedOver) and not result.kept
        owners = [str(new_owner)] if handed else []
        settle(shared, client, body, context, customer_id, handed_over_note(result, context), owners=owners)
        if isinstance(result, HandedOver) and not result.kept:
            tell_new_owner(client, result, by=str(context.user_id))

    @after_ack
    def on_cancel(body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond) -> None:
        customer_id = customer_id_of(str(body["actions"][0].get("value", "")))
        if customer_id is not None:
            update_digest(client, body, customer_id, customer_actions(customer_id))

    @after_ack
    def view_card(body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond) -> None:
        value = str(body["actions"][0].get("value", ""))
        if value.isdigit():
            blocks, text = card_for(shared, context, int(value))
            respond(**message(blocks, text), replace_original=False)

    @after_ack
    def on_answer(body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond) -> None:
        answer = answer_of(str(body["actions"][0].get("value", "")))
        origin = answer_origin(body)
        if answer is None or origin is None:
            return
        verdict, customer_id = answer
        if verdict == Verdict.CHANGED:  # the new reason first: a small form
            chosen = chosen_customer(services, actor_of(context), customer_id)
            if chosen is None:
                settle(shared, client, body, context, customer_id, GONE)
                return
            view = new_reason_modal(
                checkin_id=0,
                customer_name=chosen.name,
                reason=chosen.reason,
                metadata={},
                themes=services.settings.themes(),
            )
            view.callback_id = DIGEST_NEW_REASON_VIEW
            view.private_metadata = json.dumps({"customer": customer_id, **origin})
            client.views_open(trigger_id=body["trigger_id"], view=view)
            return
        key = request_key("digest-answer", context.team_id, *origin_parts(origin), customer_id)
        result = answer_now(context, customer_id, verdict, key)
        settle(shared, client, body, context, customer_id, logged_note(result), owners=owner_of(result))

    def answer_now(
        context: BoltContext,
        customer_id: int,
        verdict: Verdict,
        key: str,
        reason: str = "",
        theme: str | None = None,
    ) -> Logged | NotLogged | None:
        """Store the answer once per request `key` (a digest entry, a Home view); None when the
        customer is gone."""
        try:
            return log_answer(
                services,
                actor_of(context),
                customer_id=customer_id,
                verdict=verdict,
                new_reason=reason,
                new_reason_theme=theme,
                key=key,
            )
        except CustomerGone:
            return None

    def submit_new_reason(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        view = body["view"]
        metadata = json.loads(view.get("private_metadata") or "{}")
        customer_id = metadata.get("customer")
        origin = {k: v for k, v in metadata.items() if k in ("digest", "home") and isinstance(v, dict)}
        if not isinstance(customer_id, int) or not origin:
            ack()
            return
        reason, theme = read_new_reason(view["state"]["values"])
        key = request_key("digest-answer", context.team_id, *origin_parts(origin), customer_id)
        result = answer_now(context, customer_id, Verdict.CHANGED, key, reason, theme)
        if isinstance(result, NotLogged):
            ack(response_action="errors", errors={ids.NEW_REASON: next(iter(result.mistakes.values()))})
            return
        context[ANSWERED] = result
        ack()

    @after_ack
    def collapse_answered(
        body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
    ) -> None:
        metadata = json.loads(body["view"].get("private_metadata") or "{}")
        if ANSWERED not in context:
            return
        result = context[ANSWERED]
        if metadata.get("digest"):
            collapse_digest_at(client, metadata["digest"], int(metadata["customer"]), logged_note(result))
        refresh_homes(shared, client, context, [str(context.user_id), *owner_of(result)])

    # Each acks at once; the change and the Slack calls come after (Slack wants the ack in 3 s).
    app.action(numbered_pattern(DIGEST_ANSWER_ACTION))(ack=acknowledge, lazy=[on_answer])
    app.view(DIGEST_NEW_REASON_VIEW)(ack=submit_new_reason, lazy=[collapse_answered])
    app.action(DIGEST_SNOOZE_ACTION)(ack=acknowledge, lazy=[on_snooze])
    app.action(ids.VIEW_CARD_ACTION)(ack=acknowledge, lazy=[view_card])
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


def tell_new_owner(client: WebClient, handed: HandedOver, *, by: str) -> None:
    """A direct message to the customer's new owner: who handed it over, and the card's essentials."""
    blocks, text = handed_over_message(handed, by=by)
    try:
        client.chat_postMessage(channel=handed.new_owner, text=text, blocks=blocks)
    except SlackApiError as error:
        # The hand-over stands (the digest says so); the new owner sees the customer in `/customer`.
        logger.warning("could not tell %s about %s: %s", handed.new_owner, handed.customer.id, error)


def logged_note(result: Logged | NotLogged | None) -> str:
    """The line an entry collapses to once an answer or check-in is stored, as mrkdwn."""
    if not isinstance(result, Logged):
        return GONE
    return answered_text(safe(result.customer_name, 150), result.checkin.verdict, result.today)


def digest_location(body: dict[str, Any]) -> dict[str, str] | None:
    """The channel and ts of the digest message a control was pressed in."""
    message = body.get("message") or {}
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
    ts = container.get("message_ts") or message.get("ts")
    return {"channel": str(channel), "ts": str(ts)} if channel and ts else None


def answer_origin(body: dict[str, Any]) -> dict[str, Any] | None:
    """Where an entry's control was pressed: `{"digest": {channel, ts}}` or `{"home": {view, hash}}`."""
    if from_home(body):
        view = body["view"]
        return {"home": {"view": view.get("id"), "hash": view.get("hash")}}
    where = digest_location(body)
    return {"digest": where} if where else None


def origin_parts(origin: dict[str, Any]) -> tuple[object, ...]:
    """What makes an answer's request key: the digest message, or the Home view as it was shown
    (a double tap on one view stores once; after it is published again, it shows other asks)."""
    where = origin.get("digest") or origin.get("home") or {}
    return tuple(where[key] for key in sorted(where))


def settle(
    shared: Shared,
    client: WebClient,
    body: dict[str, Any],
    context: BoltContext,
    customer_id: int,
    mrkdwn: str,
    *,
    owners: Iterable[str] = (),
) -> None:
    """After a change from an entry: fold it into `mrkdwn` in the digest message it was pressed in,
    then publish afresh the Home of the caller and of `owners` (whatever it was pressed on)."""
    if not from_home(body):
        collapse_digest(client, body, customer_id, mrkdwn)
    refresh_homes(shared, client, context, [str(context.user_id), *owners])


def _rewrite(
    client: WebClient,
    where: dict[str, str],
    message: dict[str, Any],
    change: Callable[[Blocks], Blocks],
) -> None:
    if not message.get("blocks"):
        logger.warning("digest action without its message; nothing to update")
        return
    client.chat_update(
        channel=where["channel"],
        ts=where["ts"],
        text=message.get("text") or "Holdfast digest",
        blocks=change(message["blocks"]),
    )


def update_digest(client: WebClient, body: dict[str, Any], customer_id: int, replacement: Block) -> None:
    """Show `replacement` in place of the customer's controls, in the digest message or on the Home tab."""
    if from_home(body):
        view = body["view"]
        blocks = replace_customer_controls(view.get("blocks") or [], customer_id, replacement)
        client.views_update(
            view_id=view["id"], hash=view.get("hash"), view={"type": "home", "blocks": blocks}
        )
        return
    where = digest_location(body)
    if where is None:
        logger.warning("digest action without its message; nothing to update")
        return
    _rewrite(
        client,
        where,
        body.get("message") or {},
        lambda blocks: replace_customer_controls(blocks, customer_id, replacement),
    )


def collapse_digest(client: WebClient, body: dict[str, Any], customer_id: int, mrkdwn: str) -> None:
    """Fold the customer's entry in the digest message a control was pressed in into `mrkdwn`."""
    where = digest_location(body)
    if where is None:
        logger.warning("digest action without its message; nothing to update")
        return
    message = body.get("message") or {}
    if mrkdwn == GONE:
        name = customer_name_in(message.get("blocks") or [], customer_id)
        mrkdwn = f"{name}: {GONE[0].lower()}{GONE[1:]}" if name else GONE
    _rewrite(client, where, message, lambda blocks: collapse_customer(blocks, customer_id, mrkdwn))


def collapse_digest_at(client: WebClient, where: dict[str, str], customer_id: int, mrkdwn: str) -> None:
    """`collapse_digest` for a digest known by its place (from a form it opened): the message's
    blocks as they are now come from the conversation's history."""
    try:
        page = client.conversations_history(
            channel=where["channel"], latest=where["ts"], inclusive=True, limit=1
        )
    except SlackApiError as error:
        logger.warning("could not read the digest to update it: %s", error)
        return
    messages = [m for m in page.get("messages") or [] if m.get("ts") == where["ts"]]
    if not messages:
        logger.warning("the digest %s is gone; nothing to update", where["ts"])
        return
    _rewrite(client, where, messages[0], lambda blocks: collapse_customer(blocks, customer_id, mrkdwn))
