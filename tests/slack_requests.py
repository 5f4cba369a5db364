"""Requests exactly as Slack sends them: form bodies signed with v0 HMAC-SHA256."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from typing import Any
from urllib.parse import urlencode

SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"
TEAM_ID = "T0001"


def signed_headers(
    body: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None, retry_num: int | None = None
) -> dict[str, str]:
    """Slack's signature headers for `body` (timestamp defaults to now)."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": f"v0={digest}",
    }
    if retry_num is not None:
        headers["X-Slack-Retry-Num"] = str(retry_num)
        headers["X-Slack-Retry-Reason"] = "http_timeout"
    return headers


def slash_command(
    command: str,
    text: str,
    *,
    user_id: str = "U1",
    team_id: str = TEAM_ID,
    response_url: str = "http://127.0.0.1:9/response",
    trigger_id: str | None = None,
    channel_id: str = "C1",
) -> str:
    """The form body of a slash command invocation."""
    return urlencode(
        {
            "token": "legacy-verification-token",
            "team_id": team_id,
            "team_domain": "example",
            "channel_id": channel_id,
            "channel_name": "general",
            "user_id": user_id,
            "user_name": user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": "A0001",
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id or f"trigger-{uuid.uuid4().hex}",
        }
    )


def interaction(payload: dict[str, Any]) -> str:
    """The form body of an interaction (block action, view submission, block suggestion)."""
    return urlencode({"payload": json.dumps(payload)})


def _envelope(kind: str, user_id: str, team_id: str) -> dict[str, Any]:
    """What every interaction payload starts with: its type, workspace, user and app."""
    return {
        "type": kind,
        "team": {"id": team_id, "domain": "example"},
        "user": {"id": user_id, "team_id": team_id},
        "api_app_id": "A0001",
        "token": "legacy-verification-token",
    }


def block_action(
    action_id: str,
    value: str,
    *,
    user_id: str = "U1",
    team_id: str = TEAM_ID,
    response_url: str = "http://127.0.0.1:9/response",
    message: dict[str, Any] | None = None,
    channel_id: str = "D1",
    block_id: str = "b",
) -> dict[str, Any]:
    """A block_actions payload for one button press."""
    payload: dict[str, Any] = {
        **_envelope("block_actions", user_id, team_id),
        "trigger_id": f"trigger-{uuid.uuid4().hex}",
        "response_url": response_url,
        "container": {"type": "message", "channel_id": channel_id, "message_ts": "1.000001"},
        "channel": {"id": channel_id},
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": block_id,
                "value": value,
                "action_ts": str(time.time()),
            }
        ],
    }
    if message is not None:
        payload["message"] = message
    return payload


def message_action(
    action: dict[str, Any],
    *,
    message: dict[str, Any],
    channel_id: str,
    user_id: str = "U1",
    team_id: str = TEAM_ID,
) -> dict[str, Any]:
    """A block_actions payload for any control (select, users_select, button) in a posted message."""
    payload = block_action(
        str(action["action_id"]),
        str(action.get("value", "")),
        user_id=user_id,
        team_id=team_id,
        message=message,
        channel_id=channel_id,
        block_id=str(action.get("block_id", "b")),
    )
    payload["container"]["message_ts"] = message["ts"]
    payload["actions"] = [{"action_ts": str(time.time()), **action}]
    return payload


def view_submission(
    callback_id: str,
    values: dict[str, dict[str, Any]],
    *,
    user_id: str = "U1",
    team_id: str = TEAM_ID,
    view_id: str = "V0001",
    view_hash: str = "1.hash",
    private_metadata: str = "",
) -> dict[str, Any]:
    """A view_submission payload; `values` maps block id → {action id: value dict}."""
    return {
        **_envelope("view_submission", user_id, team_id),
        "trigger_id": f"trigger-{uuid.uuid4().hex}",
        "view": {
            "id": view_id,
            "team_id": team_id,
            "type": "modal",
            "callback_id": callback_id,
            "hash": view_hash,
            "private_metadata": private_metadata,
            "blocks": [],
            "state": {"values": values},
        },
        "response_urls": [],
    }


def block_suggestion(
    action_id: str, value: str, *, user_id: str = "U1", team_id: str = TEAM_ID, view_id: str = "V0001"
) -> dict[str, Any]:
    """A block_suggestion payload: what someone typed into an external select in a form."""
    return {
        **_envelope("block_suggestion", user_id, team_id),
        "action_id": action_id,
        "block_id": action_id,
        "value": value,
        "container": {"type": "view", "view_id": view_id},
        "view": {"id": view_id, "type": "modal", "callback_id": "checkin_form", "state": {"values": {}}},
    }


def view_action(
    action_id: str,
    value: str | None = None,
    *,
    user_id: str = "U1",
    team_id: str = TEAM_ID,
    view: dict[str, Any] | None = None,
    action: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A block_actions payload from inside a form (no response_url)."""
    view = view or {"id": "V0001", "hash": "1.hash", "type": "modal", "state": {"values": {}}}
    return {
        **_envelope("block_actions", user_id, team_id),
        "trigger_id": f"trigger-{uuid.uuid4().hex}",
        "container": {"type": "view", "view_id": view["id"]},
        "view": view,
        "actions": [action or {"type": "button", "action_id": action_id, "block_id": "b", "value": value}],
    }


def app_home_opened(
    *, user_id: str = "U1", team_id: str = TEAM_ID, view: dict[str, Any] | None = None, tab: str = "home"
) -> str:
    """The JSON body of an `app_home_opened` event (Events API), with the Home view Slack holds."""
    event: dict[str, Any] = {
        "type": "app_home_opened",
        "user": user_id,
        "channel": f"D{user_id}",
        "tab": tab,
        "event_ts": str(time.time()),
    }
    if view is not None:
        event["view"] = view
    return json.dumps(
        {
            "token": "legacy-verification-token",
            "team_id": team_id,
            "api_app_id": "A0001",
            "event": event,
            "type": "event_callback",
            "event_id": f"Ev{uuid.uuid4().hex[:10]}",
            "event_time": int(time.time()),
        }
    )


def home_action(
    action: dict[str, Any], *, home: dict[str, Any], user_id: str = "U1", team_id: str = TEAM_ID
) -> dict[str, Any]:
    """A block_actions payload for a control pressed on the Home tab `home` (as Slack holds it)."""
    return {
        **_envelope("block_actions", user_id, team_id),
        "trigger_id": f"trigger-{uuid.uuid4().hex}",
        "container": {"type": "view", "view_id": home["id"]},
        "view": home,
        "actions": [{"action_ts": str(time.time()), **action}],
    }
