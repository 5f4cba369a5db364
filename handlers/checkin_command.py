"""`/checkin`: open the form, open it for a customer, or log `<customer>: <note>` straight away."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot.operations.find_customer import customer_for_line
from bot.rules.checkin_line import checkin_readings
from bot.rules.limits import MAX_QUERY, clean_text
from handlers import ids
from handlers.checkin_form import form_for
from handlers.home import refresh_after_checkin
from handlers.support import Shared, actor_of, after_ack, caller_today, request_key
from handlers.typed_checkin import TypedCheckin, button_value, log_now
from handlers.views.replies import longer_than_any_name, not_found

OPEN_FORM = "holdfast_open_checkin_form"


def register(app: App, shared: Shared) -> None:
    def checkin(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        team_id, user_id = str(context.team_id), str(context.user_id)
        text = slash_text(body)
        line, found = customer_for_line(shared.services, actor_of(context), text)
        if found.too_long:
            ack(**longer_than_any_name(MAX_QUERY))
            return
        if not line.customer:
            context[OPEN_FORM] = {}
            ack()
            return
        key = request_key("checkin", team_id, user_id, body.get("trigger_id"), body.get("text"))
        typed = TypedCheckin(
            note=line.note or "", verdict=line.verdict, key=key, typed_on=caller_today(shared, context)
        )
        customer = found.customer
        if customer is None or customer.id is None:
            ack(
                **not_found(
                    line.customer,
                    found.suggestions,
                    pick_action=ids.PICK_FOR_CHECKIN_ACTION,
                    pick_value=lambda cid: button_value(typed, c=cid),
                    add_name=line.customer,
                    add_action=ids.ADD_FOR_CHECKIN_ACTION,
                    add_value=lambda name: button_value(typed, a=name),
                )
            )
            return
        if not line.logs_now:
            context[OPEN_FORM] = {"customer": customer.id}
            ack()
            return
        ack(**log_now(shared, context, typed, customer_id=customer.id, key=key))

    @after_ack
    def open_form(body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond) -> None:
        plan = context.get(OPEN_FORM)
        if plan is None:
            return
        view = form_for(shared, context, plan.get("customer"))
        client.views_open(trigger_id=body["trigger_id"], view=view)

    def logs_now(body: dict[str, Any]) -> bool:
        return all(reading.logs_now for reading in checkin_readings(slash_text(body)))

    # `<customer>: <note>` (however its colons are read) is answered by the ack; the other forms may
    # open the form after it.
    app.command(ids.CHECKIN_COMMAND, matchers=[logs_now])(ack=checkin, lazy=[refresh_after_checkin(shared)])
    app.command(ids.CHECKIN_COMMAND)(ack=checkin, lazy=[open_form, refresh_after_checkin(shared)])


def slash_text(body: dict[str, Any]) -> str:
    """What was typed after the command, without control characters."""
    return clean_text(str(body.get("text") or ""))
