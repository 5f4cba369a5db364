"""A customer's full history: every check-in and every change to its fields in a form, paged within
Block Kit's limits."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.models.views import View

from bot.operations.history import history_page
from handlers import ids
from handlers.support import Shared, actor_of, after_ack, open_view
from handlers.views.customer_card import HISTORY_PAGE_SIZE, history_modal
from handlers.views.replies import done_modal


def page_view(shared: Shared, context: BoltContext, customer_id: int, page: int) -> View:
    """Page `page` of the customer's history as a modal."""
    found = history_page(shared.services, actor_of(context), customer_id, page, page_size=HISTORY_PAGE_SIZE)
    if found is None:
        return done_modal("History", "That customer no longer exists.")
    return history_modal(
        found.customer,
        found.entries,
        page=found.page,
        checkins=found.checkins,
        changes=found.changes,
        today=found.today,
    )


def register(app: App, shared: Shared) -> None:
    def acknowledge(ack: Ack) -> None:
        ack()

    @after_ack
    def open_history(body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond) -> None:
        view = page_view(shared, context, int(body["actions"][0]["value"]), 0)
        open_view(client, body, view)

    app.action(ids.HISTORY_ACTION)(ack=acknowledge, lazy=[open_history])

    @after_ack
    def turn_page(body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond) -> None:
        customer_id, page = str(body["actions"][0]["value"]).split(":")
        view = page_view(shared, context, int(customer_id), int(page))
        client.views_update(view_id=body["view"]["id"], hash=body["view"].get("hash"), view=view)

    app.action(ids.numbered_pattern(ids.HISTORY_PAGE_ACTION))(ack=acknowledge, lazy=[turn_page])
