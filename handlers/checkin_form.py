"""The check-in form: customer typeahead and saving it (its fields that follow a choice are in
`handlers.form_choices`). Once saved, the Home tabs of the caller and the customer's owner are
published afresh.

Also the Log check-in button (`LOG_CHECKIN_ACTION`, value: a customer id) on the card and the digest;
a form opened from the digest names the message in its metadata, and saving folds that customer's
entry into one line (`collapse_digest_at`).
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.models.views import View

from bot.operations.chosen_customer import chosen_customer
from bot.operations.log_checkin import NotLogged, log_checkin
from handlers import ids
from handlers.digest import collapse_digest_at, digest_location, logged_note
from handlers.home import refresh_for_checkin
from handlers.support import LOGGED, Shared, actor_of, after_ack, caller_today, open_view, request_key
from handlers.views.checkin_form import (
    FIELD_BLOCKS,
    checkin_modal,
    read_checkin_form,
    read_new_reason_theme,
    selected_customer,
)
from handlers.views.common import Json, form_errors
from handlers.views.hand_built import option
from handlers.views.replies import checkin_logged, done_modal

TYPEAHEAD_LIMIT = 100


@lru_cache(maxsize=256)
def typeahead_options(found: tuple[tuple[int, str], ...]) -> tuple[Json, ...]:
    """The options for a typeahead answer. The name index remembers its answers, and keystrokes repeat
    the same few prefixes; building 100 escaped options was a third of a typeahead request's time."""
    return tuple(option(name, str(customer_id)) for customer_id, name in found)


def form_for(shared: Shared, context: BoltContext, customer_id: int | None) -> View:
    """The check-in form with the workspace's customer `customer_id` chosen and its reason shown."""
    chosen = chosen_customer(shared.services, actor_of(context), customer_id)
    return checkin_modal(
        today=caller_today(shared, context),
        customer=(chosen.customer_id, chosen.name) if chosen else None,
        reason=chosen.reason if chosen else None,
        themes=shared.services.settings.themes(),
    )


def open_checkin_form(
    shared: Shared, client: WebClient, body: dict[str, Any], context: BoltContext, customer_id: int | None
) -> None:
    """Open (or, from inside a form, push) the check-in form with `customer_id` chosen; from a
    digest entry, the form remembers the message, to fold the entry once saved."""
    view = form_for(shared, context, customer_id)
    action = (body.get("actions") or [{}])[0]
    where = digest_location(body)
    if (
        customer_id is not None
        and where
        and str(action.get("block_id", "")).startswith(ids.DIGEST_ACTIONS_BLOCK)
    ):
        view.private_metadata = json.dumps({"digest": where, "customer": customer_id})
    open_view(client, body, view)


def register(app: App, shared: Shared) -> None:
    def suggest(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        found = shared.names.suggest(actor_of(context), str(body.get("value") or ""), limit=TYPEAHEAD_LIMIT)
        ack(options=typeahead_options(found))

    app.options(ids.CHECKIN_CUSTOMER)(suggest)

    def acknowledge(ack: Ack) -> None:
        ack()

    @after_ack
    def open_for_customer(
        body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
    ) -> None:
        value = str(body["actions"][0].get("value") or "")
        open_checkin_form(shared, client, body, context, int(value) if value.isdigit() else None)

    app.action(ids.LOG_CHECKIN_ACTION)(ack=acknowledge, lazy=[open_for_customer])

    def submit(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        view = body["view"]
        values = view["state"]["values"]
        draft = read_checkin_form(values)
        key = request_key("view", view.get("id"), view.get("hash"))
        theme = read_new_reason_theme(values)
        result = log_checkin(shared.services, actor_of(context), draft, key=key, new_reason_theme=theme)
        if isinstance(result, NotLogged):
            ack(response_action="errors", errors=form_errors(result.mistakes, FIELD_BLOCKS))
            return
        reply = checkin_logged(result.customer_name, result.checkin, today=result.today, reason=None)
        context[LOGGED] = result
        ack(response_action="update", view=done_modal("Check-in saved", reply["blocks"][0]["text"]["text"]))

    @after_ack
    def fold_digest_entry(
        body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
    ) -> None:
        metadata = json.loads(body["view"].get("private_metadata") or "{}")
        result = context.get(LOGGED)
        # Only the entry of the customer the form was opened for: the form lets the customer change.
        if result is not None and metadata.get("digest") and saved_for_entry(body, metadata):
            collapse_digest_at(client, metadata["digest"], int(metadata["customer"]), logged_note(result))
        refresh_for_checkin(shared, client, context)

    app.view(ids.CHECKIN_VIEW)(ack=submit, lazy=[fold_digest_entry])


def saved_for_entry(body: dict[str, Any], metadata: dict[str, Any]) -> bool:
    """Whether the form was saved for the customer of the digest entry that opened it."""
    return selected_customer(body["view"]["state"]["values"]) == metadata.get("customer")
