"""Shared test setup for the digest job: services on a stub, a settable clock, seeded customers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from slack_sdk import WebClient

from bot.nudge_job import NudgeJob
from bot.rules.names import name_key
from bot.services import Services
from bot.settings import load_settings
from storage.db import Database
from storage.enums import DigestStatus
from storage.models import Customer, NudgeDigest
from tests.slack_requests import BOT_TOKEN, SIGNING_SECRET, TEAM_ID
from tests.slack_stub import SlackStub

# Wednesday 10 June 2026, 08:30 UTC: 09:30 in London (BST), 04:30 in New York (EDT).
WEDNESDAY = datetime(2026, 6, 10, 8, 30, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = WEDNESDAY) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def make_services(database: Database, slack: SlackStub, clock: Clock, **settings: Any) -> Services:
    values: dict[str, Any] = {
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": slack.api_url,
        "database_url": database.url.render_as_string(hide_password=False),
    }
    values.update(settings)
    return Services(load_settings(**values), database, clock)


def stub_client(slack: SlackStub) -> WebClient:
    """A client like the job's own: 429s waited out, no retry on dropped connections."""
    from bot.slack_client import make_web_client

    return make_web_client(
        load_settings(slack_bot_token=BOT_TOKEN, slack_api_url=slack.api_url), retry_connection_errors=False
    )


def make_job(services: Services, slack: SlackStub, **kw: Any) -> NudgeJob:
    return NudgeJob(services, stub_client(slack), **kw)


def seed(
    database: Database,
    owner: str,
    names: list[str],
    *,
    today: date | None = None,
    team_id: str = TEAM_ID,
    **fields: Any,
) -> list[int]:
    """Customers owned by `owner`, each overdue (last check-in 45 days ago) unless `fields` say otherwise."""
    ids = []
    with database.transaction() as session:
        for name in names:
            values: dict[str, Any] = {
                "team_id": team_id,
                "owner_user_id": owner,
                "last_checkin_on": (today or WEDNESDAY.date()) - timedelta(days=45),
                "original_reason": f"{name} wanted faster onboarding",
                "arr": 1000.0,
            }
            values.update(fields)
            customer = Customer(name=name, name_key=name_key(name), **values)
            session.add(customer)
            session.flush()
            assert customer.id is not None
            ids.append(customer.id)
    return ids


def ledger(database: Database) -> list[NudgeDigest]:
    """The ledger by day, then owner: digests of one run are claimed in parallel, in no fixed order."""
    from sqlmodel import col, select

    order = (col(NudgeDigest.local_day), col(NudgeDigest.owner_user_id), col(NudgeDigest.id))
    with database.session() as session:
        return list(session.exec(select(NudgeDigest).order_by(*order)).all())


def statuses(database: Database) -> dict[str, DigestStatus]:
    return {row.owner_user_id: row.status for row in ledger(database)}


def digests_posted(slack: SlackStub) -> dict[str, int]:
    """How many digest messages Slack accepted, per owner."""
    counts: dict[str, int] = {}
    for message in slack.posted():
        metadata = message.get("metadata") or {}
        if metadata.get("event_type") == "holdfast_digest":
            owner = metadata["event_payload"]["owner"]
            counts[owner] = counts.get(owner, 0) + 1
    return counts
