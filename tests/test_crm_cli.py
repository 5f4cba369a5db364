"""`holdfast crm sync` against the HubSpot and Slack stand-ins, and the CRM jobs of `serve`."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select

from bot.scheduler import CRM_JOB_ID, CRM_NOTES_JOB_ID, Digests
from bot.services import Services
from storage.db import Database, open_database
from storage.models import CheckIn, Customer, CustomerChange
from tests.cli_runner import ROOT, holdfast, holdfast_process
from tests.hubspot_stub import HOLD, PASS, HubSpotStub, rate_limited, server_error, settings_for
from tests.slack_stub import SlackStub

SEARCH = "/crm/v3/objects/companies/search"


@pytest.fixture
def hubspot() -> Iterator[HubSpotStub]:
    with HubSpotStub() as stub:
        yield stub


def env(hubspot: HubSpotStub, slack: SlackStub, database_url: str, **more: str) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "HUBSPOT_TOKEN": hubspot.token,
        "HUBSPOT_API_URL": hubspot.url,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_API_URL": slack.api_url,
        "SLACK_TEAM_ID": "T0001",
        **more,
    }


def test_crm_sync_adds_customers_writes_notes_and_prints_a_summary_with_what_was_skipped(
    tmp_path: Path, hubspot: HubSpotStub, slack: SlackStub
) -> None:
    slack.add_user("U1", email="ann@example.com")
    ann, carol = hubspot.add_owner("ann@example.com"), hubspot.add_owner("carol@example.com")
    acme = hubspot.add_company("Acme", owner_id=ann, arr="5000")
    orphan = hubspot.add_company("Orphan", owner_id=carol)
    hubspot.fail(SEARCH, rate_limited(retry_after=0), server_error(503))
    url = f"sqlite:///{tmp_path / 'holdfast.db'}"

    ran = holdfast(["crm", "sync"], tmp_path, **env(hubspot, slack, url))

    assert ran.returncode == 0, ran.stderr
    lines = ran.stdout.splitlines()
    assert lines[0] == (
        "Synced HubSpot into T0001: 2 companies read; 1 customers added, 0 updated, 0 unchanged, "
        "0 made inactive (archived in HubSpot), 1 skipped; 1 new owners."
    )
    assert lines[1] == (
        f"Skipped HubSpot company {orphan} (Orphan): owner carol@example.com: no active Slack user has this "
        "e-mail address"
    )
    assert lines[2] == "Notes: 0 check-ins written to HubSpot."
    assert lines[3].startswith("HTTP requests to HubSpot: ")
    database = open_database(url)
    with database.session() as session:
        (customer,) = session.exec(select(Customer)).all()
        assert (customer.crm_id, customer.arr) == (acme, 5000)
        assert customer.id is not None
        session.add(
            CheckIn(
                team_id="T0001",
                customer_id=customer.id,
                occurred_on=customer.created_at.date(),
                source="import",
            )
        )
        session.commit()
    database.dispose()

    again = holdfast(["crm", "sync", "--notes-for-imported"], tmp_path, **env(hubspot, slack, url))

    assert "Notes: 1 check-ins written to HubSpot (1 imported check-ins queued)." in again.stdout
    assert len(hubspot.notes) == 1


def test_crm_sync_without_a_hubspot_token_says_what_to_set(
    tmp_path: Path, hubspot: HubSpotStub, slack: SlackStub
) -> None:
    ran = holdfast(
        ["crm", "sync"], tmp_path, **env(hubspot, slack, f"sqlite:///{tmp_path / 'h.db'}", HUBSPOT_TOKEN="")
    )

    assert ran.returncode == 2
    assert "HUBSPOT_TOKEN" in ran.stderr


def test_a_refused_token_stops_crm_sync_with_one_line_naming_hubspot_token_and_exit_2(
    tmp_path: Path, hubspot: HubSpotStub, slack: SlackStub
) -> None:
    settings = env(hubspot, slack, f"sqlite:///{tmp_path / 'h.db'}", HUBSPOT_TOKEN="pat-na1-revoked")

    ran = holdfast_process(["crm", "sync"], tmp_path, **settings)

    assert ran.returncode == 2
    assert ran.stderr.strip().splitlines() == [
        "holdfast: HubSpot refused HUBSPOT_TOKEN (401 Unauthorized): set HUBSPOT_TOKEN to the access token "
        "of a HubSpot private app"
    ]
    assert "Traceback" not in ran.stderr


def test_serve_runs_the_crm_sync_and_notes_jobs_only_when_hubspot_is_set_up(
    db: Database, hubspot: HubSpotStub, slack: SlackStub
) -> None:
    settings = settings_for(hubspot, slack, crm_sync_minutes=30)
    with_crm = Digests(Services(settings, db))
    without = Digests(Services(settings.model_copy(update={"hubspot_token": None}), db))

    jobs = {
        job.id: job.trigger.interval.total_seconds() for s in with_crm.crm_schedulers for job in s.get_jobs()
    }
    assert jobs == {CRM_JOB_ID: 1800, CRM_NOTES_JOB_ID: 60}
    assert (without.crm, without.crm_schedulers) == (None, [])


def test_a_sync_killed_mid_way_resumes_from_its_cursor_with_nothing_lost_or_duplicated(
    tmp_path: Path, hubspot: HubSpotStub, slack: SlackStub
) -> None:
    slack.add_user("U1", email="ann@example.com")
    ann = hubspot.add_owner("ann@example.com")
    ids = [hubspot.add_company(f"Company {n}", owner_id=ann) for n in range(700)]
    hubspot.fail(SEARCH, PASS, PASS, HOLD)  # the third page waits: two are stored when it is killed
    url = f"sqlite:///{tmp_path / 'holdfast.db'}"
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "crm", "sync"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), **env(hubspot, slack, url)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        hubspot.wait_for(SEARCH, 3)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    hubspot.release()
    database = open_database(url)
    with database.session() as session:
        assert len(session.exec(select(Customer)).all()) == 400

    ran = holdfast(["crm", "sync"], tmp_path, **env(hubspot, slack, url))

    assert ran.returncode == 0, ran.stderr
    with database.session() as session:
        stored = session.exec(select(Customer)).all()
        history = session.exec(select(CustomerChange)).all()
    database.dispose()
    assert sorted(c.crm_id or "" for c in stored) == sorted(ids)
    assert history == []
