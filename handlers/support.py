"""What every handler shares: the caller's day, retry keys, the apology, post-ack work, small caches."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

from slack_bolt import BoltContext, BoltResponse
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from bot.rules.digest import local_now
from bot.rules.key_accounts import cutoff_rank
from bot.services import Services
from handlers.views.replies import apology_text
from storage.customers import active_counts, arr_at_rank

logger = logging.getLogger("holdfast")

TZ_KEY = "holdfast_tz"
# The access gate, for handlers that check someone other than the caller (a new owner).
ACCESS_GATE_KEY = "holdfast_access_gate"
KEY_CUTOFF_TTL = 60.0


def caller_today(services: Services, context: BoltContext) -> date:
    """Today in the caller's Slack time zone (the access check looked it up)."""
    return local_now(services.clock(), context.get(TZ_KEY)).date()


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
                "view": {
                    "type": "modal",
                    "title": {"type": "plain_text", "text": "Holdfast"},
                    "close": {"type": "plain_text", "text": "Close"},
                    "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
                },
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


class TTLCache:
    """A tiny thread-safe cache whose entries expire after `ttl` seconds."""

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._items: dict[str, tuple[float, Any]] = {}

    def get(self, key: str, load: Callable[[], Any]) -> Any:
        now = self._clock()
        with self._lock:
            hit = self._items.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        value = load()
        with self._lock:
            self._items[key] = (now + self.ttl, value)
        return value


class KeyCutoffs:
    """The key-account ARR cut-off per workspace, recomputed at most every `ttl` seconds."""

    def __init__(self, services: Services, ttl: float = KEY_CUTOFF_TTL) -> None:
        self._services = services
        self._cache = TTLCache(ttl)

    def __call__(self, team_id: str) -> float | None:
        def compute() -> float | None:
            with self._services.database.session() as session:
                active, with_arr = active_counts(team_id, session=session)
                rank = cutoff_rank(active, self._services.settings.key_account_share, with_arr)
                return None if rank is None else arr_at_rank(team_id, rank, session=session)

        cutoff: float | None = self._cache.get(team_id, compute)
        return cutoff
