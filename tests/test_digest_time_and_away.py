"""An owner's own digest time (from the Home tab's settings) and an away status, as the digest job
sees them: the time moves their digest, a pause holds it, and away skips the run without claiming."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bot.nudge_job import Outcome
from bot.operations.actor import Actor
from bot.operations.owner_settings import SettingsDraft, save_settings
from storage.db import Database
from storage.models import NudgeDigest
from tests.nudge_helpers import WEDNESDAY, Clock, make_job, make_services, seed
from tests.slack_requests import TEAM_ID
from tests.slack_stub import SlackStub

LONDON = "Europe/London"  # 08:30 UTC on WEDNESDAY is 09:30 there


@pytest.fixture
def clock() -> Clock:
    return Clock(WEDNESDAY - timedelta(hours=2))  # 07:30 in London


def choose(db: Database, slack: SlackStub, clock: Clock, **draft: object) -> None:
    """U1 saves their digest settings, as the Home tab's form does."""
    services = make_services(db, slack, clock)
    values: dict[str, object] = {"paused_until": None, "hour": 9, "weekdays": frozenset(range(5))}
    values.update(draft)
    saved = save_settings(services, Actor(TEAM_ID, "U1", LONDON), SettingsDraft(**values))  # type: ignore[arg-type]
    assert not isinstance(saved, dict), saved


def sent_to(slack: SlackStub) -> list[str]:
    return [str(call.args["channel"]) for call in slack.calls_to("chat.postMessage")]


def test_an_owners_own_hour_sends_their_digest_earlier_than_the_workspaces(
    db: Database, slack: SlackStub, clock: Clock
) -> None:
    slack.add_user("U1", tz=LONDON)
    slack.add_user("U2", tz=LONDON)
    seed(db, "U1", ["Acme"])
    seed(db, "U2", ["Globex"])
    choose(db, slack, clock, hour=7)
    job = make_job(make_services(db, slack, clock), slack)

    job()  # 07:30 in London: U1's hour has come, the workspace's 09:00 has not
    assert sent_to(slack) == ["U1"]
    clock.advance(hours=2)  # 09:30: U2's turn; U1's digest is not sent twice
    job()
    assert sent_to(slack) == ["U1", "U2"]


def test_an_owners_own_days_leave_out_the_others(db: Database, slack: SlackStub, clock: Clock) -> None:
    slack.add_user("U1", tz=LONDON)
    seed(db, "U1", ["Acme"])
    choose(db, slack, clock, weekdays=frozenset({0, 4}))  # Monday and Friday; it is a Wednesday
    clock.advance(hours=2)
    report = make_job(make_services(db, slack, clock), slack)()
    assert sent_to(slack) == []
    assert [why for _, why in report.skipped] == ["not yet"]


def test_a_pause_from_the_settings_holds_the_digest_until_its_day(
    db: Database, slack: SlackStub, clock: Clock
) -> None:
    slack.add_user("U1", tz=LONDON)
    seed(db, "U1", ["Acme"])
    choose(db, slack, clock, paused_until=WEDNESDAY.date() + timedelta(days=1))
    clock.advance(hours=2)
    job = make_job(make_services(db, slack, clock), slack)
    job()
    assert sent_to(slack) == []
    clock.advance(days=1)  # Thursday: the pause is over; the asks come back
    job()
    assert sent_to(slack) == ["U1"]


@pytest.mark.parametrize(
    ("emoji", "text", "away"),
    [
        (":palm_tree:", "", True),
        (":airplane:", "Flying to Lisbon", True),
        ("", "On vacation until Monday", True),
        ("", "OOO", True),
        ("", "Out of Office", True),
        (":coffee:", "In the zoo all day", False),  # "zoo" is not "ooo"
        ("", "Booking holidays for the team", False),  # a word inside another is not the word
        ("", "", False),
    ],
)
def test_an_away_status_skips_the_digest_without_claiming_it(
    db: Database, slack: SlackStub, clock: Clock, emoji: str, text: str, away: bool
) -> None:
    user = slack.add_user("U1", tz=LONDON)
    user["profile"].update(status_emoji=emoji, status_text=text)
    seed(db, "U1", ["Acme"])
    clock.advance(hours=2)
    report = make_job(make_services(db, slack, clock), slack)()
    assert [d.outcome for d in report.deliveries] == [Outcome.AWAY if away else Outcome.SENT]
    assert sent_to(slack) == ([] if away else ["U1"])
    with db.session() as session:
        ledger = session.exec(select(NudgeDigest)).all()
    assert len(ledger) == (0 if away else 1)  # away claims nothing: back later that day, it goes out


def test_back_from_away_the_same_day_gets_the_digest(db: Database, slack: SlackStub, clock: Clock) -> None:
    user = slack.add_user("U1", tz=LONDON)
    user["profile"].update(status_emoji=":palm_tree:", status_text="Vacation")
    seed(db, "U1", ["Acme"])
    clock.advance(hours=2)
    services = make_services(db, slack, clock)
    make_job(services, slack)()
    assert sent_to(slack) == []
    user["profile"].update(status_emoji="", status_text="")
    clock.advance(hours=3)
    make_job(services, slack)()  # a new run (and its own look at Slack)
    assert sent_to(slack) == ["U1"]


def test_an_expired_away_status_does_not_count(db: Database, slack: SlackStub, clock: Clock) -> None:
    user = slack.add_user("U1", tz=LONDON)
    expired = int((WEDNESDAY - timedelta(days=1)).timestamp())
    user["profile"].update(status_emoji=":palm_tree:", status_text="", status_expiration=expired)
    seed(db, "U1", ["Acme"])
    clock.advance(hours=2)
    make_job(make_services(db, slack, clock), slack)()
    assert sent_to(slack) == ["U1"]


def test_the_away_words_are_a_setting(db: Database, slack: SlackStub, clock: Clock) -> None:
    user = slack.add_user("U1", tz=LONDON)
    user["profile"].update(status_emoji="", status_text="Sabbatical")
    seed(db, "U1", ["Acme"])
    clock.advance(hours=2)
    services = make_services(db, slack, clock, away_status_words="sabbatical")
    report = make_job(services, slack)()
    assert [d.outcome for d in report.deliveries] == [Outcome.AWAY]
