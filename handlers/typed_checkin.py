"""A check-in typed as `/checkin <customer>: <note>`: logged at once, or carried until its customer is known.

When the customer is not found, the close-match and Add buttons carry it in their value, and the
add-customer form in its metadata, so picking or adding the customer still logs what was typed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from slack_bolt import BoltContext

from bot.operations.log_checkin import NotLogged, log_typed
from bot.rules.vocabulary import Verdict
from handlers.support import LOGGED, Shared, actor_of
from handlers.views.common import VALUE_LIMIT, section
from handlers.views.replies import checkin_logged, message


@dataclass(frozen=True)
class TypedCheckin:
    """The note and verdict tag as typed, the `/checkin` request's key, and the caller's day then.

    An empty `note` (none typed, or too long to carry) logs nothing: the check-in form opens instead.
    """

    note: str
    verdict: Verdict | None
    key: str
    typed_on: date

    def fields(self) -> dict[str, Any]:
        """The JSON fields that carry it."""
        return {
            "n": self.note,
            "v": self.verdict.value if self.verdict else None,
            "k": self.key,
            "d": self.typed_on.isoformat(),
        }

    @classmethod
    def from_fields(cls, fields: dict[str, Any], *, today: date) -> TypedCheckin:
        """Read it back from `fields()` (other keys are ignored).

        Buttons sent before the day was carried have none: their check-in is dated `today`.
        """
        return cls(
            note=str(fields.get("n") or ""),
            verdict=Verdict(fields["v"]) if fields.get("v") else None,
            key=str(fields["k"]),
            typed_on=date.fromisoformat(fields["d"]) if fields.get("d") else today,
        )


def button_value(typed: TypedCheckin, **target: object) -> str:
    """`target` (the customer to log with) and `typed`, as a button value within Slack's limit.

    A note too long to fit is left out whole, never cut: the button then opens the check-in form.
    """
    value = json.dumps({**target, **typed.fields()})
    if len(value) > VALUE_LIMIT:
        value = json.dumps({**target, **replace(typed, note="").fields()})
    return value


def log_now(
    shared: Shared, context: BoltContext, typed: TypedCheckin, *, customer_id: int, key: str
) -> dict[str, Any]:
    """Log `typed` with the customer, by the caller, dated the day it was typed; the reply confirming it.

    `key` identifies the request that stores it: a retry of that request stores nothing more. What
    was typed (or forged into a button) is held to the check-in form's limits: outside them, nothing
    is stored and the reply names the limit.
    """
    result = log_typed(
        shared.services,
        actor_of(context),
        customer_id=customer_id,
        note=typed.note,
        verdict=typed.verdict,
        typed_on=typed.typed_on,
        key=key,
    )
    if isinstance(result, NotLogged):
        text = f"Nothing was saved. {' '.join(result.mistakes.values())}"
        return message([section(text)], text)
    context[LOGGED] = result  # for `refresh_after_checkin`
    return checkin_logged(result.customer_name, result.checkin, today=result.today, reason=result.reason)
