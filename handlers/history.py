"""A customer's full history: every check-in in a form, paged within Block Kit's limits."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.models.views import View

from bot.services import Services
from handlers import ids
from handlers.support import after_ack, caller_today
from handlers.views.customer_card import HISTORY_PAGE_SIZE, history_modal
from handlers.views.replies import done_modal
from storage.checkins import checkin_count, latest_checkins
from storage.customers import customer_by_id
from storage.fast_read import Reader


def history_page(services: Services, context: BoltContext, customer_id: int, page: int) -> View:
    with services.database.session() as session:
        customer = customer_by_id(str(context.team_id), customer_id, session=session)
        if customer is None or customer.id is None:
            return done_modal("Check-in history", "That customer no longer exists.")
        total = checkin_count(customer.id, session=session)
        page = max(0, min(page, max(0, (total - 1) // HISTORY_PAGE_SIZE)))
        checkins = latest_checkins(
            customer.id, reader=Reader.of(session), limit=HISTORY_PAGE_SIZE, offset=page * HISTORY_PAGE_SIZE
        )
        return history_modal(
            customer, checkins, page=page, total=total, today=caller_today(services, context)
        )


def register(app: App, services: Services) -> None:
    def acknowledge(ack: Ack) -> None:
        ack()

    @after_ack
    def open_history(body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond) -> None:
        view = history_page(services, context, int(body["actions"][0]["value"]), 0)
        if (body.get("container") or {}).get("type") == "view":
            client.views_push(trigger_id=body["trigger_id"], view=view)
        else:
            client.views_open(trigger_id=body["trigger_id"], view=view)

    app.action(ids.HISTORY_ACTION)(ack=acknowledge, lazy=[open_history])

    @after_ack
    def turn_page(body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond) -> None:
        customer_id, page = str(body["actions"][0]["value"]).split(":")
        view = history_page(services, context, int(customer_id), int(page))
        client.views_update(view_id=body["view"]["id"], hash=body["view"].get("hash"), view=view)

    app.action(ids.numbered_pattern(ids.HISTORY_PAGE_ACTION))(ack=acknowledge, lazy=[turn_page])
