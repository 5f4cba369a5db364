"""HubSpot as a `bot.crm.CrmSource`: companies from the CRM search API, owners, archived companies
and notes, over `httpx` with a private app's token (`Authorization: Bearer`).

Reading changed companies
-------------------------
`POST /crm/v3/objects/companies/search` answers at most `WINDOW` (10,000) results for one query
(paging with `after`, at most 200 a page) and honours one sort. So the sync reads in queries that
each start from where the last one stopped:
- **later**: `hs_lastmodifieddate` ≥ the cursor's time (> once its ties are swept), sorted by it;
  after each page the cursor is that page's last time, with no id (ties at it not yet known done);
- **ties**: when a query fills its window, the companies modified at its last time are swept in id
  order (`hs_lastmodifieddate` = T and `hs_object_id` > the last id, sorted by `hs_object_id`), then
  a later query goes on after T. Any number of companies sharing one timestamp are read once each,
  and no query ever starts where the last one started, so the sync never loops.
An incremental run starts `OVERLAP` before its cursor, for the search index's lag (a company saved
just before the last run may be indexed after it): those are read again and found unchanged.

Archived companies do not appear in the search: each run lists them with
`GET /crm/v3/objects/companies?archived=true` (paging with `after`, 100 a page).

Limits and faults
-----------------
A 429 is waited out (`Retry-After`, else the `X-HubSpot-RateLimit-Interval-Milliseconds` window,
else a backoff) and the request sent again; a response saying no requests remain in the window
(`X-HubSpot-RateLimit-Remaining: 0`) waits the window before the next. A `RATE_LIMIT` body whose
policy is the daily cap stops with one line instead. A 5xx or a dropped connection is retried with
backoff, except when the request may have been carried out (a note written, then the connection
lost): that is left to the caller, which checks before trying again. A 401 or 403 stops with one
line naming `HUBSPOT_TOKEN`. Every wait goes through the `sleep` given (tests pass a recorder).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from bot.crm import HUBSPOT, Company, CrmAuthError, CrmError, Cursor, NoteDraft, Page
from bot.settings import Settings

SEARCH = "/crm/v3/objects/companies/search"
COMPANIES = "/crm/v3/objects/companies"
OWNERS = "/crm/v3/owners"
NOTES = "/crm/v3/objects/notes"
NOTES_SEARCH = "/crm/v3/objects/notes/search"
NOTE_TO_COMPANY = 190  # HubSpot's association type: note to company
MODIFIED = "hs_lastmodifieddate"
OBJECT_ID = "hs_object_id"
PAGE_SIZE = 200  # the search's most per page
LIST_PAGE_SIZE = 100  # the list and owners endpoints' most per page
WINDOW = 10_000  # the most results one search query answers
OVERLAP = timedelta(minutes=2)
MAX_RETRIES = 6
MAX_BACKOFF = 30.0
SCOPES = "crm.objects.companies.read, crm.objects.owners.read and crm.objects.contacts.write (notes)"

Sleep = Callable[[float], None]


@dataclass(frozen=True, slots=True)
class PropertyMap:
    """The HubSpot company properties read as each Holdfast field (empty: not read)."""

    renewal_date: str = "renewal_date"
    arr: str = "arr"
    since: str = "hs_lifecyclestage_customer_date"
    reason: str = "reason_chosen"

    @classmethod
    def from_settings(cls, settings: Settings) -> PropertyMap:
        return cls(
            renewal_date=settings.hubspot_renewal_property,
            arr=settings.hubspot_arr_property,
            since=settings.hubspot_since_property,
            reason=settings.hubspot_reason_property,
        )

    def names(self) -> list[str]:
        mapped = (self.renewal_date, self.arr, self.since, self.reason)
        return ["name", "hubspot_owner_id", MODIFIED, OBJECT_ID, *filter(None, mapped)]


def _backoff(attempt: int) -> float:
    return float(min(MAX_BACKOFF, 0.5 * 2**attempt))


def _header_seconds(response: httpx.Response, name: str, scale: float = 1.0) -> float | None:
    value = response.headers.get(name, "")
    try:
        return max(0.0, float(value) * scale)
    except ValueError:
        return None


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


class HubSpotClient:
    """HubSpot's API at `base_url` with `token`: JSON in and out, limits and faults handled."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        sleep: Sleep = time.sleep,
        timeout: float = 30.0,
        max_retries: int = MAX_RETRIES,
    ) -> None:
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            timeout=timeout,
        )
        self.sleep = sleep
        self.max_retries = max_retries
        self.requests = 0

    def close(self) -> None:
        self._http.close()

    def call(
        self,
        method: str,
        path: str,
        *,
        json: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
        idempotent: bool = True,
    ) -> dict[str, Any]:
        """HubSpot's JSON answer; raises `CrmError` (`CrmAuthError` for the token) when it cannot.

        With `idempotent` false, a request that may have been carried out (a 5xx, a connection lost
        after sending) is not sent again: the caller checks first."""
        for attempt in range(self.max_retries + 1):
            last = attempt == self.max_retries
            self.requests += 1
            try:
                response = self._http.request(method, path, json=json, params=params)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:  # never sent: always safe again
                if last:
                    raise CrmError(f"cannot reach HubSpot at {self._http.base_url} ({exc})") from None
                self.sleep(_backoff(attempt))
                continue
            except httpx.TransportError as exc:
                if last or not idempotent:
                    raise CrmError(
                        f"HubSpot's answer to {method} {path} was lost ({type(exc).__name__})"
                    ) from None
                self.sleep(_backoff(attempt))
                continue
            status = response.status_code
            if status in (401, 403):
                raise CrmAuthError(self._refusal(response))
            if status == 429:
                body = _json(response)
                if str(body.get("policyName", "")).upper() == "DAILY":
                    raise CrmError("HubSpot's daily API limit is used up; the sync goes on tomorrow")
                if last:
                    raise CrmError(f"HubSpot kept answering 429 (rate limited) to {method} {path}")
                self.sleep(self._retry_wait(response, attempt))
                continue
            if status >= 500:
                if last or not idempotent:
                    raise CrmError(f"HubSpot answered {status} to {method} {path}")
                self.sleep(_backoff(attempt))
                continue
            if status >= 400:
                message = _json(response).get("message") or response.text[:200]
                raise CrmError(f"HubSpot refused {method} {path} ({status}: {message})")
            if response.headers.get("X-HubSpot-RateLimit-Remaining") == "0":
                self.sleep(self._window(response) or 1.0)
            return _json(response)
        raise AssertionError("unreachable")

    @staticmethod
    def _window(response: httpx.Response) -> float | None:
        return _header_seconds(response, "X-HubSpot-RateLimit-Interval-Milliseconds", 0.001)

    def _retry_wait(self, response: httpx.Response, attempt: int) -> float:
        waits = (_header_seconds(response, "Retry-After"), self._window(response))
        return next((wait for wait in waits if wait is not None), _backoff(attempt))

    @staticmethod
    def _refusal(response: httpx.Response) -> str:
        if response.status_code == 401:
            return (
                "HubSpot refused HUBSPOT_TOKEN (401 Unauthorized): set HUBSPOT_TOKEN to the access "
                "token of a HubSpot private app"
            )
        message = _json(response).get("message") or "missing scopes"
        return f"HubSpot refused HUBSPOT_TOKEN (403: {message}); the private app needs the scopes {SCOPES}"


def _day(value: str) -> str:
    """A HubSpot date or datetime property as `YYYY-MM-DD` (an epoch in ms, or ISO text); other text
    as it is, for validation to report."""
    text = value.strip()
    if text.isdecimal() and len(text) > 8:
        return datetime.fromtimestamp(int(text) / 1000, UTC).date().isoformat()
    if len(text) > 10 and text[4:5] == "-" and text[10] == "T":
        return text[:10]
    return text


def parse_modified(value: str) -> datetime:
    """`hs_lastmodifieddate` as HubSpot gives it (ISO text, or an epoch in ms)."""
    text = value.strip()
    if text.isdecimal():
        return datetime.fromtimestamp(int(text) / 1000, UTC)
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def epoch_ms(moment: datetime) -> str:
    return str(int(moment.timestamp() * 1000))


def _filter(name: str, operator: str, value: str) -> dict[str, str]:
    return {"propertyName": name, "operator": operator, "value": value}


class HubSpotSource:
    """One HubSpot account, through `client`."""

    name = HUBSPOT

    def __init__(
        self,
        client: HubSpotClient,
        properties: PropertyMap | None = None,
        *,
        overlap: timedelta = OVERLAP,
        page_size: int = PAGE_SIZE,
        window: int = WINDOW,
    ) -> None:
        self.client = client
        self.properties = properties or PropertyMap()
        self.overlap = overlap
        self.page_size = page_size
        self.window = window
        self._owners: dict[str, str] | None = None

    @classmethod
    def from_settings(cls, settings: Settings, *, sleep: Sleep = time.sleep, **options: Any) -> HubSpotSource:
        assert settings.hubspot_token is not None
        client = HubSpotClient(
            settings.hubspot_api_url, settings.hubspot_token.get_secret_value(), sleep=sleep
        )
        return cls(client, PropertyMap.from_settings(settings), **options)

    @property
    def requests(self) -> int:
        return self.client.requests

    # -- owners ------------------------------------------------------------------------------
    def owner_emails(self) -> dict[str, str]:
        """Each HubSpot owner's id → e-mail address (lower-case), read once per source."""
        if self._owners is None:
            owners: dict[str, str] = {}
            after: str | None = None
            while True:
                params = {"limit": LIST_PAGE_SIZE, **({"after": after} if after else {})}
                answer = self.client.call("GET", OWNERS, params=params)
                for owner in answer.get("results") or ():
                    if owner.get("email"):
                        owners[str(owner["id"])] = str(owner["email"]).strip().lower()
                after = ((answer.get("paging") or {}).get("next") or {}).get("after")
                if not after:
                    break
            self._owners = owners
        return self._owners

    def owner_id_of(self, email: str) -> str | None:
        email = email.lower()
        return next((owner for owner, known in self.owner_emails().items() if known == email), None)

    # -- companies ---------------------------------------------------------------------------
    def _company(self, result: Mapping[str, Any], *, archived: bool = False) -> Company:
        props: Mapping[str, Any] = result.get("properties") or {}
        mapped = self.properties

        def value(name: str) -> str:
            return str(props.get(name) or "") if name else ""

        owner_id = value("hubspot_owner_id")
        owner = self.owner_emails().get(owner_id, "")
        problem = None
        if not owner_id:
            problem = "has no owner in HubSpot (hubspot_owner_id)"
        elif not owner:
            problem = f"owner {owner_id} is not a HubSpot user with an e-mail address"
        cells = {
            "name": value("name"),
            "owner": owner,
            "reason": value(mapped.reason),
            "since": _day(value(mapped.since)),
            "renewal_date": _day(value(mapped.renewal_date)),
            "arr": value(mapped.arr),
            "active": "false" if archived else "",
        }
        return Company(str(result["id"]), cells, archived=archived, problem=problem)

    def _search(self, filters: list[dict[str, str]], sort: str, after: str | None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "filterGroups": [{"filters": filters}] if filters else [],
            "sorts": [{"propertyName": sort, "direction": "ASCENDING"}],
            "properties": self.properties.names(),
            "limit": self.page_size,
        }
        if after:
            body["after"] = after
        return self.client.call("POST", SEARCH, json=body)

    def companies(self, since: Cursor) -> Iterator[Page]:
        """Companies modified after `since`, page by page (see the module docstring)."""
        ties: tuple[datetime, str] | None = None
        lower, strict = since.modified_at, False
        if lower is not None and self.overlap:
            lower -= self.overlap
        elif lower is not None and since.record_id is not None:
            ties = (lower, since.record_id)
        total: int | None = None
        while True:
            if ties is not None:
                at, after_id = ties
                filters = [_filter(MODIFIED, "EQ", epoch_ms(at)), _filter(OBJECT_ID, "GT", after_id)]
                sort = OBJECT_ID
            else:
                filters = [_filter(MODIFIED, "GT" if strict else "GTE", epoch_ms(lower))] if lower else []
                sort = MODIFIED
            after: str | None = None
            last: Mapping[str, Any] | None = None
            while True:
                answer = self._search(filters, sort, after)
                if total is None:
                    total = int(answer.get("total") or 0)
                results = answer.get("results") or []
                if results:
                    last = results[-1]
                    modified = parse_modified(str(last["properties"][MODIFIED]))
                    cursor = Cursor(modified, str(last["id"])) if ties else Cursor(modified, None)
                    yield Page([self._company(result) for result in results], cursor, total)
                after = ((answer.get("paging") or {}).get("next") or {}).get("after")
                if not after or int(after) >= self.window:
                    break
            if not after:  # the query is read to its end
                if ties is None:
                    return
                lower, strict, ties = ties[0], True, None
                continue
            assert last is not None
            if ties is not None:
                ties = (ties[0], str(last["id"]))
            else:
                ties = (parse_modified(str(last["properties"][MODIFIED])), "0")

    def archived(self) -> Iterator[list[Company]]:
        after: str | None = None
        while True:
            params: dict[str, Any] = {
                "archived": "true",
                "limit": LIST_PAGE_SIZE,
                "properties": ",".join(self.properties.names()),
            }
            if after:
                params["after"] = after
            answer = self.client.call("GET", COMPANIES, params=params)
            results = answer.get("results") or []
            if results:
                yield [self._company(result, archived=True) for result in results]
            after = ((answer.get("paging") or {}).get("next") or {}).get("after")
            if not after:
                return

    # -- notes -------------------------------------------------------------------------------
    def find_note(self, draft: NoteDraft) -> str | None:
        filters = [
            _filter("hs_note_body", "CONTAINS_TOKEN", draft.marker),
            _filter("associations.company", "EQ", draft.company_id),
        ]
        answer = self.client.call(
            "POST",
            NOTES_SEARCH,
            json={"filterGroups": [{"filters": filters}], "properties": ["hs_note_body"], "limit": 1},
        )
        results = answer.get("results") or []
        return str(results[0]["id"]) if results else None

    def write_note(self, draft: NoteDraft) -> str:
        properties = {
            "hs_timestamp": draft.occurred_at.astimezone(UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "hs_note_body": draft.body,
        }
        owner_id = self.owner_id_of(draft.author_email) if draft.author_email else None
        if owner_id is not None:
            properties["hubspot_owner_id"] = owner_id
        association = {
            "to": {"id": draft.company_id},
            "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": NOTE_TO_COMPANY}],
        }
        answer = self.client.call(
            "POST", NOTES, json={"properties": properties, "associations": [association]}, idempotent=False
        )
        return str(answer["id"])
