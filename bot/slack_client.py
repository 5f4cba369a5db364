"""The Slack Web API clients Holdfast uses, on `SLACK_API_URL`: one with retries, one for quick lookups."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from bot.settings import Settings

RATE_LIMIT_RETRIES = 5
CONNECTION_RETRIES = 2
LOOKUP_TIMEOUT = 5  # seconds; a request waits far less for a lookup (see bot.access)


def _token(settings: Settings) -> str | None:
    return settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None


def make_web_client(
    settings: Settings, *, timeout: int = 30, retry_connection_errors: bool = True
) -> WebClient:
    """A WebClient on `SLACK_API_URL` that waits out 429s (Retry-After) and retries dropped connections.

    `retry_connection_errors=False` is for posts that must not be doubled: a dropped connection may
    come after Slack accepted the message (the digest job checks Slack before trying again).
    """
    handlers: list[RetryHandler] = [RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES)]
    if retry_connection_errors:
        handlers.insert(0, ConnectionErrorRetryHandler(max_retry_count=CONNECTION_RETRIES))
    return WebClient(
        token=_token(settings), base_url=settings.slack_api_url, timeout=timeout, retry_handlers=handlers
    )


def make_lookup_client(settings: Settings) -> WebClient:
    """A WebClient on `SLACK_API_URL` for the access check's own lookups: a short timeout, no retries.

    A 429 or a slow answer fails at once instead of waiting; the caller serves its last good answer.
    """
    return WebClient(
        token=_token(settings), base_url=settings.slack_api_url, timeout=LOOKUP_TIMEOUT, retry_handlers=[]
    )
