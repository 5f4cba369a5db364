"""A Slack Web API stand-in on a free loopback port, for tests and benchmarks.

It records every call (method, arguments, headers) and answers like Slack does: `{"ok": true, ...}`
with method-specific fields, or whatever a test scripted. Anything posted to a path outside `/api/`
is taken as a `response_url` delivery and recorded under the method name `response_url`.
Messages it accepts (chat.postMessage, edited by chat.update) are kept per channel, with their
metadata, and conversations.history answers from them; a user ID as channel posts to their DM ("D" + ID).
Files go through Slack's external upload flow: files.getUploadURLExternal returns an `upload_url` on
the stub (`/upload/<file id>`, recorded as the method "upload" with the bytes as `args["data"]`), and
files.completeUploadExternal shares the uploaded files in a channel as one message (kept in `files`).
"""

from __future__ import annotations

import copy
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

Answer = tuple[int, dict[str, Any], dict[str, str]]
Responder = Callable[["Call"], Answer | dict[str, Any] | None]
POLL_SECONDS = 0.01


@dataclass
class Call:
    """One request the app made."""

    method: str
    args: dict[str, Any]
    headers: dict[str, str]
    path: str
    at: float = field(default_factory=time.monotonic)


class SlackStub:
    """Start with `with SlackStub() as slack:`; point the app at `slack.api_url`."""

    def __init__(self, team_id: str = "T0001", bot_user_id: str = "UBOT") -> None:
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.calls: list[Call] = []
        self.users: dict[str, dict[str, Any]] = {}
        self._responders: dict[str, Responder] = {}
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self.homes: dict[str, dict[str, Any]] = {}  # user id -> the Home view published, with its hash
        self.uploads: dict[str, bytes] = {}  # file id -> the bytes POSTed to its upload_url
        self.files: dict[str, dict[str, Any]] = {}  # file id -> the file shared, with its bytes
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._counter = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        # `shutdown()` waits for the serve loop to look up from its poll: a short poll stops it at once.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": POLL_SECONDS}, daemon=True
        )

    # -- lifecycle ---------------------------------------------------------------------------
    def __enter__(self) -> SlackStub:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    def response_url(self, name: str = "hook") -> str:
        return f"{self.base_url}/response/{name}"

    # -- scripting ---------------------------------------------------------------------------
    def add_user(
        self,
        user_id: str,
        *,
        tz: str = "Europe/London",
        email: str | None = None,
        deleted: bool = False,
        is_restricted: bool = False,
        is_stranger: bool = False,
        team_id: str | None = None,
        name: str | None = None,
    ) -> dict[str, Any]:
        """Register a workspace member that users.info and users.lookupByEmail will know."""
        user = {
            "id": user_id,
            "team_id": team_id or self.team_id,
            "name": name or user_id.lower(),
            "real_name": name or user_id,
            "deleted": deleted,
            "is_bot": False,
            "is_restricted": is_restricted,
            "is_ultra_restricted": False,
            "is_stranger": is_stranger,
            "tz": tz,
            "tz_offset": 0,
            "profile": {"email": email, "real_name": name or user_id, "display_name": name or ""},
        }
        self.users[user_id] = user
        return user

    def on(self, method: str, responder: Responder) -> None:
        """Answer `method` with `responder(call)`: a dict, `(status, body, headers)`, or None (default)."""
        self._responders[method] = responder

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [call for call in self.calls if call.method == method]

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """Block until `method` was called `count` times (the app works on its own threads)."""
        with self._changed:
            done = self._changed.wait_for(
                lambda: sum(call.method == method for call in self.calls) >= count, timeout=timeout
            )
            found = [call for call in self.calls if call.method == method]
        if not done:
            raise AssertionError(f"{method} called {len(found)} times, expected {count} within {timeout}s")
        return found

    def posted(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Messages accepted so far (in one channel, or all), oldest first, as they are now (copies: a
        later chat.update changes what Slack holds, not what a test was given)."""
        with self._lock:
            if channel is not None:
                return copy.deepcopy(self.messages.get(channel, []))
            return copy.deepcopy([message for messages in self.messages.values() for message in messages])

    def answer_default(self, call: Call) -> dict[str, Any]:
        """What the stub answers when nothing is scripted (for responders that add to it)."""
        return self._default(call)

    @staticmethod
    def dm_channel(channel: object) -> str:
        text = str(channel or "")
        return "D" + text if text.startswith(("U", "W")) else text

    # -- default answers ---------------------------------------------------------------------
    def _next_ts(self) -> str:
        with self._lock:
            self._counter += 1
            return f"{int(time.time())}.{self._counter:06d}"

    def _default(self, call: Call) -> dict[str, Any]:
        args = call.args
        match call.method:
            case "auth.test":
                return {
                    "ok": True,
                    "team_id": self.team_id,
                    "user_id": self.bot_user_id,
                    "bot_id": "B0001",
                    "url": "https://example.slack.com/",
                    "team": "Example",
                }
            case "users.info":
                user = self.users.get(str(args.get("user")))
                return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}
            case "users.lookupByEmail":
                email = str(args.get("email", "")).lower()
                for user in self.users.values():
                    if str(user["profile"].get("email") or "").lower() == email:
                        return {"ok": True, "user": user}
                return {"ok": False, "error": "users_not_found"}
            case "conversations.open":
                return {"ok": True, "channel": {"id": "D" + str(args.get("users", "X")).split(",")[0]}}
            case "chat.postMessage":
                channel = self.dm_channel(args.get("channel"))
                message = {
                    "type": "message",
                    "ts": self._next_ts(),
                    "text": args.get("text"),
                    "blocks": args.get("blocks"),
                    "metadata": args.get("metadata"),
                }
                with self._lock:
                    self.messages.setdefault(channel, []).append(message)
                return {"ok": True, "channel": channel, "ts": message["ts"], "message": message}
            case "chat.update":
                channel, ts = str(args.get("channel")), str(args.get("ts"))
                with self._lock:
                    for message in self.messages.get(channel, []):
                        if message["ts"] == ts:
                            message.update(text=args.get("text"), blocks=args.get("blocks"))
                return {
                    "ok": True,
                    "channel": channel,
                    "ts": ts,
                    "message": {"text": args.get("text"), "blocks": args.get("blocks")},
                }
            case "conversations.history":
                return self._history(args)
            case "chat.postEphemeral":
                return {"ok": True, "message_ts": self._next_ts()}
            case "views.open" | "views.push" | "views.update":
                view = args.get("view")
                view = json.loads(view) if isinstance(view, str) else view
                return {"ok": True, "view": {"id": "V" + self._next_ts().replace(".", ""), **(view or {})}}
            case "views.publish":
                return self._publish(args)
            case "files.getUploadURLExternal":
                file_id = "F" + self._next_ts().replace(".", "")
                return {"ok": True, "file_id": file_id, "upload_url": f"{self.base_url}/upload/{file_id}"}
            case "upload":
                with self._lock:
                    self.uploads[str(args["file_id"])] = args["data"]
                return {"ok": True}
            case "files.completeUploadExternal":
                return self._complete_upload(args)
            case "usergroups.users.list":
                return {"ok": True, "users": []}
            case "apps.connections.open":
                return {"ok": False, "error": "not_allowed_in_stub"}
            case _:
                return {"ok": True}

    def _publish(self, args: dict[str, Any]) -> dict[str, Any]:
        """Set a user's Home view; with a `hash`, only over the view holding it (else hash_conflict)."""
        user_id = str(args.get("user_id"))
        view = args.get("view")
        view = json.loads(view) if isinstance(view, str) else dict(view or {})
        with self._lock:
            held = self.homes.get(user_id)
            if args.get("hash") and held is not None and args["hash"] != held["hash"]:
                return {"ok": False, "error": "hash_conflict"}
            self._counter += 1
            home = {**view, "id": f"VH{user_id}", "hash": f"{self._counter}.home"}
            self.homes[user_id] = home
        return {"ok": True, "view": home}

    def _complete_upload(self, args: dict[str, Any]) -> dict[str, Any]:
        """Share uploaded files in `channel_id` as one message with `initial_comment`."""
        wanted = json.loads(str(args.get("files") or "[]"))
        with self._lock:
            if not wanted or any(f.get("id") not in self.uploads for f in wanted):
                return {"ok": False, "error": "invalid_arguments"}
            files = [
                {"id": f["id"], "title": f.get("title"), "data": self.uploads.pop(f["id"])} for f in wanted
            ]
            self.files.update({f["id"]: {**f, "channel": args.get("channel_id")} for f in files})
        channel = args.get("channel_id")
        if channel:
            message = {
                "type": "message",
                "ts": self._next_ts(),
                "text": args.get("initial_comment") or "",
                "files": [{"id": f["id"], "title": f["title"]} for f in files],
            }
            with self._lock:
                self.messages.setdefault(str(channel), []).append(message)
        return {"ok": True, "files": [{"id": f["id"], "title": f["title"]} for f in files]}

    def _history(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel"))
        oldest = float(args.get("oldest") or 0)
        latest = float(args.get("latest") or "inf")
        with_metadata = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
        with self._lock:
            found = [dict(m) for m in self.messages.get(channel, []) if oldest <= float(m["ts"]) <= latest]
        found.reverse()  # newest first, like Slack
        limit = int(args.get("limit") or 100)
        start = int(args.get("cursor") or 0)
        page = found[start : start + limit]
        for message in page:
            if not with_metadata or not message.get("metadata"):
                message.pop("metadata", None)
        more = start + limit < len(found)
        return {
            "ok": True,
            "messages": page,
            "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    def _answer(self, call: Call) -> Answer:
        responder = self._responders.get(call.method)
        answer = responder(call) if responder else None
        if answer is None:
            return 200, self._default(call), {}
        if isinstance(answer, tuple):
            return answer
        return 200, answer, {}

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                data = self.rfile.read(length) if length else b""
                upload = self.path.startswith("/upload/")  # a file's bytes, POSTed to its upload_url
                raw = "" if upload else data.decode("utf-8")
                content_type = self.headers.get("Content-Type", "")
                args: dict[str, Any]
                if upload:
                    args = {"file_id": self.path.removeprefix("/upload/"), "data": data}
                elif "json" in content_type:
                    args = json.loads(raw) if raw else {}
                else:
                    args = dict(parse_qsl(raw, keep_blank_values=True))
                    for key in ("blocks", "view", "attachments"):
                        if isinstance(args.get(key), str) and args[key][:1] in "[{":
                            args[key] = json.loads(args[key])
                if "?" in self.path:
                    args = {**dict(parse_qsl(self.path.split("?", 1)[1], keep_blank_values=True)), **args}
                if self.path.startswith("/api/"):
                    method = self.path.removeprefix("/api/").split("?")[0]
                elif upload:
                    method = "upload"
                else:
                    method = "response_url"
                call = Call(method=method, args=args, headers=dict(self.headers.items()), path=self.path)
                with stub._changed:
                    stub.calls.append(call)
                    stub._changed.notify_all()
                status, body, headers = stub._answer(call)
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                try:
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    return  # the caller went away (a test killed it)

            do_GET = do_POST

        return Handler


def rate_limited(retry_after: int = 1) -> Answer:
    """Slack's answer when a method's rate limit is hit."""
    return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)}
