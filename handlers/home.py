"""The Home tab: published when someone opens it (`app_home_opened`) and again after anything that
changes what it shows, for each person affected; its Settings form; its card buttons.

The asks' buttons are the digest's own (`handlers.digest` handles them, from a message or from here).
Someone who may not use Holdfast is refused by the access middleware (`handlers.access`), which
publishes `refused_home` instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.access import AccessCheck
from bot.operations.actor import Actor
from bot.operations.home import home_for
from bot.operations.log_checkin import Logged
from bot.operations.my_book import my_book
from bot.operations.owner_settings import my_settings, save_settings
from bot.operations.team_view import NotALead, team_view_for
from bot.slack_users import SlackLookupError
from handlers import ids
from handlers.customer_command import card_for
from handlers.support import ACCESS_GATE_KEY, LOGGED, Shared, actor_of, after_ack, open_view
from handlers.views.common import form_errors, plain
from handlers.views.home import (
    SETTINGS_FIELDS,
    book_page,
    home_view,
    read_settings,
    refused_home,
    settings_modal,
)
from handlers.views.team import team_home

logger = logging.getLogger("holdfast.home")
SAVED = "holdfast_home_settings_saved"


def is_away(shared: Shared, user: dict[str, Any] | None) -> bool:
    """Whether the Slack user's status says they are away now."""
    rule = shared.services.settings.away_rule()
    return rule.is_away((user or {}).get("profile"), now_epoch=shared.services.clock().timestamp())


def publish_home(
    shared: Shared,
    client: WebClient,
    actor: Actor,
    *,
    user: dict[str, Any] | None,
    hash: str | None = None,
    lead: bool = False,
) -> None:
    """Publish `actor`'s Home (with the "Team" button for a `lead`); with `hash`, only over the view
    Slack holds with that hash (a view published meanwhile, newer than this one, wins)."""
    view = home_view(home_for(shared.services, shared.cutoffs, actor), away=is_away(shared, user), lead=lead)
    try:
        client.views_publish(user_id=actor.user_id, view=view, hash=hash)
    except SlackApiError as error:
        if error.response.get("error") == "hash_conflict":
            return
        raise


def refresh_homes(shared: Shared, client: WebClient, context: BoltContext, user_ids: Iterable[str]) -> None:
    """Publish afresh the Home of each of `user_ids` (the caller, an owner told of a change). Someone
    who may no longer use Holdfast is shown the refusal; a failure is logged, never raised: the
    change stands, and the Home is right again when next opened."""
    check: AccessCheck = context[ACCESS_GATE_KEY]
    for user_id in dict.fromkeys(user_ids):
        try:
            access = check(context.team_id, user_id)
            if not access.allowed:
                client.views_publish(user_id=user_id, view=refused_home())
                continue
            tz = actor_of(context).tz if user_id == context.user_id else None
            actor = Actor(str(context.team_id), user_id, tz or (access.user or {}).get("tz"))
            publish_home(shared, client, actor, user=access.user, lead=check.is_lead(actor.team_id, user_id))
        except (SlackApiError, SlackLookupError) as error:
            logger.warning("could not refresh the Home tab of %s: %s", user_id, error)


def owner_of(result: object) -> list[str]:
    """The owner of the customer a check-in was logged on (their Home changes too)."""
    return [result.owner_user_id] if isinstance(result, Logged) else []


def refresh_for_checkin(shared: Shared, client: WebClient, context: BoltContext) -> None:
    """After a check-in was stored handling this request (`context[LOGGED]`): publish afresh the Home
    of the caller and of the customer's owner."""
    if LOGGED in context:
        refresh_homes(shared, client, context, [str(context.user_id), *owner_of(context[LOGGED])])


def refresh_after_checkin(shared: Shared) -> Callable[..., None]:
    """`refresh_for_checkin` as post-ack work, for a listener whose ack may store a check-in."""

    @after_ack
    def refresh(body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond) -> None:
        refresh_for_checkin(shared, client, context)

    return refresh


def from_home(body: dict[str, Any]) -> bool:
    """Whether a control was pressed on the Home tab."""
    return (body.get("view") or {}).get("type") == "home"


def register(app: App, shared: Shared) -> None:
    services = shared.services

    def acknowledge(ack: Ack) -> None:
        ack()

    def opened(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        if event.get("tab") != "home":
            return
        check: AccessCheck = context[ACCESS_GATE_KEY]
        user = check.user(str(context.user_id))
        hash = (event.get("view") or {}).get("hash")
        actor = actor_of(context)
        lead = check.is_lead(actor.team_id, actor.user_id)
        publish_home(shared, client, actor, user=user, hash=hash, lead=lead)

    app.event("app_home_opened")(opened)

    @after_ack
    def show_team(body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond) -> None:
        period = 90 if body["actions"][0].get("value") == "90" else 30
        try:
            team = team_view_for(services, context[ACCESS_GATE_KEY], actor_of(context), period)
        except NotALead:
            logger.warning("refused the team view to %s: not a lead", context.user_id)
            refresh_homes(shared, client, context, [str(context.user_id)])
            return
        client.views_publish(user_id=str(context.user_id), view=team_home(team))

    app.action(ids.HOME_TEAM_ACTION)(ack=acknowledge, lazy=[show_team])

    @after_ack
    def show_my_book(body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond) -> None:
        refresh_homes(shared, client, context, [str(context.user_id)])

    app.action(ids.HOME_MY_BOOK_ACTION)(ack=acknowledge, lazy=[show_my_book])

    @after_ack
    def open_settings(
        body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
    ) -> None:
        view = settings_modal(my_settings(services, actor_of(context)))
        client.views_open(trigger_id=body["trigger_id"], view=view)

    app.action(ids.HOME_SETTINGS_ACTION)(ack=acknowledge, lazy=[open_settings])

    def submit_settings(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        result = save_settings(services, actor_of(context), read_settings(body["view"]["state"]["values"]))
        if isinstance(result, dict):
            ack(response_action="errors", errors=form_errors(result, SETTINGS_FIELDS))
            return
        context[SAVED] = True
        ack()

    @after_ack
    def settings_saved(
        body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
    ) -> None:
        if context.get(SAVED):
            refresh_homes(shared, client, context, [str(context.user_id)])

    app.view(ids.HOME_SETTINGS_VIEW)(ack=submit_settings, lazy=[settings_saved])

    @after_ack
    def open_card(body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond) -> None:
        value = str(body["actions"][0].get("value", ""))
        if not value.isdigit():
            return
        blocks, text = card_for(shared, context, int(value))
        modal = {
            "type": "modal",
            "title": plain("Customer", 24).to_dict(),
            "close": plain("Close", 24).to_dict(),
            "blocks": blocks or [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
        }
        open_view(client, body, modal)  # pushed over the whole book's pages

    app.action(ids.HOME_CARD_ACTION)(ack=acknowledge, lazy=[open_card])

    @after_ack
    def show_book(body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond) -> None:
        value = str(body["actions"][0].get("value", ""))
        book = my_book(services, shared.cutoffs, actor_of(context))
        customers = [customer for customer, _ in book.rows]
        page = book_page(
            customers, page=int(value) if value.isdigit() else 0, today=book.today, key_ids=book.key_ids
        )
        view = body.get("view") or {}
        if view.get("type") == "modal":
            client.views_update(view_id=view["id"], hash=view.get("hash"), view=page)
        else:
            client.views_open(trigger_id=body["trigger_id"], view=page)

    app.action(ids.numbered_pattern(ids.HOME_BOOK_ACTION))(ack=acknowledge, lazy=[show_book])
