"""The answer to "Does '<their reason>' still hold?" under a logged check-in, and the new-reason form."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot.operations.record_verdict import Recorded, question, record_verdict
from bot.rules.forms import new_reason_mistake
from bot.rules.vocabulary import Verdict
from handlers import ids
from handlers.support import Shared, actor_of, after_ack, reply_to_opener
from handlers.views.checkin_form import new_reason_modal, read_new_reason
from handlers.views.replies import done_modal, verdict_recorded

REPLY = "holdfast_verdict_reply"
ASK_NEW_REASON = "holdfast_ask_new_reason"


def _reply(recorded: Recorded | None) -> dict[str, Any]:
    if recorded is None:
        return {"text": "That check-in no longer exists.", "replace_original": True}
    return verdict_recorded(recorded.customer_name, recorded.verdict, recorded.reason)


def register(app: App, shared: Shared) -> None:
    def answer(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        action = body["actions"][0]
        verdict = Verdict(str(action["action_id"]).split(":", 1)[1])
        checkin_id = int(action["value"])
        if verdict == Verdict.CHANGED:
            context[ASK_NEW_REASON] = question(shared.services, actor_of(context), checkin_id)
        else:
            context[REPLY] = _reply(record_verdict(shared.services, actor_of(context), checkin_id, verdict))
        ack()

    @after_ack
    def follow_up(body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond) -> None:
        if context.get(REPLY):
            respond(**context[REPLY])
        ask = context.get(ASK_NEW_REASON)
        if ask:
            view = new_reason_modal(
                checkin_id=int(body["actions"][0]["value"]),
                customer_name=ask.customer_name,
                reason=ask.reason,
                metadata={"response_url": body.get("response_url")},
                themes=shared.services.settings.themes(),
            )
            client.views_open(trigger_id=body["trigger_id"], view=view)

    app.action(ids.numbered_pattern(ids.ANSWER_VERDICT_ACTION))(ack=answer, lazy=[follow_up])

    def submit(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        view = body["view"]
        reason, theme = read_new_reason(view["state"]["values"])
        mistake = new_reason_mistake(reason)
        if mistake:
            ack(response_action="errors", errors={ids.NEW_REASON: mistake})
            return
        metadata = json.loads(view.get("private_metadata") or "{}")
        recorded = record_verdict(
            shared.services, actor_of(context), int(metadata["checkin"]), Verdict.CHANGED, reason, theme
        )
        reply = context[REPLY] = _reply(recorded) if recorded else None
        ack(response_action="update", view=done_modal("Reason updated", reply["text"] if reply else "Saved."))

    app.view(ids.NEW_REASON_VIEW)(ack=submit, lazy=[reply_to_opener(REPLY)])
