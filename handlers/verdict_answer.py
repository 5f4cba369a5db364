"""The answer to "Does '<their reason>' still hold?" under a logged check-in, and the new-reason form."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot.rules.forms import new_reason_mistake
from bot.rules.nudges import reason_text
from bot.rules.vocabulary import Verdict
from bot.services import Services
from handlers import ids
from handlers.support import after_ack, reply_to_opener
from handlers.views.checkin_form import new_reason_modal, read_new_reason
from handlers.views.replies import done_modal, verdict_recorded
from storage.checkins import checkin_by_id, record_verdict
from storage.customers import customer_by_id

REPLY = "holdfast_verdict_reply"
ASK_NEW_REASON = "holdfast_ask_new_reason"


def _record(
    services: Services, team_id: str, checkin_id: int, verdict: Verdict, new_reason: str | None = None
) -> dict[str, Any] | None:
    """Record the verdict on the check-in; the reply to show, or None when the check-in is gone."""
    with services.database.transaction() as session:
        checkin = checkin_by_id(team_id, checkin_id, session=session)
        customer = customer_by_id(team_id, checkin.customer_id, session=session) if checkin else None
        if checkin is None or customer is None:
            return None
        before = reason_text(customer)
        record_verdict(
            checkin, verdict, customer=customer, session=session, new_reason=new_reason, now=services.clock()
        )
        shown = new_reason if verdict == Verdict.CHANGED else before
        return verdict_recorded(customer.name, verdict, shown)


def register(app: App, services: Services) -> None:
    def answer(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        action = body["actions"][0]
        verdict = Verdict(str(action["action_id"]).split(":", 1)[1])
        checkin_id = int(action["value"])
        team_id = str(context.team_id)
        if verdict == Verdict.CHANGED:
            with services.database.session() as session:
                checkin = checkin_by_id(team_id, checkin_id, session=session)
                customer = customer_by_id(team_id, checkin.customer_id, session=session) if checkin else None
            if customer is not None:
                context[ASK_NEW_REASON] = {"name": customer.name, "reason": reason_text(customer)}
        else:
            context[REPLY] = _record(services, team_id, checkin_id, verdict) or {
                "text": "That check-in no longer exists.",
                "replace_original": True,
            }
        ack()

    @after_ack
    def follow_up(body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond) -> None:
        if context.get(REPLY):
            respond(**context[REPLY])
        ask = context.get(ASK_NEW_REASON)
        if ask:
            view = new_reason_modal(
                checkin_id=int(body["actions"][0]["value"]),
                customer_name=ask["name"],
                reason=ask["reason"],
                metadata={"response_url": body.get("response_url")},
            )
            client.views_open(trigger_id=body["trigger_id"], view=view)

    app.action(ids.numbered_pattern(ids.ANSWER_VERDICT_ACTION))(ack=answer, lazy=[follow_up])

    def submit(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        view = body["view"]
        reason = read_new_reason(view["state"]["values"])
        mistake = new_reason_mistake(reason)
        if mistake:
            ack(response_action="errors", errors={ids.NEW_REASON: mistake})
            return
        metadata = json.loads(view.get("private_metadata") or "{}")
        reply = _record(services, str(context.team_id), int(metadata["checkin"]), Verdict.CHANGED, reason)
        context[REPLY] = reply
        ack(response_action="update", view=done_modal("Reason updated", reply["text"] if reply else "Saved."))

    app.view(ids.NEW_REASON_VIEW)(ack=submit, lazy=[reply_to_opener(REPLY)])
