"""The add-customer form: a name already taken is refused in the form.

Opened by the Add button under `/checkin <unknown>: <note>`, it also logs that check-in once the
customer is added (at most once, under the `/checkin` request's key).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.models.views import View

from bot.operations.add_customer import Added, add_customer
from bot.rules.nudges import reason_text
from handlers import ids
from handlers.access import may_own
from handlers.home import refresh_after_checkin
from handlers.support import Shared, actor_of, caller_today, reply_to_opener
from handlers.typed_checkin import TypedCheckin, log_now
from handlers.views.checkin_form import checkin_modal
from handlers.views.common import form_errors
from handlers.views.customer_form import FIELD_BLOCKS, read_customer_form
from handlers.views.replies import done_modal
from handlers.views.text import safe

REPLY = "holdfast_added_reply"


def _typed_checkin(view: dict[str, Any], today: date) -> TypedCheckin | None:
    """The check-in typed with `/checkin` that the form carries, if it was opened from there."""
    metadata = json.loads(view.get("private_metadata") or "{}")
    return TypedCheckin.from_fields(metadata["checkin"], today=today) if "checkin" in metadata else None


def register(app: App, shared: Shared) -> None:
    def after_adding(added: Added, typed: TypedCheckin | None, context: BoltContext) -> View:
        """What the form turns into once the customer is added.

        Done; from `/checkin`, done with the typed check-in logged (and its reply for the Add button's
        message put in the context), or the check-in form for the customer when the note did not come
        along (none typed, or too long to carry).
        """
        customer = added.customer
        name = safe(customer.name, 200)
        if typed is None:
            return done_modal(
                "Customer added", f"Added *{name}*. Log a conversation with `/checkin {name}: …`"
            )
        assert customer.id is not None
        if not typed.note:
            return checkin_modal(
                today=added.today,
                customer=(customer.id, customer.name),
                reason=reason_text(customer),
                themes=shared.services.settings.themes(),
            )
        reply = log_now(shared, context, typed, customer_id=customer.id, key=typed.key)
        context[REPLY] = {**reply, "replace_original": True}
        return done_modal("Customer added", f"Added *{name}*.\n{reply['blocks'][0]['text']['text']}")

    def submit(ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        new = read_customer_form(body["view"]["state"]["values"])
        typed = _typed_checkin(body["view"], caller_today(shared, context))
        result = add_customer(
            shared.services, actor_of(context), new, may_own=lambda owner: may_own(context, client, owner)
        )
        if isinstance(result, Added):
            ack(response_action="update", view=after_adding(result, typed, context))
        else:
            ack(response_action="errors", errors=form_errors(result.mistakes, FIELD_BLOCKS))

    # From `/checkin`, the message with the Add button then shows the check-in logged.
    app.view(ids.CUSTOMER_VIEW)(ack=submit, lazy=[reply_to_opener(REPLY), refresh_after_checkin(shared)])
