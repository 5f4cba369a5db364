"""The check-in form: customer typeahead, showing the chosen customer's reason, and saving it.

Also the Log check-in button (`LOG_CHECKIN_ACTION`, value: a customer id) on the card and the digest.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.models.views import View

from bot.rules.forms import checkin_mistakes
from bot.rules.nudges import reason_text
from bot.services import Services
from handlers import ids
from handlers.checkin_store import save_checkin
from handlers.support import after_ack, caller_today, request_key
from handlers.views.checkin_form import FIELD_BLOCKS, checkin_modal, read_checkin_form, selected_customer
from handlers.views.common import Json, form_errors, option
from handlers.views.replies import checkin_logged, done_modal
from storage.customers import customer_by_id
from storage.models import CheckIn
from storage.name_index import NameIndexes

TYPEAHEAD_LIMIT = 100


@lru_cache(maxsize=256)
def typeahead_options(found: tuple[tuple[int, str], ...]) -> tuple[Json, ...]:
    """The options for a typeahead answer. The name index remembers its answers, and keystrokes repeat
    the same few prefixes; building 100 escaped options was a third of a typeahead request's time."""
    return tuple(option(name, str(customer_id)) for customer_id, name in found)


def form_for(services: Services, context: BoltContext, customer_id: int | None) -> View:
    """The check-in form with the workspace's customer `customer_id` chosen and its reason shown."""
    chosen, reason = None, None
    if customer_id is not None:
        with services.database.session() as session:
            customer = customer_by_id(str(context.team_id), customer_id, session=session)
        if customer is not None and customer.id is not None:
            chosen, reason = (customer.id, customer.name), reason_text(customer)
    return checkin_modal(today=caller_today(services, context), customer=chosen, reason=reason)


def open_checkin_form(
    services: Services, client: WebClient, body: dict[str, Any], context: BoltContext, customer_id: int | None
) -> None:
    """Open (or, from inside a form, push) the check-in form with `customer_id` chosen."""
    view = form_for(services, context, customer_id)
    if (body.get("container") or {}).get("type") == "view":
        client.views_push(trigger_id=body["trigger_id"], view=view)
    else:
        client.views_open(trigger_id=body["trigger_id"], view=view)


def register(app: App, services: Services) -> None:
    names = NameIndexes(services.database)

    def suggest(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        found = names.search(
            str(context.team_id),
            str(body.get("value") or ""),
            caller_user_id=str(context.user_id),
            limit=TYPEAHEAD_LIMIT,
        )
        ack(options=typeahead_options(tuple(found)))

    app.options(ids.CHECKIN_CUSTOMER)(suggest)

    def acknowledge(ack: Ack) -> None:
        ack()

    @after_ack
    def show_reason(body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond) -> None:
        view = body["view"]
        updated = form_for(services, context, selected_customer(view["state"]["values"]))
        updated.private_metadata = view.get("private_metadata")
        client.views_update(view_id=view["id"], hash=view.get("hash"), view=updated)

    app.action(ids.CHECKIN_CUSTOMER)(ack=acknowledge, lazy=[show_reason])

    @after_ack
    def log_checkin(body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond) -> None:
        value = str(body["actions"][0].get("value") or "")
        open_checkin_form(services, client, body, context, int(value) if value.isdigit() else None)

    app.action(ids.LOG_CHECKIN_ACTION)(ack=acknowledge, lazy=[log_checkin])

    def submit(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        view = body["view"]
        draft = read_checkin_form(view["state"]["values"])
        today = caller_today(services, context)
        mistakes = checkin_mistakes(draft, today=today)
        if mistakes:
            ack(response_action="errors", errors=form_errors(mistakes, FIELD_BLOCKS))
            return
        assert draft.customer_id is not None
        assert draft.occurred_on is not None
        checkin = CheckIn(
            team_id=str(context.team_id),
            customer_id=draft.customer_id,
            occurred_on=draft.occurred_on,
            author_user_id=context.user_id,
            spoke_with=draft.spoke_with or None,
            note=draft.note,
            verdict=draft.verdict,
            new_reason=draft.new_reason or None,
            expectation=draft.expectation,
            changes=list(draft.changes),
            next_step=draft.next_step or None,
            next_step_due=draft.next_step_due if draft.next_step else None,
        )
        key = request_key("view", view.get("id"), view.get("hash"))
        stored, customer = save_checkin(services, checkin, customer_id=draft.customer_id, key=key)
        reply = checkin_logged(customer.name, stored, today=today, reason=None)
        ack(response_action="update", view=done_modal("Check-in saved", reply["blocks"][0]["text"]["text"]))

    app.view(ids.CHECKIN_VIEW)(submit)
