"""Check-ins written to HubSpot as notes: queued with the check-in, written once under retries and
two runners, on each database backend."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from bot.crm import CrmAuthError
from bot.crm_job import CrmJob
from bot.operations.actor import Actor
from bot.operations.crm_sync import queue_imported
from bot.operations.log_checkin import Logged, log_checkin, log_typed
from bot.rules.forms import CheckinDraft
from bot.rules.names import name_key
from bot.rules.vocabulary import Change, Expectation, Verdict
from bot.services import Services
from storage.db import Database
from storage.models import CheckIn, CrmNote, Customer, NoticeStatus, Owner
from tests.hubspot_stub import DROP, DROP_AFTER, HubSpotStub, server_error, settings_for, source_for
from tests.slack_stub import SlackStub

TEAM = "T0001"
NOW = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)
NOTES = "/crm/v3/objects/notes"


@pytest.fixture
def hubspot() -> Iterator[HubSpotStub]:
    with HubSpotStub() as stub:
        yield stub


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def services(db: Database, hubspot: HubSpotStub, slack: SlackStub, clock: Clock) -> Services:
    return Services(settings_for(hubspot, slack), db, clock=clock)


def linked_customer(services: Services, hubspot: HubSpotStub, name: str = "Acme") -> tuple[int, str]:
    """A customer synced from a HubSpot company: (customer id, company id)."""
    company = hubspot.add_company(name)
    with services.database.transaction() as session:
        customer = Customer(
            team_id=TEAM,
            name=name,
            name_key=name_key(name),
            owner_user_id="U1",
            crm_source="hubspot",
            crm_id=company,
        )
        session.add(customer)
        session.add(Owner(team_id=TEAM, user_id="U1", email="ann@example.com", display_name="Ann"))
        session.flush()
        assert customer.id is not None
        return customer.id, company


def job(services: Services, hubspot: HubSpotStub, **options: object) -> CrmJob:
    return CrmJob(services, source_for(hubspot), owners=lambda team: pytest.fail("no sync here"), **options)  # type: ignore[arg-type]


def notes(services: Services) -> list[CrmNote]:
    with services.database.session() as session:
        return list(session.exec(select(CrmNote).order_by(CrmNote.id)).all())  # type: ignore[arg-type]


def test_a_checkin_logged_in_slack_is_queued_as_a_note_in_its_transaction(
    services: Services, hubspot: HubSpotStub
) -> None:
    customer_id, _ = linked_customer(services, hubspot)
    unlinked = Customer(team_id=TEAM, name="Local", name_key="local", owner_user_id="U1")
    with services.database.transaction() as session:
        session.add(unlinked)
    assert unlinked.id is not None

    logged = log_typed(
        services,
        Actor(TEAM, "U1"),
        customer_id=customer_id,
        note="Fine",
        verdict=None,
        typed_on=NOW.date(),
        key="a",
    )
    log_typed(
        services,
        Actor(TEAM, "U1"),
        customer_id=unlinked.id,
        note="Fine",
        verdict=None,
        typed_on=NOW.date(),
        key="b",
    )
    retry = log_typed(
        services,
        Actor(TEAM, "U1"),
        customer_id=customer_id,
        note="Fine",
        verdict=None,
        typed_on=NOW.date(),
        key="a",
    )

    assert isinstance(logged, Logged)
    assert isinstance(retry, Logged)
    (note,) = notes(services)
    assert (note.checkin_id, note.source, note.status, note.attempts) == (
        logged.checkin.id,
        "hubspot",
        "pending",
        0,
    )


def test_no_note_is_queued_when_no_hubspot_token_is_set(services: Services, hubspot: HubSpotStub) -> None:
    customer_id, _ = linked_customer(services, hubspot)
    plain = Services(services.settings.model_copy(update={"hubspot_token": None}), services.database)

    log_typed(
        plain,
        Actor(TEAM, "U1"),
        customer_id=customer_id,
        note="x",
        verdict=None,
        typed_on=NOW.date(),
        key="k",
    )

    assert notes(services) == []


def test_a_queued_checkin_is_written_once_as_a_note_on_its_company_with_what_was_said(
    services: Services, hubspot: HubSpotStub
) -> None:
    customer_id, company = linked_customer(services, hubspot, "Acme <Labs>")
    owner = hubspot.add_owner("ann@example.com")
    draft = CheckinDraft(
        customer_id=customer_id,
        occurred_on=NOW.date(),
        spoke_with="Dana, CFO",
        note="Cost is all <b>that</b> matters",
        verdict=Verdict.CHANGED,
        new_reason="Lowest total cost",
        expectation=Expectation.MEETS,
        changes=(Change.NEW_LEADERSHIP, Change.BUDGET_CUT),
        next_step="Send a TCO comparison",
        next_step_due=date(2026, 12, 17),
    )
    logged = log_checkin(services, Actor(TEAM, "U1"), draft, key="form")
    assert isinstance(logged, Logged)

    first = job(services, hubspot).send_notes()
    second = job(services, hubspot).send_notes()

    assert (first.written, second.written) == (1, 0)
    (written,) = hubspot.notes.values()
    assert written["companies"] == [company]
    properties = written["properties"]
    assert properties["hubspot_owner_id"] == owner
    assert properties["hs_timestamp"].startswith("2026-12-03T09:30:00")
    body = properties["hs_note_body"]
    for expected in (
        "Check-in with Acme &lt;Labs&gt;",
        "Reason they chose us: changed: now Lowest total cost",
        "Delivery: meets their expectations",
        "Changes at the customer: New leadership, Budget cut",
        "Spoke with: Dana, CFO",
        "Note: Cost is all &lt;b&gt;that&lt;/b&gt; matters",
        "Next step: Send a TCO comparison (due 2026-12-17)",
        "Logged by: Ann",
        f"holdfastt0001x{logged.checkin.id}",
    ):
        assert expected in body
    call = hubspot.calls_to(NOTES)[0]
    assert call.body["associations"][0]["types"] == [
        {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 190}
    ]
    (note,) = notes(services)
    assert (note.status, note.note_id, note.sent_at, note.attempts) == ("sent", written["id"], NOW, 1)


def test_a_note_whose_answer_was_lost_is_found_by_the_next_run_not_written_again(
    services: Services, hubspot: HubSpotStub
) -> None:
    customer_id, _ = linked_customer(services, hubspot)
    log_typed(
        services,
        Actor(TEAM, "U1"),
        customer_id=customer_id,
        note="x",
        verdict=None,
        typed_on=NOW.date(),
        key="k",
    )
    hubspot.fail(NOTES, DROP_AFTER)

    failed = job(services, hubspot).send_notes()
    again = job(services, hubspot).send_notes()

    assert (len(failed.failed), again.found, again.written) == (1, 1, 0)
    assert len(hubspot.notes) == 1
    (note,) = notes(services)
    assert (note.status, note.note_id, note.attempts) == ("sent", next(iter(hubspot.notes)), 2)


def test_a_failed_note_is_retried_by_later_runs_at_most_max_attempts_times(
    services: Services, hubspot: HubSpotStub
) -> None:
    customer_id, _ = linked_customer(services, hubspot)
    log_typed(
        services,
        Actor(TEAM, "U1"),
        customer_id=customer_id,
        note="x",
        verdict=None,
        typed_on=NOW.date(),
        key="k",
    )
    hubspot.fail(NOTES, server_error(503), DROP, server_error(502))

    runs = [job(services, hubspot, max_attempts=3).send_notes() for _ in range(4)]

    assert [len(run.failed) for run in runs] == [1, 1, 1, 0]
    assert hubspot.notes == {}
    (note,) = notes(services)
    assert (note.status, note.attempts) == ("failed", 3)
    assert "HubSpot answered 502" in (note.error or "")


def test_a_claim_left_by_a_runner_that_died_is_taken_once_its_lease_runs_out(
    services: Services, hubspot: HubSpotStub, clock: Clock
) -> None:
    customer_id, _ = linked_customer(services, hubspot)
    log_typed(
        services,
        Actor(TEAM, "U1"),
        customer_id=customer_id,
        note="x",
        verdict=None,
        typed_on=NOW.date(),
        key="k",
    )
    with services.database.transaction() as session:
        note = session.exec(select(CrmNote)).one()
        note.status, note.claimed_by, note.claimed_at, note.attempts = NoticeStatus.CLAIMED, "dead", NOW, 1
        session.add(note)

    assert job(services, hubspot).send_notes().written == 0  # the lease holds
    clock.now = NOW + timedelta(minutes=16)
    assert job(services, hubspot).send_notes().written == 1
    assert len(hubspot.notes) == 1


def test_two_runners_at_once_write_each_note_once(services: Services, hubspot: HubSpotStub) -> None:
    customer_id, _ = linked_customer(services, hubspot)
    for n in range(12):
        log_typed(
            services,
            Actor(TEAM, "U1"),
            customer_id=customer_id,
            note=f"n{n}",
            verdict=None,
            typed_on=NOW.date(),
            key=f"{n}",
        )
    runners = [job(services, hubspot, runner=f"runner-{n}") for n in range(2)]
    start = threading.Barrier(2)
    reports = []

    def run(runner: CrmJob) -> None:
        start.wait()
        reports.append(runner.send_notes())

    threads = [threading.Thread(target=run, args=(runner,)) for runner in runners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sum(report.written for report in reports) == 12
    assert len(hubspot.notes) == 12
    bodies = sorted(note["properties"]["hs_note_body"] for note in hubspot.notes.values())
    assert len(set(bodies)) == 12
    assert {note.status for note in notes(services)} == {"sent"}


def test_a_refused_token_puts_the_note_back_untried_and_stops_the_run(
    services: Services, hubspot: HubSpotStub
) -> None:
    customer_id, _ = linked_customer(services, hubspot)
    log_typed(
        services,
        Actor(TEAM, "U1"),
        customer_id=customer_id,
        note="x",
        verdict=None,
        typed_on=NOW.date(),
        key="k",
    )
    hubspot.fail(
        NOTES, (401, {"status": "error", "message": "expired", "category": "EXPIRED_AUTHENTICATION"}, {})
    )

    with pytest.raises(CrmAuthError, match="HUBSPOT_TOKEN"):
        job(services, hubspot).send_notes()

    (note,) = notes(services)
    assert (note.status, note.attempts, note.claimed_by) == ("pending", 0, None)


def test_imported_checkins_are_queued_only_when_asked_and_only_once(
    services: Services, hubspot: HubSpotStub
) -> None:
    customer_id, _ = linked_customer(services, hubspot)
    with services.database.transaction() as session:
        for n in range(3):
            session.add(
                CheckIn(
                    team_id=TEAM, customer_id=customer_id, occurred_on=date(2026, 11, n + 1), source="import"
                )
            )
    assert job(services, hubspot).send_notes().written == 0

    assert queue_imported(services, team_id=TEAM, source="hubspot") == 3
    assert queue_imported(services, team_id=TEAM, source="hubspot") == 0

    assert job(services, hubspot).send_notes().written == 3
    stamps = sorted(note["properties"]["hs_timestamp"] for note in hubspot.notes.values())
    assert stamps[0].startswith("2026-11-01T12:00:00")


def test_a_note_whose_customer_is_no_longer_synced_is_dropped_not_written(
    services: Services, hubspot: HubSpotStub
) -> None:
    customer_id, _ = linked_customer(services, hubspot)
    log_typed(
        services,
        Actor(TEAM, "U1"),
        customer_id=customer_id,
        note="x",
        verdict=None,
        typed_on=NOW.date(),
        key="k",
    )
    with services.database.transaction() as session:
        customer = session.get(Customer, customer_id)
        assert customer is not None
        customer.crm_source, customer.crm_id = None, None
        session.add(customer)

    assert job(services, hubspot).send_notes().dropped == 1

    (note,) = notes(services)
    assert (note.status, note.error) == ("dropped", "not linked to hubspot any more")
    assert hubspot.notes == {}
