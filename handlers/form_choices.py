"""Form fields that follow a choice: the check-in form shows the chosen customer's reason and asks
for the new one and its theme once their reason "changed", and the add-customer form drops its reason
input and its theme while "Not known yet" is ticked.

Each choice dispatches (`dispatch_action`); the form is rebuilt from its state and sent with
`views.update` and the view's hash (a form changed meanwhile is left as it is). Every input keeps its
block id, so Slack keeps what was already typed.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.models.views import View

from bot.operations.chosen_customer import chosen_customer
from handlers import ids
from handlers.support import Shared, actor_of, after_ack, caller_today
from handlers.views.checkin_form import checkin_modal, selected_customer, selected_verdict
from handlers.views.customer_form import customer_modal, reason_unknown


def checkin_form_now(shared: Shared, context: BoltContext, view: dict[str, Any]) -> View:
    """The check-in form `view` as its state asks: the chosen customer's reason shown, and the new
    reason asked for when "changed" is chosen; its metadata kept."""
    values = view["state"]["values"]
    chosen = chosen_customer(shared.services, actor_of(context), selected_customer(values))
    updated = checkin_modal(
        today=caller_today(shared, context),
        customer=(chosen.customer_id, chosen.name) if chosen else None,
        reason=chosen.reason if chosen else None,
        verdict=selected_verdict(values),
        themes=shared.services.settings.themes(),
    )
    updated.private_metadata = view.get("private_metadata")
    return updated


def register(app: App, shared: Shared) -> None:
    def acknowledge(ack: Ack) -> None:
        ack()

    @after_ack
    def follow_checkin_choice(
        body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
    ) -> None:
        view = body["view"]
        client.views_update(
            view_id=view["id"], hash=view.get("hash"), view=checkin_form_now(shared, context, view)
        )

    app.action(ids.CHECKIN_VERDICT)(ack=acknowledge, lazy=[follow_checkin_choice])
    app.action(ids.CHECKIN_CUSTOMER)(ack=acknowledge, lazy=[follow_checkin_choice])

    @after_ack
    def follow_reason_unknown(
        body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
    ) -> None:
        view = body["view"]
        updated = customer_modal(
            owner_user_id=str(context.user_id),
            reason_unknown=reason_unknown(view["state"]["values"]),
            themes=shared.services.settings.themes(),
        )
        updated.private_metadata = view.get("private_metadata")
        client.views_update(view_id=view["id"], hash=view.get("hash"), view=updated)

    app.action(ids.CUSTOMER_REASON_UNKNOWN)(ack=acknowledge, lazy=[follow_reason_unknown])
