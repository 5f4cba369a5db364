"""The HTTP edge: what a request to `POST /slack/events` must be before Bolt sees any of it.

In this order, each refusal only a status and one log line without the body:
1. its body fits `MAX_REQUEST_BYTES` (413), read no further than the limit whatever Content-Length says;
2. it is UTF-8 (400);
3. Slack signed it in the last five minutes (401): a timestamp or signature of any other shape is
   simply not signed, so nothing in an unsigned request is parsed, logged or answered;
4. it is a well-formed Slack request (400): `request_problem`, which Socket Mode applies too.
Bolt then gets the request as JSON (so Bolt's own signature check is off; `bot.app`): Bolt reads a
form body with the word "payload" anywhere in it as an interaction, and would lose a slash command
that mentions one.
"""

from __future__ import annotations

import io
import json
import logging
import re
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr, ValidationError, model_validator
from slack_sdk.signature import SignatureVerifier

if TYPE_CHECKING:
    from collections.abc import Iterable
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

logger = logging.getLogger("holdfast.edge")

TIMESTAMP = re.compile(r"[0-9]{1,12}")
SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


# -- the shape of a Slack request, as far as Bolt and the listeners read it ------------------------


# Fields Slack may send as null; any other named field, when present, has a value (Bolt tests
# presence: `"view" in body` and then reads it).
NULLABLE = frozenset(
    {"enterprise", "enterprise_id", "team", "channel", "value", "selected_option", "selected_user"}
)


class _Part(BaseModel):
    """Slack adds fields over time: anything not named here passes untouched."""

    model_config = ConfigDict(extra="allow")

    @model_validator(mode="before")
    @classmethod
    def _present_is_not_null(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for name in cls.model_fields.keys() - NULLABLE:
                if name in data and data[name] is None:
                    raise ValueError(f"{name} is null")
        return data


class _Ref(_Part):
    """A team, user, channel or enterprise as an object."""

    id: StrictStr | None = None
    team_id: StrictStr | None = None


class _Who(_Ref):
    id: StrictStr


class _Ids(_Part):
    """Where Bolt looks for the workspace, user and channel (the request, an event, an authorization)."""

    enterprise: StrictStr | _Ref | None = None
    enterprise_id: StrictStr | None = None
    team: StrictStr | _Ref | None = None
    team_id: StrictStr | None = None
    user: StrictStr | _Ref | None = None
    user_id: StrictStr | None = None
    channel: StrictStr | _Ref | None = None
    channel_id: StrictStr | None = None
    is_enterprise_install: StrictBool | StrictStr | None = None


class _Message(_Ids):
    """A message inside a request (an interaction's, or an event's): Bolt looks in it for the user."""


class _Event(_Ids):
    type: StrictStr
    message: _Message | None = None
    previous_message: _Message | None = None


class _Action(_Part):
    type: StrictStr | None = None
    action_id: StrictStr
    block_id: StrictStr | None = None
    value: StrictStr | None = None
    selected_user: StrictStr | None = None
    selected_option: dict[str, Any] | None = None


class _State(_Part):
    values: dict[str, dict[str, dict[str, Any]]]


class _View(_Part):
    id: StrictStr | None = None
    callback_id: StrictStr | None = None
    hash: StrictStr | None = None
    private_metadata: StrictStr | None = None
    app_installed_team_id: StrictStr | None = None
    state: _State | None = None


class _ResponseUrl(_Part):
    response_url: StrictStr


class _Request(_Ids):
    """Any request: the parts Bolt reads to route it and build its context are of the right type."""

    type: StrictStr | None = None
    command: StrictStr | None = None
    text: StrictStr | None = None
    trigger_id: StrictStr | None = None
    response_url: StrictStr | None = None
    response_urls: list[_ResponseUrl] | None = None
    authorizations: list[_Ids] | None = None
    event: _Event | None = None
    actions: list[_Action] | None = Field(default=None, min_length=1)
    action_id: StrictStr | None = None
    value: StrictStr | None = None
    view: _View | None = None
    container: dict[str, Any] | None = None
    message: _Message | None = None
    previous_message: _Message | None = None


class _Interaction(_Request):
    """What every interaction Holdfast answers carries: who, where from, with which trigger."""

    user: _Who
    team: _Ref | None = None
    channel: _Ref | None = None


class _Command(_Request):
    command: StrictStr
    text: StrictStr = ""
    trigger_id: StrictStr
    user_id: StrictStr
    team_id: StrictStr


class _BlockActions(_Interaction):
    trigger_id: StrictStr
    actions: list[_Action] = Field(min_length=1)


class _SubmittedView(_View):
    id: StrictStr
    callback_id: StrictStr
    state: _State


class _ViewSubmission(_Interaction):
    view: _SubmittedView


class _BlockSuggestion(_Interaction):
    action_id: StrictStr
    value: StrictStr


KINDS: dict[str, type[_Request]] = {
    "block_actions": _BlockActions,
    "view_submission": _ViewSubmission,
    "block_suggestion": _BlockSuggestion,
}


def request_problem(body: object) -> str | None:
    """Why `body` is not a Slack request that Bolt and Holdfast's listeners can read; None when it is."""
    if not isinstance(body, dict):
        return "not a JSON object"
    kind = body.get("type")
    if kind is None and "command" in body:
        model: type[_Request] = _Command
    else:
        model = KINDS.get(kind, _Request) if isinstance(kind, str) else _Request
    try:
        model.model_validate(body)
    except ValidationError as error:
        first = error.errors(include_url=False, include_input=False)[0]
        return f"{'.'.join(str(part) for part in first['loc']) or 'body'}: {first['msg']}"
    return None


# -- the WSGI layer ---------------------------------------------------------------------------------


class Refused(Exception):
    """The request gets `status` and nothing else; `reason` is for the log."""

    def __init__(self, status: HTTPStatus, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def parse_request(text: str, content_type: str) -> object:
    """The request as Slack sends it: JSON (Events API), an interaction's `payload` field, or form fields."""
    try:
        if content_type == "application/json":
            return json.loads(text)
        fields = dict(parse_qsl(text, keep_blank_values=True))
        return json.loads(fields["payload"]) if "payload" in fields else fields
    except (ValueError, RecursionError):
        raise Refused(HTTPStatus.BAD_REQUEST, "its JSON is malformed") from None


class SlackEdge:
    """Wraps Bolt's WSGI handler for `POST /slack/events`: checks, in the module's order, then hands over."""

    def __init__(self, bolt: WSGIApplication, *, signing_secret: str | None, max_request_bytes: int) -> None:
        self.bolt = bolt
        self.max_request_bytes = max_request_bytes
        # Without a signing secret nothing can be verified, so everything is refused.
        self.verifier = SignatureVerifier(signing_secret) if signing_secret else None

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        try:
            body = self.admit(environ)
        except Refused as refused:
            level = logging.WARNING if refused.status == HTTPStatus.BAD_REQUEST else logging.INFO
            logger.log(level, "refused a request from %s: %s", environ.get("REMOTE_ADDR"), refused.reason)
            answer = f"{refused.status.phrase}\n".encode()
            start_response(
                f"{refused.status.value} {refused.status.phrase}",
                [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(answer)))],
            )
            return [answer]
        forwarded = {
            **environ,
            "wsgi.input": io.BytesIO(body),
            "CONTENT_LENGTH": str(len(body)),
            "CONTENT_TYPE": "application/json",
        }
        return self.bolt(forwarded, start_response)

    def admit(self, environ: WSGIEnvironment) -> bytes:
        """The request as JSON for Bolt, or `Refused`."""
        try:
            text = self.read(environ).decode("utf-8")
        except UnicodeDecodeError:
            raise Refused(HTTPStatus.BAD_REQUEST, "its body is not UTF-8") from None
        if not self.signed(environ, text):
            raise Refused(HTTPStatus.UNAUTHORIZED, "it is not signed by Slack")
        content_type = str(environ.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
        body = parse_request(text, content_type)
        problem = request_problem(body)
        if problem:
            raise Refused(HTTPStatus.BAD_REQUEST, f"signed, but not a well-formed Slack request ({problem})")
        return json.dumps(body).encode()

    def read(self, environ: WSGIEnvironment) -> bytes:
        """The body, never reading past the limit (Content-Length first; without one, limit + 1 bytes)."""
        limit, declared = self.max_request_bytes, str(environ.get("CONTENT_LENGTH") or "")
        too_large = Refused(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"its body is over {limit} bytes")
        if declared:
            if not (declared.isascii() and declared.isdigit()):
                raise Refused(HTTPStatus.BAD_REQUEST, "its Content-Length is malformed")
            if len(declared) > len(str(limit)) or int(declared) > limit:
                raise too_large
            return bytes(environ["wsgi.input"].read(int(declared)))
        body = bytes(environ["wsgi.input"].read(limit + 1))
        if len(body) > limit:
            raise too_large
        return body

    def signed(self, environ: WSGIEnvironment, text: str) -> bool:
        """Whether Slack signed `text` in the last five minutes (any malformed header: not signed)."""
        timestamp = str(environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP") or "")
        signature = str(environ.get("HTTP_X_SLACK_SIGNATURE") or "")
        if self.verifier is None or not (TIMESTAMP.fullmatch(timestamp) and SIGNATURE.fullmatch(signature)):
            return False
        return self.verifier.is_valid(text, timestamp, signature)
