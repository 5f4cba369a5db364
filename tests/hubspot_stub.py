"""A HubSpot API stand-in on a free loopback port, for tests and benchmarks.

It serves HubSpot's own paths and JSON shapes, for the requests Holdfast makes:
- `POST /crm/v3/objects/companies/search`: `filterGroups` (OR of groups, AND within one; operators
  EQ, NEQ, GT, GTE, LT, LTE, CONTAINS_TOKEN), `sorts` (only the first is honoured, as HubSpot does;
  ties come in an order that is not the id's), `properties`, `limit` (at most 200) and `after`; like
  HubSpot's, one query answers at most 10,000 results (`after` past that is a 400);
- `GET /crm/v3/objects/companies?archived=true` (archived companies, paging with `after`);
- `GET /crm/v3/owners` (paging with `after`);
- `POST /crm/v3/objects/notes` (with `associations`, type 190 to a company) and
  `POST /crm/v3/objects/notes/search` (CONTAINS_TOKEN on `hs_note_body`, EQ on `associations.company`).
Every request needs `Authorization: Bearer <token>` (else 401). Every call is recorded; faults are
scripted per path (`fail`): an answer such as a 429 or a 503, a connection dropped before or after
the request is carried out, or a request held until `release()` (so a test can kill the caller).
`source_for`, `settings_for` and `slack_owners` point Holdfast at the stand-ins.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from slack_sdk import WebClient

from bot.crm.hubspot import HubSpotClient, HubSpotSource
from bot.operations.crm_sync import Owners
from bot.settings import Settings
from bot.slack_users import user_ids_by_email
from tests.slack_stub import SlackStub

Answer = tuple[int, dict[str, Any], dict[str, str]]
DROP = "drop"  # close the connection without answering (the request is not carried out)
DROP_AFTER = "drop-after"  # carry the request out, then close the connection without answering
PASS = "pass"  # answer as usual (to script a fault for a later request)
HOLD = "hold"  # keep the request waiting until `release()` (a test kills the caller meanwhile)
Fault = Answer | str
POLL_SECONDS = 0.01
WINDOW = 10_000
TOKEN = "pat-na1-test"
BASE_MS = 1_780_000_000_000  # when the stub's records are first modified (2026)


@dataclass
class Call:
    """One request made to the stub."""

    method: str
    path: str
    query: dict[str, str]
    body: dict[str, Any]
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)


def iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def rate_limited(retry_after: float | None = 0, *, daily: bool = False) -> Answer:
    """HubSpot's 429 answer: a `RATE_LIMIT` body, the rate-limit headers (and Retry-After if given)."""
    body = {
        "status": "error",
        "message": "You have reached your daily limit." if daily else "You have reached your secondly limit.",
        "errorType": "RATE_LIMIT",
        "correlationId": "00000000-0000-0000-0000-000000000429",
        "policyName": "DAILY" if daily else "TEN_SECONDLY_ROLLING",
    }
    headers = {
        "X-HubSpot-RateLimit-Max": "190",
        "X-HubSpot-RateLimit-Remaining": "0",
        "X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
    }
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    return 429, body, headers


def server_error(status: int = 502) -> Answer:
    return status, {"status": "error", "message": "Bad Gateway", "category": "INTERNAL_ERROR"}, {}


class HubSpotStub:
    """Start with `with HubSpotStub() as hubspot:`; point HUBSPOT_API_URL at `hubspot.url`."""

    def __init__(self, token: str = TOKEN, *, window: int = WINDOW, step_ms: int = 1000) -> None:
        self.token = token
        self.window = window
        self.step_ms = step_ms
        self.calls: list[Call] = []
        self.companies: dict[str, dict[str, Any]] = {}
        self.owners: list[dict[str, Any]] = []
        self.notes: dict[str, dict[str, Any]] = {}
        self.now_ms = BASE_MS
        self._ids = 1000
        self._faults: dict[str, list[Fault]] = {}
        self._queries: dict[str, list[dict[str, Any]]] = {}  # a query's matches in order, while data holds
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._released = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": POLL_SECONDS}, daemon=True
        )

    def __enter__(self) -> HubSpotStub:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    # -- data ------------------------------------------------------------------------------
    def _next_id(self) -> str:
        self._ids += 1
        return str(self._ids)

    def add_owner(self, email: str | None, owner_id: str | None = None) -> str:
        with self._lock:
            owner_id = owner_id or self._next_id()
            self.owners.append(
                {
                    "id": owner_id,
                    "email": email,
                    "firstName": "",
                    "lastName": "",
                    "userId": 1,
                    "archived": False,
                }
            )
        return owner_id

    def add_company(
        self, name: str, *, owner_id: str | None = None, modified_ms: int | None = None, **props: Any
    ) -> str:
        """A company (id returned); each one added or changed is modified `step_ms` after the last,
        unless `modified_ms` says when."""
        with self._lock:
            company_id = self._next_id()
            self.now_ms = modified_ms if modified_ms is not None else self.now_ms + self.step_ms
            properties = {
                "name": name,
                "hubspot_owner_id": owner_id,
                "hs_object_id": company_id,
                "createdate": iso(self.now_ms),
                "hs_lastmodifieddate": iso(self.now_ms),
                **{key: None if value is None else str(value) for key, value in props.items()},
            }
            self.companies[company_id] = {
                "id": company_id,
                "properties": properties,
                "archived": False,
                "ms": self.now_ms,
            }
            self._queries.clear()
        return company_id

    def change(self, company_id: str, *, modified_ms: int | None = None, **props: Any) -> None:
        with self._lock:
            company = self.companies[company_id]
            self.now_ms = modified_ms if modified_ms is not None else self.now_ms + self.step_ms
            company["properties"].update({key: None if v is None else str(v) for key, v in props.items()})
            company["properties"]["hs_lastmodifieddate"] = iso(self.now_ms)
            company["ms"] = self.now_ms
            self._queries.clear()

    def archive(self, company_id: str) -> None:
        with self._lock:
            self.companies[company_id]["archived"] = True
            self.companies[company_id]["archivedAt"] = iso(self.now_ms)
            self._queries.clear()

    def fail(self, path: str, *faults: Fault) -> None:
        """Answer the next requests to `path` with these faults, one each, then as usual."""
        with self._lock:
            self._faults.setdefault(path, []).extend(faults)

    def release(self) -> None:
        """Let held requests go on (their callers may be gone)."""
        self._released.set()

    def wait_for(self, path: str, count: int, timeout: float = 30.0) -> None:
        """Block until `path` was requested `count` times (the caller works in another process)."""
        with self._changed:
            done = self._changed.wait_for(lambda: sum(c.path == path for c in self.calls) >= count, timeout)
        if not done:
            raise AssertionError(f"{path} requested fewer than {count} times within {timeout}s")

    def calls_to(self, path: str, method: str | None = None) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.path == path and (method is None or c.method == method)]

    # -- answers ---------------------------------------------------------------------------
    @staticmethod
    def _value(record: dict[str, Any], name: str) -> Any:
        if name == "hs_lastmodifieddate":
            return record["ms"]
        if name == "hs_object_id":
            return int(record["id"])
        if name == "associations.company":
            return record.get("companies", [])
        return record["properties"].get(name)

    def _matches(self, record: dict[str, Any], flt: dict[str, Any]) -> bool:
        name, operator, wanted = flt["propertyName"], flt["operator"], flt.get("value")
        have = self._value(record, name)
        if name == "associations.company":
            return str(wanted) in have
        if name in ("hs_lastmodifieddate", "hs_object_id"):
            wanted = int(str(wanted))
        elif operator == "CONTAINS_TOKEN":
            return have is not None and str(wanted).lower() in str(have).lower()
        if have is None:
            return bool(operator == "NEQ")
        match operator:
            case "EQ":
                return bool(have == wanted)
            case "NEQ":
                return bool(have != wanted)
            case "GT":
                return bool(have > wanted)
            case "GTE":
                return bool(have >= wanted)
            case "LT":
                return bool(have < wanted)
            case "LTE":
                return bool(have <= wanted)
        raise ValueError(operator)

    def _search(self, records: list[dict[str, Any]], body: dict[str, Any], *, cached: bool = False) -> Answer:
        limit = int(body.get("limit") or 10)
        after = int(body.get("after") or 0)
        if limit > 200:
            return (
                400,
                {"status": "error", "message": "limit must be at most 200", "category": "VALIDATION_ERROR"},
                {},
            )
        if after >= self.window:
            message = f"Paging beyond {self.window} results is not supported"
            return 400, {"status": "error", "message": message, "category": "VALIDATION_ERROR"}, {}
        key = json.dumps([body.get("filterGroups"), body.get("sorts")], sort_keys=True)
        with self._lock:
            found = self._queries.get(key) if cached else None
            if found is None:
                groups = body.get("filterGroups") or [{"filters": []}]
                found = [
                    r
                    for r in records
                    if any(all(self._matches(r, f) for f in g.get("filters", [])) for g in groups)
                ]
                sorts = body.get("sorts") or [{"propertyName": "hs_object_id", "direction": "ASCENDING"}]
                sort = sorts[0]
                name = sort["propertyName"] if isinstance(sort, dict) else str(sort)
                descending = isinstance(sort, dict) and sort.get("direction") == "DESCENDING"
                # Ties in an order that is not the id's (reversed digits), as HubSpot promises none.
                found.sort(key=lambda r: (self._value(r, name) or 0, r["id"][::-1]), reverse=descending)
                if cached:
                    self._queries[key] = found
        wanted = body.get("properties") or ["name"]
        page = [self._shown(r, wanted) for r in found[after : after + limit]]
        answer: dict[str, Any] = {"total": len(found), "results": page}
        if after + limit < len(found):
            answer["paging"] = {"next": {"after": str(after + limit)}}
        return 200, answer, {}

    @staticmethod
    def _shown(record: dict[str, Any], wanted: list[str]) -> dict[str, Any]:
        props = record["properties"]
        keep = {"hs_object_id", "hs_lastmodifieddate", "createdate", *wanted}
        shown = {
            "id": record["id"],
            "properties": {name: props.get(name) for name in keep},
            "createdAt": props.get("createdate"),
            "updatedAt": props.get("hs_lastmodifieddate"),
            "archived": record["archived"],
        }
        if record.get("archivedAt"):
            shown["archivedAt"] = record["archivedAt"]
        return shown

    @staticmethod
    def _listed(items: list[dict[str, Any]], query: dict[str, str], default: int) -> dict[str, Any]:
        limit = min(int(query.get("limit") or default), 500)
        after = int(query.get("after") or 0)
        answer: dict[str, Any] = {"results": items[after : after + limit]}
        if after + limit < len(items):
            answer["paging"] = {"next": {"after": str(after + limit)}}
        return answer

    def _create_note(self, body: dict[str, Any]) -> Answer:
        properties = dict(body.get("properties") or {})
        if not properties.get("hs_timestamp"):
            return (
                400,
                {"status": "error", "message": "hs_timestamp is required", "category": "VALIDATION_ERROR"},
                {},
            )
        companies = []
        for association in body.get("associations") or []:
            types = [t.get("associationTypeId") for t in association.get("types") or []]
            target = str((association.get("to") or {}).get("id"))
            if 190 not in types or target not in self.companies:
                message = f"association to {target} is not a note-to-company association of a known company"
                return 400, {"status": "error", "message": message, "category": "VALIDATION_ERROR"}, {}
            companies.append(target)
        with self._lock:
            note_id = self._next_id()
            note = {"id": note_id, "properties": properties, "companies": companies, "archived": False}
            self.notes[note_id] = note
        shown = {"id": note_id, "properties": properties, "createdAt": iso(self.now_ms), "archived": False}
        return 201, shown, {}

    def _answer(self, call: Call) -> Answer:
        if call.headers.get("Authorization") != f"Bearer {self.token}":
            message = "Authentication credentials not found."
            return 401, {"status": "error", "message": message, "category": "INVALID_AUTHENTICATION"}, {}
        route = (call.method, call.path)
        if route == ("POST", "/crm/v3/objects/companies/search"):
            live = [c for c in self.companies.values() if not c["archived"]]
            return self._search(live, call.body, cached=True)
        if route == ("GET", "/crm/v3/objects/companies"):
            archived = call.query.get("archived") == "true"
            wanted = (call.query.get("properties") or "name").split(",")
            chosen = sorted(
                (c for c in self.companies.values() if c["archived"] == archived), key=lambda c: int(c["id"])
            )
            return 200, self._listed([self._shown(c, wanted) for c in chosen], call.query, 10), {}
        if route == ("GET", "/crm/v3/owners"):
            return 200, self._listed(list(self.owners), call.query, 100), {}
        if route == ("POST", "/crm/v3/objects/notes"):
            return self._create_note(call.body)
        if route == ("POST", "/crm/v3/objects/notes/search"):
            return self._search(list(self.notes.values()), call.body)
        return 404, {"status": "error", "message": f"no route {call.method} {call.path}"}, {}

    def _fault(self, path: str) -> Fault | None:
        with self._lock:
            queue = self._faults.get(path)
            return queue.pop(0) if queue else None

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                # Headers and body go out as two writes: without this, Nagle's algorithm holds the
                # body back for the client's delayed ACK (tens of ms a request, kept alive).
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def log_message(self, format: str, *args: Any) -> None:
                return

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode("utf-8") if length else ""
                parts = urlsplit(self.path)
                call = Call(
                    method=self.command,
                    path=parts.path,
                    query=dict(parse_qsl(parts.query, keep_blank_values=True)),
                    body=json.loads(raw) if raw else {},
                    headers=dict(self.headers.items()),
                )
                with stub._changed:
                    stub.calls.append(call)
                    stub._changed.notify_all()
                fault = stub._fault(call.path)
                if fault == HOLD:
                    stub._released.wait()
                    self.close_connection = True
                    return
                if fault == PASS:
                    fault = None
                if fault == DROP:
                    self.close_connection = True
                    self.connection.close()
                    return
                answer = stub._answer(call) if fault is None or fault == DROP_AFTER else fault
                if fault == DROP_AFTER:
                    self.close_connection = True
                    self.connection.close()
                    return
                assert isinstance(answer, tuple)
                status, body, headers = answer
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                try:
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    return

            do_GET = _handle
            do_POST = _handle

        return Handler


# -- for tests: Holdfast pointed at the stand-ins ----------------------------------------------
def source_for(stub: HubSpotStub, sleeps: list[float] | None = None, **options: Any) -> HubSpotSource:
    """A HubSpot source on `stub` whose waits are recorded in `sleeps` instead of slept."""
    waits = sleeps if sleeps is not None else []
    return HubSpotSource(HubSpotClient(stub.url, stub.token, sleep=waits.append), **options)


def settings_for(stub: HubSpotStub, slack: SlackStub, **overrides: Any) -> Settings:
    return Settings(
        hubspot_token=stub.token,
        hubspot_api_url=stub.url,
        slack_bot_token="xoxb-test",
        slack_api_url=slack.api_url,
        **overrides,
    )


def slack_owners(slack: SlackStub, team_id: str = "T0001") -> Owners:
    """Owners looked up in the Slack stand-in by e-mail (no access rule)."""
    client = WebClient(token="xoxb-test", base_url=slack.api_url)
    return Owners(team_id, lambda emails: user_ids_by_email(client, emails), None)
