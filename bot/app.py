"""The Bolt app factory: one app per process, built from explicit services."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient

from bot.services import Services
from bot.slack_client import make_web_client
from handlers import listeners
from handlers.support import apology

logger = logging.getLogger("holdfast")

LISTENER_THREADS = 16


class HoldfastApp(App):
    """Bolt's App, keeping the services it was built from (the HTTP edge reads its settings)."""

    def __init__(self, services: Services, **bolt: Any) -> None:
        super().__init__(**bolt)
        self.services = services


def create_app(services: Services, *, client: WebClient | None = None) -> HoldfastApp:
    """A Bolt app with every Holdfast listener registered and one error handler."""
    settings = services.settings
    app = HoldfastApp(
        services,
        # Signatures are checked by the HTTP edge (bot.slack_edge), before Bolt parses anything, and
        # Bolt then gets the request re-encoded; a Socket Mode connection is authenticated itself.
        request_verification_enabled=False,
        client=client or make_web_client(settings),
        listener_executor=ThreadPoolExecutor(
            max_workers=LISTENER_THREADS, thread_name_prefix="holdfast-listener"
        ),
        logger=logging.getLogger("holdfast.bolt"),
        # Listeners ack from the request thread (the ack can carry the answer, e.g. the customer
        # card); anything slow or calling Slack runs after the ack as a lazy listener.
        process_before_response=True,
    )

    @app.error
    def on_error(
        error: Exception, body: dict[str, Any], respond: Any, response: BoltResponse | None
    ) -> BoltResponse | None:
        answer = apology(error, body, respond, acked=response is None)
        return answer if response is not None else None

    listeners.register(app, services)
    return app
