"""What every handler shares: the caller, retry keys, the apology, post-ack work, the app's caches."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from slack_bolt import BoltContext, BoltResponse
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.models.views import View
from slack_sdk.webhook import WebhookClient

from bot.operations.actor import Actor
from bot.operations.key_accounts import KeyCutoffs
from bot.operations.suggest_customers import CustomerNames
from bot.services import Services
from handlers.views.replies import apology_modal, apology_text

logger = logging.getLogger("holdfast")

TZ_KEY = "holdfast_tz"
# The access gate, for handlers that check someone other than the caller (a new owner).
ACCESS_GATE_KEY = "holdfast_access_gate"
# The `Logged` result of a check-in stored while handling the request (`handlers.home` refreshes).
LOGGED = "holdfast_logged"


def request_key(*parts: object) -> str:
    """A stable key for one Slack request: a retry of it gives the same key."""
    return hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()[:64]


def apology(
    error: Exception, body: dict[str, Any], respond: Respond | None, *, acked: bool = False
) -> BoltResponse:
    """Log the traceback with a reference; the user sees a short apology instead of an error.

    Before the ack the apology is the ack itself; after it, it goes to the response URL.
    """
    reference = uuid.uuid4().hex[:8]
    logger.exception("listener failed (reference %s)", reference, exc_info=error)
    text = apology_text(reference)
    if acked:
        if respond is not None and body.get("response_url"):
            respond(text=text, response_type="ephemeral", replace_original=False)
        return BoltResponse(status=200, body="")
    kind = body.get("type")
    if kind == "block_suggestion":
        return BoltResponse(status=200, body={"options": []})
    if kind == "view_submission":
        return BoltResponse(
            status=200,
            body={
                "response_action": "update",
                "view": apology_modal(reference).to_dict(),
            },
        )
    if body.get("command"):
        return BoltResponse(status=200, body={"response_type": "ephemeral", "text": text})
    if respond is not None and body.get("response_url"):
        respond(text=text, response_type="ephemeral", replace_original=False)
    return BoltResponse(status=200, body="")


def after_ack(func: Callable[..., None]) -> Callable[..., None]:
    """Wrap work that runs after the ack (a Bolt lazy listener) so a failure apologises like the app does.

    The wrapped function is called with `body`, `client`, `context` and `respond`.
    """

    def run(body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond) -> None:
        try:
            func(body=body, client=client, context=context, respond=respond)
        except Exception as error:  # noqa: BLE001 - reported with its traceback by apology()
            apology(error, body, respond, acked=True)

    functools.update_wrapper(run, func, assigned=("__module__", "__name__", "__qualname__", "__doc__"))
    # Bolt reads the arguments to inject from the unwrapped function: keep them `run`'s.
    vars(run).pop("__wrapped__", None)
    return run


def reply_to_opener(reply_key: str) -> Callable[..., None]:
    """Post-ack work for a form opened by a message's button: `context[reply_key]`, when set, goes to
    the `response_url` in the form's metadata (replacing that message when the reply says so).
    """

    @after_ack
    def send_reply(body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond) -> None:
        metadata = json.loads(body["view"].get("private_metadata") or "{}")
        if context.get(reply_key) and metadata.get("response_url"):
            WebhookClient(metadata["response_url"]).send_dict(context[reply_key])

    return send_reply


@dataclass(frozen=True)
class Shared:
    """What the listeners of one app share: its services and its caches (one of each per app)."""

    services: Services
    cutoffs: KeyCutoffs
    names: CustomerNames


def open_view(client: WebClient, body: dict[str, Any], view: View | dict[str, Any]) -> None:
    """Open `view` for a pressed control: pushed over the modal it was pressed in, else opened (from a
    message or the Home tab, where `views.push` has no modal to push onto)."""
    if (body.get("view") or {}).get("type") == "modal":
        client.views_push(trigger_id=body["trigger_id"], view=view)
    else:
        client.views_open(trigger_id=body["trigger_id"], view=view)


def actor_of(context: BoltContext) -> Actor:
    """The caller, in their workspace and Slack time zone (the access check looked it up)."""
    return Actor(str(context.team_id), str(context.user_id), context.get(TZ_KEY))


def caller_today(shared: Shared, context: BoltContext) -> date:
    """The caller's calendar day now."""
    return actor_of(context).today(shared.services.clock())
