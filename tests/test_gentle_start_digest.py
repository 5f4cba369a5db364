"""A gentle start, end to end: the digest job sends a few new customers a day with the rest counted as
queued, and the next ones come up once the owner answers or snoozes the ones asked."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.rules.vocabulary import Verdict
from bot.settings import SettingsError, load_settings
from storage.db import Database
from tests.nudge_helpers import WEDNESDAY, Clock, make_job, make_services, seed
from tests.slack_stub import SlackStub
from tests.test_digest_answers import answer
from tests.test_digest_handlers import customer_ids, fresh_app, press, snooze_payload

IMPORTED = WEDNESDAY.date() - timedelta(days=400)


@pytest.fixture
def clock() -> Clock:
    return Clock()


def names(message: dict[str, Any]) -> list[str]:
    """The customers a digest shows, in order."""
    sections = [b for b in message["blocks"] if b["type"] == "section" and "block_id" in b]
    return [b["text"]["text"].split("*")[1] for b in sections]


def last_line(message: dict[str, Any]) -> str:
    return str(message["blocks"][-1]["elements"][0]["text"])


def test_an_imported_book_comes_three_a_day_largest_first_with_the_rest_queued(
    db: Database, slack: SlackStub, clock: Clock
) -> None:
    slack.add_user("U1", tz="Europe/London")
    new = [f"New {n}" for n in range(1, 9)]
    ids = {
        name: seed(db, "U1", [name], last_checkin_on=None, customer_since=IMPORTED, arr=1000.0 * n)[0]
        for n, name in enumerate(new, start=1)
    }
    renewal = WEDNESDAY.date() + timedelta(days=30)
    (ids["Renewing"],) = seed(
        db, "U1", ["Renewing"], last_checkin_on=None, customer_since=IMPORTED, renewal_date=renewal, arr=10.0
    )
    services = make_services(db, slack, clock)

    make_job(services, slack)()
    (wednesday,) = slack.posted("DU1")
    assert names(wednesday) == ["New 8", "New 7", "New 6", "Renewing"]
    assert wednesday["blocks"][0]["text"]["text"] == "4 customers to talk to today"
    assert (
        last_line(wednesday) == ":seedling: 5 more new customers queued for the coming days, largest first."
    )

    # The owner answers one, snoozes one and leaves the third.
    app, _ = fresh_app(db, slack, clock)
    press(app, answer(wednesday, ids["New 8"], Verdict.HOLDS))
    slack.wait_for("chat.update")
    (answered,) = slack.posted("DU1")
    press(app, snooze_payload(answered, ids["New 7"], "week"))
    slack.wait_for("chat.update", count=2)
    (updated,) = slack.posted("DU1")
    assert customer_ids(updated) == [ids["New 6"], ids["Renewing"]]  # still open; the queued line stays
    assert last_line(updated) == last_line(wednesday)

    clock.advance(days=1)
    make_job(services, slack)()
    thursday = slack.posted("DU1")[-1]
    assert names(thursday) == ["New 6", "New 5", "New 4", "Renewing"]
    assert last_line(thursday) == ":seedling: 3 more new customers queued for the coming days, largest first."


def test_the_daily_cap_is_a_setting(db: Database, slack: SlackStub, clock: Clock) -> None:
    slack.add_user("U1", tz="Europe/London")
    seed(db, "U1", [f"New {n}" for n in range(5)], last_checkin_on=None)
    make_job(make_services(db, slack, clock, new_customer_daily_cap=2), slack)()
    (message,) = slack.posted("DU1")
    assert len(names(message)) == 2
    assert last_line(message) == ":seedling: 3 more new customers queued for the coming days, largest first."


def test_a_daily_cap_below_one_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEW_CUSTOMER_DAILY_CAP", "0")
    with pytest.raises(SettingsError, match=r"^NEW_CUSTOMER_DAILY_CAP "):
        load_settings()
