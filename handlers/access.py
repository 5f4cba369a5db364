"""One global middleware: only the account team may use Holdfast; everyone else is politely refused."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_bolt.context.respond import Respond
from slack_bolt.middleware import Middleware
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.rules.access import may_use
from bot.services import Services
from handlers.support import ACCESS_GATE_KEY, TZ_KEY, TTLCache
from handlers.views.replies import REFUSAL, refusal_modal

logger = logging.getLogger("holdfast.access")

USER_TTL = 300.0
CANNOT_OWN = "cannot own customers in Holdfast (guests, bots and people outside the account team cannot)"
GROUP_TTL = 60.0


class AccessGate:
    """Looks the caller up (users.info, the access user group) and decides with `may_use`."""

    def __init__(self, services: Services, clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = services.settings
        self.users = TTLCache(USER_TTL, clock)
        self.groups = TTLCache(GROUP_TTL, clock)

    def __deepcopy__(self, memo: dict[int, Any]) -> AccessGate:
        # Bolt copies the context for lazy listeners; they share this gate (and its caches).
        return self

    def _user(self, client: WebClient, user_id: str) -> dict[str, Any] | None:
        try:
            user = client.users_info(user=user_id).get("user")
        except SlackApiError as error:
            logger.warning("users.info for %s failed: %s", user_id, error.response.get("error"))
            return None
        return dict(user) if user else None

    def _group(self, client: WebClient, group_id: str) -> frozenset[str]:
        try:
            users = client.usergroups_users_list(usergroup=group_id).get("users") or []
        except SlackApiError as error:
            logger.warning("usergroups.users.list for %s failed: %s", group_id, error.response.get("error"))
            return frozenset()
        return frozenset(users)

    def check(
        self, client: WebClient, team_id: str | None, user_id: str
    ) -> tuple[bool, dict[str, Any] | None]:
        user = self.users.get(user_id, lambda: self._user(client, user_id))
        group_id = self.settings.access_usergroup_id
        members = self.groups.get(group_id, lambda: self._group(client, group_id)) if group_id else None
        allowed = may_use(
            user, team_id=team_id, allowed_user_ids=self.settings.allowed_user_ids, group_members=members
        )
        return allowed, user


def may_own(context: BoltContext, client: WebClient, user_id: str) -> bool:
    """Whether `user_id` may own customers: the same rule as using Holdfast (no guests, bots, outsiders)."""
    gate: AccessGate = context[ACCESS_GATE_KEY]
    return gate.check(client, context.team_id, user_id)[0]


def refusal(body: dict[str, Any], respond: Respond | None) -> BoltResponse:
    """The polite refusal, shaped for the kind of request."""
    kind = body.get("type")
    if body.get("command"):
        return BoltResponse(status=200, body={"response_type": "ephemeral", "text": REFUSAL})
    if kind == "block_suggestion":
        return BoltResponse(status=200, body={"options": []})
    if kind == "view_submission":
        return BoltResponse(status=200, body={"response_action": "update", "view": refusal_modal().to_dict()})
    if body.get("response_url") and respond is not None:
        respond(text=REFUSAL, response_type="ephemeral", replace_original=False)
    return BoltResponse(status=200, body="")


class AccountTeamOnly(Middleware):
    """The global middleware refusing anyone outside the account team.

    A `Middleware` class rather than a function: Bolt builds a function middleware's arguments afresh
    on every request, which on the card's path cost more than the check itself.
    """

    def __init__(self, gate: AccessGate) -> None:
        self.gate = gate

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        context, body = req.context, req.body
        user_id = context.user_id
        if not user_id:
            next()
            return resp
        user_team = (body.get("user") or {}).get("team_id") if isinstance(body.get("user"), dict) else None
        allowed, user = self.gate.check(context.client, context.team_id, user_id)
        if allowed and user_team and context.team_id and user_team != context.team_id:
            allowed = False
        if not allowed:
            logger.info("refused %s from team %s", user_id, context.team_id)
            return refusal(body, context.respond)
        context[TZ_KEY] = (user or {}).get("tz")
        context[ACCESS_GATE_KEY] = self.gate
        next()
        return resp


def register(app: App, services: Services) -> None:
    app.use(AccountTeamOnly(AccessGate(services)))
