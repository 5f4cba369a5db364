"""`/checkin`: open the form, open it for a customer, or log `<customer>: <note>` straight away."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot.rules.checkin_line import checkin_readings
from bot.rules.limits import MAX_QUERY, clean_text
from bot.rules.nudges import reason_text
from bot.services import Services
from handlers import ids
from handlers.lookup import find_checkin_customer
from handlers.support import after_ack, caller_today, request_key
from handlers.typed_checkin import TypedCheckin, button_value, log_now
from handlers.views.checkin_form import checkin_modal
from handlers.views.replies import longer_than_any_name, not_found

OPEN_FORM = "holdfast_open_checkin_form"


def register(app: App, services: Services) -> None:
    def checkin(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        team_id, user_id = str(context.team_id), str(context.user_id)
        text = slash_text(body)
        with services.database.reader() as reader:
            line, found = find_checkin_customer(team_id, text, reader=reader)
        if found.too_long:
            ack(**longer_than_any_name(MAX_QUERY))
            return
        if not line.customer:
            context[OPEN_FORM] = {}
            ack()
            return
        key = request_key("checkin", team_id, user_id, body.get("trigger_id"), body.get("text"))
        typed = TypedCheckin(
            note=line.note or "", verdict=line.verdict, key=key, typed_on=caller_today(services, context)
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
            context[OPEN_FORM] = {"customer": [customer.id, customer.name], "reason": reason_text(customer)}
            ack()
            return
        ack(**log_now(services, context, typed, customer_id=customer.id, key=key))

    @after_ack
    def open_form(body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond) -> None:
        plan = context.get(OPEN_FORM)
        if plan is None:
            return
        chosen = plan.get("customer")
        view = checkin_modal(
            today=caller_today(services, context),
            customer=(int(chosen[0]), str(chosen[1])) if chosen else None,
            reason=plan.get("reason"),
        )
        client.views_open(trigger_id=body["trigger_id"], view=view)

    def logs_now(body: dict[str, Any]) -> bool:
        return all(reading.logs_now for reading in checkin_readings(slash_text(body)))

    # `<customer>: <note>` (however its colons are read) is answered by the ack; the other forms may
    # open the form after it.
    app.command(ids.CHECKIN_COMMAND, matchers=[logs_now])(checkin)
    app.command(ids.CHECKIN_COMMAND)(ack=checkin, lazy=[open_form])


def slash_text(body: dict[str, Any]) -> str:
    """What was typed after the command, without control characters."""
    return clean_text(str(body.get("text") or ""))
