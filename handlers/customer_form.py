"""The add-customer form: a name already taken is refused in the form.

Opened by the Add button under `/checkin <unknown>: <note>`, it also logs that check-in once the
customer is added (at most once, under the `/checkin` request's key).
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.models.views import View
from sqlalchemy.exc import IntegrityError

from bot.rules.forms import customer_mistakes, parse_arr
from bot.rules.limits import MAX_NAME
from bot.rules.names import name_key
from bot.rules.nudges import reason_text
from bot.services import Services
from bot.slack_text import safe
from handlers import ids
from handlers.access import CANNOT_OWN, may_own
from handlers.support import caller_today, reply_to_opener
from handlers.typed_checkin import TypedCheckin, log_now
from handlers.views.checkin_form import checkin_modal
from handlers.views.common import form_errors
from handlers.views.customer_form import FIELD_BLOCKS, CustomerDraft, read_customer_form
from handlers.views.replies import done_modal
from storage.customers import customer_by_name
from storage.models import Customer

REPLY = "holdfast_added_reply"
# A submission Slack retries finds the customer it added a moment ago: not a duplicate name.
RETRY_WINDOW = timedelta(minutes=10)


def _same_submission(existing: Customer, draft: CustomerDraft, owner: str, services: Services) -> bool:
    return (
        existing.owner_user_id == owner
        and (existing.original_reason or "") == draft.reason
        and existing.customer_since == draft.since
        and existing.renewal_date == draft.renewal
        and existing.arr == (parse_arr(draft.arr_text) if draft.arr_text.strip() else None)
        and services.clock() - existing.created_at < RETRY_WINDOW
    )


def _typed_checkin(view: dict[str, Any], today: date) -> TypedCheckin | None:
    """The check-in typed with `/checkin` that the form carries, if it was opened from there."""
    metadata = json.loads(view.get("private_metadata") or "{}")
    return TypedCheckin.from_fields(metadata["checkin"], today=today) if "checkin" in metadata else None


def register(app: App, services: Services) -> None:
    def after_adding(customer: Customer, typed: TypedCheckin | None, context: BoltContext) -> View:
        """What the form turns into once `customer` is added.

        Done; from `/checkin`, done with the typed check-in logged (and its reply for the Add button's
        message put in the context), or the check-in form for the customer when the note did not come
        along (none typed, or too long to carry).
        """
        name = safe(customer.name, 200)
        if typed is None:
            return done_modal(
                "Customer added", f"Added *{name}*. Log a conversation with `/checkin {name}: …`"
            )
        assert customer.id is not None
        if not typed.note:
            today = caller_today(services, context)
            return checkin_modal(
                today=today, customer=(customer.id, customer.name), reason=reason_text(customer)
            )
        reply = log_now(services, context, typed, customer_id=customer.id, key=typed.key)
        context[REPLY] = {**reply, "replace_original": True}
        return done_modal("Customer added", f"Added *{name}*.\n{reply['blocks'][0]['text']['text']}")

    def submit(ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        team_id = str(context.team_id)
        draft = read_customer_form(body["view"]["state"]["values"])
        owner = draft.owner_user_id or str(context.user_id)
        today = caller_today(services, context)
        typed = _typed_checkin(body["view"], today)
        with services.database.reader() as reader:
            looked_up = 0 < len(draft.name) <= MAX_NAME
            existing = customer_by_name(team_id, draft.name, reader=reader) if looked_up else None
        if existing is not None and _same_submission(existing, draft, owner, services):
            ack(response_action="update", view=after_adding(existing, typed, context))
            return
        mistakes = customer_mistakes(
            name=draft.name,
            name_taken=existing is not None,
            arr_text=draft.arr_text,
            since=draft.since,
            renewal=draft.renewal,
            today=today,
            reason=draft.reason,
        )
        if owner != context.user_id and not may_own(context, client, owner):
            mistakes["owner"] = f"This person {CANNOT_OWN}."
        if mistakes:
            ack(response_action="errors", errors=form_errors(mistakes, FIELD_BLOCKS))
            return
        customer = Customer(
            team_id=team_id,
            name=draft.name,
            name_key=name_key(draft.name),
            owner_user_id=owner,
            original_reason=draft.reason or None,
            original_reason_on=today if draft.reason else None,
            customer_since=draft.since,
            renewal_date=draft.renewal,
            arr=parse_arr(draft.arr_text) if draft.arr_text.strip() else None,
            created_at=services.clock(),
            updated_at=services.clock(),
        )
        try:
            with services.database.transaction() as session:
                session.add(customer)
        except IntegrityError:
            ack(
                response_action="errors",
                errors={ids.CUSTOMER_NAME: "A customer with this name already exists."},
            )
            return
        ack(response_action="update", view=after_adding(customer, typed, context))

    # From `/checkin`, the message with the Add button then shows the check-in logged.
    app.view(ids.CUSTOMER_VIEW)(ack=submit, lazy=[reply_to_opener(REPLY)])
