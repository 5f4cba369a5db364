"""The Bolt app factory: one app per process, built from explicit services."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient

from bot.services import Services
from bot.slack_client import make_web_client

logger = logging.getLogger("holdfast")

Registrar = Callable[[App, Services], None]
LISTENER_THREADS = 16


def _registrars() -> list[Registrar]:
    """Every handler module's `register`; imported here so the app is the one place that lists them."""
    from handlers import digest

    return [digest.register]


def create_app(services: Services, *, client: WebClient | None = None) -> App:
    """A Bolt app with every Holdfast listener registered and one error handler."""
    settings = services.settings
    app = App(
        signing_secret=settings.slack_signing_secret.get_secret_value()
        if settings.slack_signing_secret
        else None,
        client=client or make_web_client(settings),
        listener_executor=ThreadPoolExecutor(
            max_workers=LISTENER_THREADS, thread_name_prefix="holdfast-listener"
        ),
        logger=logging.getLogger("holdfast.bolt"),
    )

    @app.error
    def on_error(error: Exception, body: dict[str, Any], respond: Any) -> BoltResponse | None:
        reference = uuid.uuid4().hex[:8]
        logger.exception("listener failed (reference %s)", reference, exc_info=error)
        message = (
            f"Sorry, something went wrong on our side. Nothing was saved twice; reference `{reference}`."
        )
        if body.get("response_url"):
            respond(text=message, response_type="ephemeral", replace_original=False)
        return BoltResponse(status=200, body="")

    for register in _registrars():
        register(app, services)
    return app
