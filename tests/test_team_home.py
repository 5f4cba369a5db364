"""Who is a lead, and the team view on a lead's Home tab: "Team" beside Settings publishes it, "My
book" goes back; a non-lead never sees it, not even with a forged Team button."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from slack_sdk import WebClient

from bot.access import for_one_run
from bot.operations.actor import Actor
from bot.operations.team_view import NotALead, team_view_for
from bot.settings import Settings
from handlers import ids
from handlers.views.home import MAX_HOME_BLOCKS
from handlers.views.team import team_home
from storage.db import Database
from tests.live_app import TODAY, LiveApp, all_text, serve_app
from tests.report_book import seed_report_book
from tests.slack_requests import TEAM_ID, app_home_opened, home_action
from tests.slack_stub import SlackStub


@pytest.fixture
def lead_app(db: Database, slack: SlackStub) -> Iterator[LiveApp]:
    """The app with U1 a lead (LEAD_USER_IDS), U2 an owner only, and the hand-computed book."""
    for user_id in ("U1", "U2"):
        slack.add_user(user_id)
    seed_report_book(db, TODAY)
    with serve_app(db, slack, lead_user_ids="U1") as running:
        yield running


def open_home(live: LiveApp, user_id: str) -> dict[str, Any]:
    before = len(live.slack.calls_to("views.publish"))
    live.event(app_home_opened(user_id=user_id))
    live.slack.wait_for("views.publish", before + 1)
    return live.slack.homes[user_id]


def buttons(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["action_id"]: e for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]}


def press(live: LiveApp, user_id: str, home: dict[str, Any], action_id: str, value: str) -> dict[str, Any]:
    before = len(live.slack.calls_to("views.publish"))
    live.interact(
        home_action({"type": "button", "action_id": action_id, "value": value}, home=home, user_id=user_id)
    )
    (call,) = live.slack.wait_for("views.publish", before + 1)[before:]
    assert call.args["user_id"] == user_id
    return live.slack.homes[user_id]


def test_a_lead_sees_the_team_from_the_team_button_and_goes_back_to_their_book(lead_app: LiveApp) -> None:
    home = open_home(lead_app, "U1")
    assert buttons(home)[ids.HOME_TEAM_ACTION]["text"]["text"] == "Team"

    team = press(lead_app, "U1", home, ids.HOME_TEAM_ACTION, "30")
    text = all_text(team["blocks"])
    assert "Reason coverage: 58%" in text  # 1,000 of 1,730
    assert "<@U2>" in text
    assert "<@U3> · may not use Holdfast" in text
    assert "*Renewal* · <@U2> · $300 · renewal in 10 days" in text
    assert "*price* · 3 customers · $1,400 · 67% eroding · changed to: integration 1" in text
    assert len(team["blocks"]) <= MAX_HOME_BLOCKS
    assert set(buttons(team)) == {ids.HOME_MY_BOOK_ACTION, ids.HOME_TEAM_ACTION}
    assert buttons(team)[ids.HOME_TEAM_ACTION]["value"] == "90"

    ninety = press(lead_app, "U1", team, ids.HOME_TEAM_ACTION, "90")
    assert "Last 90 days" in all_text(ninety["blocks"])
    back = press(lead_app, "U1", ninety, ids.HOME_MY_BOOK_ACTION, "book")
    assert "Your book in Holdfast" in all_text(back["blocks"])


def test_an_owner_has_no_team_button_and_a_forged_one_shows_only_their_own_book(lead_app: LiveApp) -> None:
    home = open_home(lead_app, "U2")
    assert ids.HOME_TEAM_ACTION not in buttons(home)

    after = press(lead_app, "U2", home, ids.HOME_TEAM_ACTION, "30")
    text = all_text(after["blocks"])
    assert "Your book in Holdfast" in text
    assert "Reason coverage" not in text
    assert "<@U1>" not in text
    assert "Key Big" not in text


def lead_check(slack: SlackStub, **settings: Any) -> Any:
    values: dict[str, Any] = {"_env_file": None, "slack_api_url": slack.api_url, **settings}
    return for_one_run(Settings(**values), WebClient(token="xoxb-test", base_url=slack.api_url))


@pytest.mark.parametrize(
    ("settings", "user_id", "lead"),
    [
        ({}, "U1", False),  # nobody is a lead unless named
        ({"lead_user_ids": "U1"}, "U1", True),
        ({"lead_user_ids": "U1"}, "U2", False),
        ({"lead_usergroup_id": "SLEADS"}, "U2", True),
        ({"lead_usergroup_id": "SLEADS"}, "U1", False),
        ({"lead_user_ids": "UGUEST"}, "UGUEST", False),  # a lead must pass the access check
        ({"lead_user_ids": "UGONE"}, "UGONE", False),
        ({"lead_user_ids": "U1", "access_user_ids": "U2"}, "U1", False),
    ],
)
def test_who_is_a_lead(slack: SlackStub, settings: dict[str, Any], user_id: str, lead: bool) -> None:
    slack.add_user("U1")
    slack.add_user("U2")
    slack.add_user("UGUEST", is_restricted=True)
    slack.add_user("UGONE", deleted=True)
    slack.on(
        "usergroups.users.list",
        lambda call: {"ok": True, "users": ["U2"] if call.args.get("usergroup") == "SLEADS" else []},
    )
    assert lead_check(slack, **settings).is_lead(TEAM_ID, user_id) is lead


def test_the_team_view_refuses_a_non_lead(db: Database, slack: SlackStub) -> None:
    from bot.services import Services

    slack.add_user("U2")
    check = lead_check(slack, lead_user_ids="U1")
    services = Services(Settings(_env_file=None), db)
    with pytest.raises(NotALead):
        team_view_for(services, check, Actor(TEAM_ID, "U2"), 30)


def test_the_team_view_stays_under_slacks_block_limit_with_long_lists(db: Database) -> None:
    from bot.operations.team_view import team_view
    from bot.services import Services
    from storage.models import Owner
    from tests.factories import customer

    with db.session() as session:
        for n in range(40):
            session.add(Owner(team_id=TEAM_ID, user_id=f"U{n:03d}", deactivated=n % 2 == 0))
        for n in range(400):
            session.add(
                customer(
                    f"C{n}",
                    team_id=TEAM_ID,
                    owner_user_id=f"U{n % 40:03d}",
                    arr=1000 + n,
                    renewal_date=TODAY + timedelta(days=n % 100),
                    original_reason_theme=f"theme_{n % 15}",
                )
            )
        session.commit()
    view = team_view(Services(Settings(_env_file=None), db), TEAM_ID, today=TODAY)
    blocks = team_home(view).to_dict()["blocks"]
    assert len(blocks) <= MAX_HOME_BLOCKS
    text = all_text(blocks)
    assert "and 25 more" in text  # owners: 40, 15 shown
    assert f"and {view.renewals_total - 8} more" in text
