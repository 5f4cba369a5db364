"""`/checkin`: open the form, open it for a customer, or log `<customer>: <note>` straight away."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot.rules.checkin_line import parse_checkin_line
from bot.rules.nudges import reason_text
from bot.services import Services
from handlers import ids
from handlers.checkin_store import save_checkin
from handlers.lookup import find_customer
from handlers.support import after_ack, caller_today, request_key
from handlers.views.checkin_form import checkin_modal
from handlers.views.common import VALUE_LIMIT
from handlers.views.replies import checkin_logged, not_found
from storage.enums import Verdict
from storage.models import CheckIn

OPEN_FORM = "holdfast_open_checkin_form"


def pick_value(customer_id: int, *, note: str | None, verdict: Verdict | None, key: str) -> str:
    """A close-match button's value: enough to complete the log with that customer."""
    value = json.dumps({"c": customer_id, "n": note, "v": verdict.value if verdict else None, "k": key})
    if len(value) > VALUE_LIMIT:
        # Too long to carry: the button opens the form for that customer instead.
        value = json.dumps({"c": customer_id, "n": None, "v": None, "k": key})
    return value


def log_now(
    services: Services,
    *,
    team_id: str,
    user_id: str,
    customer_id: int,
    note: str,
    verdict: Verdict | None,
    key: str,
    context: BoltContext,
) -> dict[str, Any]:
    """Store a check-in dated today by the caller; the one-line confirmation to send back."""
    today = caller_today(services, context)
    checkin = CheckIn(
        team_id=team_id,
        customer_id=customer_id,
        occurred_on=today,
        author_user_id=user_id,
        note=note,
        verdict=verdict or Verdict.NOT_ASKED,
    )
    stored, customer = save_checkin(services, checkin, customer_id=customer_id, key=key)
    return checkin_logged(customer.name, stored, today=today, reason=reason_text(customer))


def register(app: App, services: Services) -> None:
    def checkin(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        team_id, user_id = str(context.team_id), str(context.user_id)
        line = parse_checkin_line(str(body.get("text") or ""))
        if not line.customer:
            context[OPEN_FORM] = {}
            ack()
            return
        key = request_key("checkin", team_id, user_id, body.get("trigger_id"), body.get("text"))
        with services.database.reader() as reader:
            found = find_customer(team_id, line.customer, reader=reader)
        customer = found.customer
        if customer is None or customer.id is None:
            ack(
                **not_found(
                    line.customer,
                    found.suggestions,
                    pick_action=ids.PICK_FOR_CHECKIN_ACTION,
                    pick_value=lambda cid: pick_value(cid, note=line.note, verdict=line.verdict, key=key),
                    add_name=line.customer,
                )
            )
            return
        if not line.logs_now:
            context[OPEN_FORM] = {"customer": [customer.id, customer.name], "reason": reason_text(customer)}
            ack()
            return
        reply = log_now(
            services,
            team_id=team_id,
            user_id=user_id,
            customer_id=customer.id,
            note=line.note or "",
            verdict=line.verdict,
            key=key,
            context=context,
        )
        ack(**reply)

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
        return parse_checkin_line(str(body.get("text") or "")).logs_now

    # `<customer>: <note>` is answered by the ack; the other forms may open the form after it.
    app.command(ids.CHECKIN_COMMAND, matchers=[logs_now])(checkin)
    app.command(ids.CHECKIN_COMMAND)(ack=checkin, lazy=[open_form])
