"""One global middleware: only the account team may use Holdfast; everyone else is politely refused."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_bolt.context.respond import Respond
from slack_bolt.middleware import Middleware
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View

from bot.access import AccessCheck, for_requests
from bot.slack_client import make_lookup_client
from bot.slack_users import SlackLookupError
from handlers.support import ACCESS_GATE_KEY, TZ_KEY, Shared
from handlers.views.common import plain, section
from handlers.views.home import refused_home
from handlers.views.replies import REFUSAL

logger = logging.getLogger("holdfast.access")

UNCHECKED = "Holdfast couldn't check with Slack who you are just now. Please try again in a moment."


def may_own(context: BoltContext, client: WebClient, user_id: str) -> bool:
    """Whether `user_id` may own customers: the same rule as using Holdfast (no guests, bots, outsiders).

    False, too, when Slack cannot say (logged): an owner nobody could check is not stored.
    """
    check: AccessCheck = context[ACCESS_GATE_KEY]
    try:
        return check(context.team_id, user_id).allowed
    except SlackLookupError as exc:
        logger.warning("could not check %s as an owner: %s", user_id, exc)
        return False


def short_answer(body: dict[str, Any], respond: Respond | None, text: str) -> BoltResponse:
    """A one-line answer instead of the request's own (a refusal, or "try again"), shaped for its kind."""
    kind = body.get("type")
    if body.get("command"):
        return BoltResponse(status=200, body={"response_type": "ephemeral", "text": text})
    if kind == "block_suggestion":
        return BoltResponse(status=200, body={"options": []})
    if kind == "view_submission":
        modal = View(
            type="modal", title=plain("Holdfast", 24), close=plain("Close", 24), blocks=[section(text)]
        )
        return BoltResponse(status=200, body={"response_action": "update", "view": modal.to_dict()})
    if body.get("response_url") and respond is not None:
        respond(text=text, response_type="ephemeral", replace_original=False)
    return BoltResponse(status=200, body="")


def publish_refusal(client: WebClient | None, user_id: str) -> None:
    """The Home tab of someone who may not use Holdfast: why, and nothing about any customer."""
    if client is None:
        return
    try:
        client.views_publish(user_id=user_id, view=refused_home())
    except SlackApiError as error:
        logger.warning("could not publish the refusal on %s's Home tab: %s", user_id, error)


class AccountTeamOnly(Middleware):
    """The global middleware refusing anyone outside the account team.

    A `Middleware` class rather than a function: Bolt builds a function middleware's arguments afresh
    on every request, which on the card's path cost more than the check itself. The check answers
    from its last good answers (see `bot.access`), so a slow Slack never holds up the ack.
    """

    def __init__(self, check: AccessCheck) -> None:
        self.check = check

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        context, body = req.context, req.body
        user_id = context.user_id
        if not user_id:
            next()
            return resp
        try:
            access = self.check(context.team_id, user_id)
        except SlackLookupError as exc:
            logger.warning("could not check %s from team %s: %s", user_id, context.team_id, exc)
            return short_answer(body, context.respond, UNCHECKED)
        user_team = (body.get("user") or {}).get("team_id") if isinstance(body.get("user"), dict) else None
        foreign = bool(user_team and context.team_id and user_team != context.team_id)
        if not access.allowed or foreign:
            logger.info("refused %s from team %s: %s", user_id, context.team_id, access.denial or "foreign")
            if (body.get("event") or {}).get("type") == "app_home_opened":
                publish_refusal(context.client, user_id)
            return short_answer(body, context.respond, REFUSAL)
        context[TZ_KEY] = (access.user or {}).get("tz")
        context[ACCESS_GATE_KEY] = self.check
        next()
        return resp


def register(app: App, shared: Shared) -> None:
    services = shared.services
    check = for_requests(services.settings, make_lookup_client(services.settings), services.clock)
    app.use(AccountTeamOnly(check))
