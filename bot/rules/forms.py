"""What makes a check-in or a new customer acceptable: mistakes named per field, for the forms."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from storage.enums import Change, Expectation, Verdict

MAX_NAME = 200
_ARR = re.compile(r"^(?P<number>\d+(?:\.\d+)?)\s*(?P<unit>[km]?)$", re.IGNORECASE)


@dataclass(frozen=True)
class CheckinDraft:
    """A check-in as typed into the form, before it is stored."""

    customer_id: int | None
    occurred_on: date | None
    note: str
    verdict: Verdict = Verdict.NOT_ASKED
    new_reason: str = ""
    spoke_with: str = ""
    expectation: Expectation = Expectation.UNKNOWN
    changes: tuple[Change, ...] = ()
    next_step: str = ""
    next_step_due: date | None = None


def checkin_mistakes(draft: CheckinDraft, *, today: date) -> dict[str, str]:
    """Field name → what to fix; empty when the check-in can be stored."""
    mistakes: dict[str, str] = {}
    if draft.customer_id is None:
        mistakes["customer_id"] = "Choose the customer you spoke with."
    if draft.occurred_on is None:
        mistakes["occurred_on"] = "Pick the day of the conversation."
    elif draft.occurred_on > today:
        mistakes["occurred_on"] = "The date is in the future; pick today or an earlier day."
    if not draft.note.strip():
        mistakes["note"] = "Write a line about the conversation."
    if draft.verdict == Verdict.CHANGED and not draft.new_reason.strip():
        mistakes["new_reason"] = "Their reason changed: say what it is now."
    if draft.next_step_due is not None and not draft.next_step.strip():
        mistakes["next_step"] = "Say what the next step is, or clear its due date."
    return mistakes


def parse_arr(text: str) -> float | None:
    """'120000', '120,000', '$120k', '1.2m' → a number; None when it is not one (or negative)."""
    cleaned = text.strip().replace(",", "").replace("_", "").replace(" ", "").lstrip("$€£")
    match = _ARR.match(cleaned)
    if not match:
        return None
    return float(match["number"]) * {"": 1, "k": 1_000, "m": 1_000_000}[match["unit"].lower()]


def customer_mistakes(
    *,
    name: str,
    name_taken: bool,
    arr_text: str,
    since: date | None,
    renewal: date | None,
) -> dict[str, str]:
    """Field name → what to fix in the add-customer form; empty when it can be stored."""
    mistakes: dict[str, str] = {}
    clean = " ".join(name.split())
    if not clean:
        mistakes["name"] = "Give the customer a name."
    elif len(clean) > MAX_NAME:
        mistakes["name"] = f"Keep the name under {MAX_NAME} characters."
    elif name_taken:
        mistakes["name"] = "A customer with this name already exists."
    if arr_text.strip() and parse_arr(arr_text) is None:
        mistakes["arr"] = "Write the annual revenue as a number, e.g. 120000 or 120k."
    if since is not None and renewal is not None and renewal < since:
        mistakes["renewal"] = "The renewal date is before the customer-since date."
    return mistakes
