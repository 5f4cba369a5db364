"""manifest.json creates the Slack app Holdfast needs: two commands, the Home tab, the scopes it uses,
Socket Mode."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

MANIFEST = Path(__file__).resolve().parent.parent / "manifest.json"
REQUEST_URL = "https://example.com/slack/events"


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(MANIFEST.read_text("utf-8"))
    return loaded


def test_bot_user_and_app_home(manifest: dict[str, Any]) -> None:
    features = manifest["features"]
    assert manifest["display_information"]["name"] == "Holdfast"
    assert features["bot_user"]["display_name"] == "Holdfast"
    assert features["app_home"]["messages_tab_enabled"] is True
    assert features["app_home"]["home_tab_enabled"] is True


def test_the_home_tab_event_is_subscribed_for_http_and_socket_mode(manifest: dict[str, Any]) -> None:
    events = manifest["settings"]["event_subscriptions"]
    assert events == {"request_url": REQUEST_URL, "bot_events": ["app_home_opened"]}


def test_slash_commands(manifest: dict[str, Any]) -> None:
    commands = {command["command"]: command for command in manifest["features"]["slash_commands"]}
    assert commands == {
        "/checkin": {
            "command": "/checkin",
            "url": REQUEST_URL,
            "description": "Log a customer conversation",
            "usage_hint": "[customer][: note #holds|#weakened|#changed]",
            "should_escape": False,
        },
        "/customer": {
            "command": "/customer",
            "url": REQUEST_URL,
            "description": "Look up, list or add customers",
            "usage_hint": "[name] | add [name]",
            "should_escape": False,
        },
    }


def test_only_the_scopes_the_bot_needs(manifest: dict[str, Any]) -> None:
    assert manifest["oauth_config"]["scopes"] == {
        "bot": [
            "commands",
            "chat:write",
            "im:write",
            "im:history",
            "users:read",
            "users:read.email",
            "usergroups:read",
            "files:write",  # the team digest's chart (Slack's external upload flow)
            "channels:history",  # the team digest, before a retry, looks for a post that got through
            "groups:history",  # the same, when the team digest's channel is private
        ]
    }


def test_settings(manifest: dict[str, Any]) -> None:
    settings = manifest["settings"]
    assert settings["interactivity"] == {
        "is_enabled": True,
        "request_url": REQUEST_URL,
        "message_menu_options_url": REQUEST_URL,  # the check-in form's customer typeahead
    }
    assert settings["socket_mode_enabled"] is True
    assert settings["org_deploy_enabled"] is False
