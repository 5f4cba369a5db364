"""HubSpot's limits and faults, as the client meets them from the stand-in: waits, retries, stops."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.crm import CrmAuthError, CrmError, Cursor
from bot.crm.hubspot import HubSpotClient
from tests.hubspot_stub import DROP, DROP_AFTER, HubSpotStub, rate_limited, server_error, source_for

SEARCH = "/crm/v3/objects/companies/search"


@pytest.fixture
def hubspot() -> Iterator[HubSpotStub]:
    with HubSpotStub() as stub:
        stub.add_company("Acme", owner_id=stub.add_owner("ann@example.com"))
        yield stub


def names(pages: object) -> list[str]:
    return [company.cells["name"] for page in pages for company in page.companies]  # type: ignore[attr-defined]


def test_a_429_is_waited_out_for_its_retry_after_and_the_request_sent_again(hubspot: HubSpotStub) -> None:
    sleeps: list[float] = []
    hubspot.fail(SEARCH, rate_limited(retry_after=3), rate_limited(retry_after=1))

    assert names(source_for(hubspot, sleeps).companies(Cursor())) == ["Acme"]

    assert sleeps == [3.0, 1.0]
    assert len(hubspot.calls_to(SEARCH)) == 3


def test_a_429_without_retry_after_waits_the_rate_limit_window(hubspot: HubSpotStub) -> None:
    sleeps: list[float] = []
    hubspot.fail(SEARCH, rate_limited(retry_after=None))

    assert names(source_for(hubspot, sleeps).companies(Cursor())) == ["Acme"]

    assert sleeps == [10.0]  # X-HubSpot-RateLimit-Interval-Milliseconds


def test_no_requests_left_in_the_window_waits_before_the_next(hubspot: HubSpotStub) -> None:
    sleeps: list[float] = []
    headers = {"X-HubSpot-RateLimit-Remaining": "0", "X-HubSpot-RateLimit-Interval-Milliseconds": "2000"}
    hubspot.fail("/crm/v3/owners", (200, {"results": []}, headers))

    client = HubSpotClient(hubspot.url, hubspot.token, sleep=sleeps.append)
    assert client.call("GET", "/crm/v3/owners") == {"results": []}

    assert sleeps == [2.0]


def test_the_daily_limit_stops_with_one_line_instead_of_waiting_a_day(hubspot: HubSpotStub) -> None:
    sleeps: list[float] = []
    hubspot.fail(SEARCH, rate_limited(retry_after=None, daily=True))

    with pytest.raises(CrmError, match="daily API limit"):
        names(source_for(hubspot, sleeps).companies(Cursor()))

    assert sleeps == []


def test_5xx_and_dropped_connections_are_retried_with_growing_backoff(hubspot: HubSpotStub) -> None:
    sleeps: list[float] = []
    hubspot.fail(SEARCH, server_error(502), DROP, server_error(503))

    assert names(source_for(hubspot, sleeps).companies(Cursor())) == ["Acme"]

    assert sleeps == [0.5, 1.0, 2.0]


def test_faults_that_never_end_stop_with_one_line(hubspot: HubSpotStub) -> None:
    sleeps: list[float] = []
    hubspot.fail(SEARCH, *[server_error(500)] * 10)

    with pytest.raises(CrmError, match="HubSpot answered 500"):
        names(source_for(hubspot, sleeps).companies(Cursor()))

    assert len(sleeps) == 6


def test_a_write_whose_answer_was_lost_is_not_sent_again_by_the_client(hubspot: HubSpotStub) -> None:
    sleeps: list[float] = []
    client = HubSpotClient(hubspot.url, hubspot.token, sleep=sleeps.append)
    hubspot.fail("/crm/v3/objects/notes", DROP_AFTER)

    with pytest.raises(CrmError, match="was lost"):
        client.call(
            "POST", "/crm/v3/objects/notes", json={"properties": {"hs_timestamp": "x"}}, idempotent=False
        )

    assert len(hubspot.notes) == 1  # HubSpot took it: the outbox's check finds it (bot.crm_job)
    assert len(hubspot.calls_to("/crm/v3/objects/notes")) == 1


def test_a_refused_token_stops_with_one_line_naming_hubspot_token(hubspot: HubSpotStub) -> None:
    sleeps: list[float] = []
    client = HubSpotClient(hubspot.url, "pat-na1-wrong", sleep=sleeps.append)

    with pytest.raises(CrmAuthError) as refused:
        client.call("GET", "/crm/v3/owners")

    assert str(refused.value) == (
        "HubSpot refused HUBSPOT_TOKEN (401 Unauthorized): set HUBSPOT_TOKEN to the access token of a "
        "HubSpot private app"
    )
    assert (sleeps, client.requests) == ([], 1)


def test_a_token_without_a_scope_names_the_scopes_needed(hubspot: HubSpotStub) -> None:
    body = {
        "status": "error",
        "message": "This app hasn't been granted all required scopes",
        "category": "MISSING_SCOPES",
    }
    hubspot.fail("/crm/v3/owners", (403, body, {}))

    with pytest.raises(CrmAuthError, match=r"crm\.objects\.companies\.read, crm\.objects\.owners\.read"):
        HubSpotClient(hubspot.url, hubspot.token, sleep=lambda _: None).call("GET", "/crm/v3/owners")
