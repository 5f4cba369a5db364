"""What Holdfast asks Slack about people: the token's workspace, who has an e-mail address, who a user is."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web import SlackResponse

from bot.settings import Settings

TEAM_ID = re.compile(r"T[A-Z0-9]{2,31}")


class SlackLookupError(Exception):
    """Slack could not answer; the message is one line saying why."""


def _call(
    method: str, call: Callable[[], SlackResponse], *, none_on: str | None = None
) -> SlackResponse | None:
    """Slack's answer; None when it is the error `none_on`; any other failure as one line."""
    try:
        return call()
    except SlackApiError as exc:
        if none_on is not None and exc.response.get("error") == none_on:
            return None
        raise SlackLookupError(f"Slack refused {method} ({exc.response.get('error')})") from None
    except (SlackClientError, OSError) as exc:
        raise SlackLookupError(f"cannot reach Slack for {method} ({type(exc).__name__}: {exc})") from None


def resolve_team_id(
    team: str | None, settings: Settings, make_client: Callable[[Settings], WebClient]
) -> str:
    """The workspace for an import: `--team`, else SLACK_TEAM_ID, else asked of Slack with the bot token."""
    for source, value in (("--team", team), ("SLACK_TEAM_ID", settings.slack_team_id)):
        if value is not None:
            if not TEAM_ID.fullmatch(value):
                raise SlackLookupError(f"{source} '{value}' is not a Slack workspace ID (like T0123ABCD)")
            return value
    if settings.slack_bot_token is None:
        raise SlackLookupError(
            "which workspace? Pass --team T0123ABCD, or set SLACK_TEAM_ID, or set SLACK_BOT_TOKEN "
            "so Holdfast can ask Slack"
        )
    client = make_client(settings)
    answer = _call("auth.test", client.auth_test)
    assert answer is not None
    return str(answer["team_id"])


def user_ids_by_email(client: WebClient, emails: Iterable[str]) -> dict[str, str]:
    """Each e-mail address that belongs to an active Slack user, mapped to the user's ID."""
    found: dict[str, str] = {}
    for email in emails:
        answer = _call(
            "users.lookupByEmail", partial(client.users_lookupByEmail, email=email), none_on="users_not_found"
        )
        user = answer["user"] if answer is not None else None
        if user is not None and not user.get("deleted"):
            found[email] = str(user["id"])
    return found


def lookup_user(client: WebClient, user_id: str) -> dict[str, Any] | None:
    """The `users.info` user, or None when Slack knows no such user; any other failure raises."""
    answer = _call("users.info", partial(client.users_info, user=user_id), none_on="user_not_found")
    user = answer.get("user") if answer is not None else None
    return dict(user) if isinstance(user, dict) else None


def lookup_group(client: WebClient, group_id: str) -> frozenset[str]:
    """The user IDs in a user group (`usergroups.users.list`); a failure raises."""
    answer = _call("usergroups.users.list", partial(client.usergroups_users_list, usergroup=group_id))
    assert answer is not None
    return frozenset(answer.get("users") or ())
