"""The Slack Web API client every part of Holdfast uses: `SLACK_API_URL`, with retries."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from bot.settings import Settings

RATE_LIMIT_RETRIES = 5
CONNECTION_RETRIES = 2


def make_web_client(
    settings: Settings, *, timeout: int = 30, retry_connection_errors: bool = True
) -> WebClient:
    """A WebClient on `SLACK_API_URL` that waits out 429s (Retry-After) and retries dropped connections.

    `retry_connection_errors=False` is for posts that must not be doubled: a dropped connection may
    come after Slack accepted the message (the digest job checks Slack before trying again).
    """
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    handlers: list[RetryHandler] = [RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES)]
    if retry_connection_errors:
        handlers.insert(0, ConnectionErrorRetryHandler(max_retry_count=CONNECTION_RETRIES))
    return WebClient(token=token, base_url=settings.slack_api_url, timeout=timeout, retry_handlers=handlers)
