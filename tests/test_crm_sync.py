"""The HubSpot company sync against the HubSpot stand-in, on each database backend."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import select

from bot.crm.hubspot import PropertyMap
from bot.operations.crm_sync import SyncReport, sync_companies
from bot.rules.vocabulary import Inactive
from bot.services import Services
from bot.settings import SettingsError, load_settings
from storage.db import Database
from storage.models import CrmCursor, Customer, CustomerChange
from tests.hubspot_stub import HubSpotStub, settings_for, slack_owners, source_for
from tests.slack_stub import SlackStub

TEAM = "T0001"
NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


@pytest.fixture
def hubspot() -> Iterator[HubSpotStub]:
    with HubSpotStub() as stub:
        yield stub


@pytest.fixture
def services(db: Database, hubspot: HubSpotStub, slack: SlackStub) -> Services:
    slack.add_user("U1", email="ann@example.com")
    slack.add_user("U2", email="bob@example.com")
    return Services(settings_for(hubspot, slack), db, clock=lambda: NOW)


def sync(
    services: Services, hubspot: HubSpotStub, slack: SlackStub, *, full: bool = False, **options: Any
) -> SyncReport:
    return sync_companies(
        services, source_for(hubspot, **options), team_id=TEAM, owners=slack_owners(slack), full=full
    )


def customers(services: Services) -> dict[str, Customer]:
    with services.database.session() as session:
        return {c.crm_id or c.name: c for c in session.exec(select(Customer)).all()}


def test_first_sync_adds_each_company_with_its_owner_renewal_arr_since_and_reason(
    services: Services, hubspot: HubSpotStub, slack: SlackStub
) -> None:
    ann = hubspot.add_owner("Ann@Example.com")
    acme = hubspot.add_company(
        "Acme GmbH",
        owner_id=ann,
        renewal_date="2027-03-31",
        arr="120000",
        hs_lifecyclestage_customer_date="2024-01-15T00:00:00Z",
        reason_chosen="Cheapest secure storage",
    )
    globex = hubspot.add_company("Globex", owner_id=ann)

    report = sync(services, hubspot, slack)

    assert (report.read, report.added, report.updated, report.unchanged, report.skipped) == (2, 2, 0, 0, [])
    stored = customers(services)
    assert set(stored) == {acme, globex}
    first = stored[acme]
    assert (first.name, first.owner_user_id, first.crm_source) == ("Acme GmbH", "U1", "hubspot")
    assert (first.renewal_date, first.arr, first.customer_since) == (
        date(2027, 3, 31),
        120000,
        date(2024, 1, 15),
    )
    assert (first.original_reason, first.original_reason_on) == ("Cheapest secure storage", NOW.date())
    assert stored[globex].renewal_date is None
    search = hubspot.calls_to("/crm/v3/objects/companies/search")[0]
    assert search.headers["Authorization"] == f"Bearer {hubspot.token}"
    assert search.body["limit"] == 200
    assert {"name", "hubspot_owner_id", "renewal_date", "arr", "reason_chosen"} <= set(
        search.body["properties"]
    )
    with services.database.session() as session:
        cursor = session.exec(select(CrmCursor)).one()
    assert cursor.modified_at == datetime.fromtimestamp(hubspot.companies[globex]["ms"] / 1000, UTC)


def test_incremental_sync_reads_from_the_cursor_and_records_what_changed_as_crm_history(
    services: Services, hubspot: HubSpotStub, slack: SlackStub
) -> None:
    ann, bob = hubspot.add_owner("ann@example.com"), hubspot.add_owner("bob@example.com")
    ids = [hubspot.add_company(f"Company {n}", owner_id=ann, arr=1000 + n) for n in range(450)]
    sync(services, hubspot, slack)
    hubspot.now_ms += 3_600_000  # an hour later, beyond the overlap
    hubspot.change(ids[10], arr=5000, hubspot_owner_id=bob)
    hubspot.change(ids[20], name="Company Twenty")
    hubspot.calls.clear()

    report = sync(services, hubspot, slack, overlap=timedelta(0))

    # The last company read before is read again (the cursor is inclusive), and found unchanged.
    assert (report.read, report.added, report.updated, report.unchanged) == (3, 0, 2, 1)
    searches = hubspot.calls_to("/crm/v3/objects/companies/search")
    assert len(searches) == 1
    (group,) = searches[0].body["filterGroups"]
    assert group["filters"][0]["propertyName"] == "hs_lastmodifieddate"
    assert group["filters"][0]["operator"] == "GTE"
    stored = customers(services)
    assert (stored[ids[10]].arr, stored[ids[10]].owner_user_id) == (5000, "U2")
    assert stored[ids[20]].name == "Company Twenty"
    with services.database.session() as session:
        history = session.exec(select(CustomerChange)).all()
    assert {(h.field, h.old_value, h.new_value, h.source) for h in history} == {
        ("arr", "1010", "5000", "crm"),
        ("owner", "U1", "U2", "crm"),
    }


def test_the_overlap_reads_recent_companies_again_and_finds_them_unchanged(
    services: Services, hubspot: HubSpotStub, slack: SlackStub
) -> None:
    ann = hubspot.add_owner("ann@example.com")
    for n in range(5):
        hubspot.add_company(f"Company {n}", owner_id=ann)  # a second apart: all inside the overlap
    sync(services, hubspot, slack)

    again = sync(services, hubspot, slack)

    assert (again.read, again.added, again.updated, again.unchanged) == (5, 0, 0, 5)


def test_many_companies_sharing_one_timestamp_across_pages_and_query_windows_are_each_read(
    db: Database, slack: SlackStub
) -> None:
    slack.add_user("U1", email="ann@example.com")
    with HubSpotStub(window=20) as hubspot:  # 20 results a query, 5 a page, as 10,000 and 200 are
        services = Services(settings_for(hubspot, slack), db, clock=lambda: NOW)
        ann = hubspot.add_owner("ann@example.com")
        same = hubspot.now_ms + 60_000
        early = [hubspot.add_company(f"Early {n}", owner_id=ann) for n in range(7)]
        tied = [hubspot.add_company(f"Tied {n}", owner_id=ann, modified_ms=same) for n in range(53)]
        late = [hubspot.add_company(f"Late {n}", owner_id=ann) for n in range(9)]

        report = sync(services, hubspot, slack, page_size=5, window=20)

        assert report.added == len(early) + len(tied) + len(late)
        assert set(customers(services)) == {*early, *tied, *late}
        # Re-reading at a window's end costs a few companies, never a loop.
        assert report.read < 2 * report.added
        searches = hubspot.calls_to("/crm/v3/objects/companies/search")
        ties = [s for s in searches if s.body["sorts"][0]["propertyName"] == "hs_object_id"]
        assert ties, "the tied companies are swept by id"
        assert all(int(s.body.get("after") or 0) < 20 for s in searches)


def test_an_archived_company_makes_its_customer_inactive_and_deletes_nothing(
    services: Services, hubspot: HubSpotStub, slack: SlackStub
) -> None:
    ann = hubspot.add_owner("ann@example.com")
    gone = hubspot.add_company("Gone Ltd", owner_id=ann)
    kept = hubspot.add_company("Kept Ltd", owner_id=ann)
    never = hubspot.add_company("Never synced", owner_id=ann)
    hubspot.archive(never)
    sync(services, hubspot, slack)
    hubspot.archive(gone)

    report = sync(services, hubspot, slack)

    assert report.archived == 1
    stored = customers(services)
    assert set(stored) == {gone, kept}
    assert (stored[gone].active, stored[gone].inactive_kind, stored[gone].inactive_on) == (
        False,
        Inactive.INACTIVE,
        NOW.date(),
    )
    assert stored[kept].active
    listed = hubspot.calls_to("/crm/v3/objects/companies", "GET")[-1]
    assert listed.query["archived"] == "true"
    assert sync(services, hubspot, slack).archived == 0  # inactive already: nothing more to do


def test_a_company_whose_owner_has_no_slack_user_is_skipped_and_reported_until_a_full_sync(
    services: Services, hubspot: HubSpotStub, slack: SlackStub
) -> None:
    ann, carol = hubspot.add_owner("ann@example.com"), hubspot.add_owner("carol@example.com")
    hubspot.add_owner(None, owner_id="77")  # a HubSpot user without an e-mail address
    fine = hubspot.add_company("Fine Co", owner_id=ann)
    orphan = hubspot.add_company("Orphan Co", owner_id=carol)
    nobody = hubspot.add_company("Nobody Co")
    mailless = hubspot.add_company("Mailless Co", owner_id="77")

    report = sync(services, hubspot, slack)

    assert set(customers(services)) == {fine}
    assert {(s.record_id, s.name, s.why) for s in report.skipped} == {
        (orphan, "Orphan Co", "owner carol@example.com: no active Slack user has this e-mail address"),
        (nobody, "Nobody Co", "has no owner in HubSpot (hubspot_owner_id)"),
        (mailless, "Mailless Co", "owner 77 is not a HubSpot user with an e-mail address"),
    }
    slack.add_user("U3", email="carol@example.com")
    later = sync(services, hubspot, slack, full=True)
    assert later.added == 1
    assert customers(services)[orphan].owner_user_id == "U3"


def test_a_bad_value_skips_the_company_with_its_id_and_writes_none_of_it(
    services: Services, hubspot: HubSpotStub, slack: SlackStub
) -> None:
    ann = hubspot.add_owner("ann@example.com")
    good = hubspot.add_company("Good Co", owner_id=ann, arr="1000")
    bad = hubspot.add_company("Bad Co", owner_id=ann, arr="-5", renewal_date="31/03/2027")
    sync(services, hubspot, slack)
    hubspot.change(good, arr="lots")

    report = sync(services, hubspot, slack)

    (skipped,) = [s for s in report.skipped if s.record_id == good]
    assert skipped.name == "Good Co"
    assert "arr 'lots' is not a number" in skipped.why
    stored = customers(services)
    assert bad not in stored
    assert stored[good].arr == 1000


def test_an_unlinked_customer_of_the_same_name_is_linked_not_added_twice(
    services: Services, hubspot: HubSpotStub, slack: SlackStub
) -> None:
    with services.database.transaction() as session:
        session.add(Customer(team_id=TEAM, name="Acme", name_key="acme", owner_user_id="U2", arr=10))
    ann = hubspot.add_owner("ann@example.com")
    acme = hubspot.add_company("ACME", owner_id=ann)
    twin = hubspot.add_company("acme", owner_id=ann)

    report = sync(services, hubspot, slack)

    assert (report.added, report.updated) == (0, 1)
    (customer,) = customers(services).values()
    assert (customer.crm_id, customer.name, customer.owner_user_id, customer.arr) == (acme, "ACME", "U1", 10)
    assert [(s.record_id, s.why) for s in report.skipped] == [
        (twin, f"name 'acme' is also hubspot record {acme}'s")
    ]


class Interrupted(Exception):
    pass


def test_an_interrupted_sync_resumes_from_its_cursor_with_nothing_lost_or_written_twice(
    services: Services, hubspot: HubSpotStub, slack: SlackStub
) -> None:
    ann = hubspot.add_owner("ann@example.com")
    ids = [hubspot.add_company(f"Company {n}", owner_id=ann, arr=n) for n in range(1000)]

    def stop_after_two_pages(done: int, total: int | None) -> None:
        if done >= 400:
            raise Interrupted

    with pytest.raises(Interrupted):
        sync_companies(
            services,
            source_for(hubspot, overlap=timedelta(0)),
            team_id=TEAM,
            owners=slack_owners(slack),
            on_page=stop_after_two_pages,
        )
    assert len(customers(services)) == 400
    hubspot.calls.clear()

    report = sync(services, hubspot, slack, overlap=timedelta(0))

    # The last company stored is read again (the cursor is inclusive), and found unchanged.
    assert (report.added, report.updated, report.unchanged) == (600, 0, 1)
    assert len(hubspot.calls_to("/crm/v3/objects/companies/search")) == 4
    assert set(customers(services)) == set(ids)
    with services.database.session() as session:
        rows = session.connection().execute(sa.select(sa.func.count()).select_from(Customer)).scalar_one()
        changes = session.exec(select(CustomerChange)).all()
    assert (rows, changes) == (1000, [])


def test_the_property_names_read_are_the_configured_ones(
    services: Services, hubspot: HubSpotStub, slack: SlackStub
) -> None:
    settings = services.settings.model_copy(
        update={
            "hubspot_arr_property": "acv",
            "hubspot_renewal_property": "",
            "hubspot_reason_property": "why_us",
        }
    )
    ann = hubspot.add_owner("ann@example.com")
    company = hubspot.add_company(
        "Acme", owner_id=ann, acv="900", arr="1", renewal_date="2027-01-01", why_us="Speed"
    )

    sync_companies(
        services,
        source_for(hubspot, properties=PropertyMap.from_settings(settings)),
        team_id=TEAM,
        owners=slack_owners(slack),
    )

    customer = customers(services)[company]
    assert (customer.arr, customer.renewal_date, customer.original_reason) == (900, None, "Speed")
    wanted = hubspot.calls_to("/crm/v3/objects/companies/search")[0].body["properties"]
    assert {"acv", "why_us"} <= set(wanted)
    assert not {"arr", "renewal_date", "reason_chosen"} & set(wanted)


@pytest.mark.parametrize(
    ("name", "value"),
    [("HUBSPOT_ARR_PROPERTY", "Annual revenue!"), ("HUBSPOT_API_URL", "api.hubapi.com")],
)
def test_a_malformed_hubspot_setting_is_named(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=f"^{name} must be"):
        load_settings(**{name.lower(): value})
