"""What makes a check-in or a new customer acceptable: mistakes named per field, for the forms.

Every limit comes from `bot.rules.limits`; a mistake names the field and the limit, so the same
sentence serves next to a form field and in a reply to `/checkin`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.rules.limits import (
    CHECKIN_DATE,
    CUSTOMER_SINCE,
    MAX_NAME,
    MAX_NEXT_STEP,
    MAX_NOTE,
    MAX_REASON,
    MAX_SPOKE_WITH,
    NEXT_STEP_DUE,
    RENEWAL_DATE,
    DateWindow,
    arr_problem,
    parse_amount,
    too_long,
)
from bot.rules.vocabulary import Change, Expectation, Verdict

REASON_REQUIRED = "Say why they chose us, or tick “Not known yet”."


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


def _check_lengths(mistakes: dict[str, str], fields: dict[str, tuple[str, str, int]]) -> None:
    """Add a mistake for each field (→ its noun, text, limit) longer than its limit, unless it has one."""
    for field, (noun, text, limit) in fields.items():
        problem = too_long(text, limit)
        if problem and field not in mistakes:
            mistakes[field] = f"{noun} {problem}."


def _check_dates(
    mistakes: dict[str, str], fields: dict[str, tuple[str, date | None, DateWindow]], today: date
) -> None:
    """Add a mistake for each date (→ its noun, value, window) outside its window around `today`."""
    for field, (noun, day, window) in fields.items():
        problem = window.problem(day, today) if day is not None else None
        if problem and field not in mistakes:
            mistakes[field] = f"{noun} {problem}."


def checkin_mistakes(draft: CheckinDraft, *, today: date) -> dict[str, str]:
    """Field name → what to fix; empty when the check-in can be stored."""
    mistakes: dict[str, str] = {}
    if draft.customer_id is None:
        mistakes["customer_id"] = "Choose the customer you spoke with."
    if draft.occurred_on is None:
        mistakes["occurred_on"] = "Pick the day of the conversation."
    if not draft.note.strip():
        mistakes["note"] = "Write a line about the conversation."
    if draft.verdict == Verdict.CHANGED and not draft.new_reason.strip():
        mistakes["new_reason"] = "Their reason changed: say what it is now."
    if draft.next_step_due is not None and not draft.next_step.strip():
        mistakes["next_step"] = "Say what the next step is, or clear its due date."
    _check_lengths(
        mistakes,
        {
            "note": ("The note", draft.note, MAX_NOTE),
            "new_reason": ("The new reason", draft.new_reason, MAX_REASON),
            "spoke_with": ("Who we spoke with", draft.spoke_with, MAX_SPOKE_WITH),
            "next_step": ("The next step", draft.next_step, MAX_NEXT_STEP),
        },
    )
    _check_dates(
        mistakes,
        {
            "occurred_on": ("The date", draft.occurred_on, CHECKIN_DATE),
            "next_step_due": ("The due date", draft.next_step_due, NEXT_STEP_DUE),
        },
        today,
    )
    return mistakes


def new_reason_mistake(reason: str) -> str | None:
    """What to fix in the new-reason form, or None."""
    if not reason.strip():
        return "Say what their reason is now."
    problem = too_long(reason, MAX_REASON)
    return f"The reason {problem}." if problem else None


def customer_mistakes(
    *,
    name: str,
    name_taken: bool,
    arr_text: str,
    since: date | None,
    renewal: date | None,
    today: date,
    reason: str | None = None,
) -> dict[str, str]:
    """Field name → what to fix in the add-customer form; empty when it can be stored.

    The reason is required: `reason` None says it is not known yet (stored as none, so the nudge asks
    to find out); empty text is a mistake.
    """
    mistakes: dict[str, str] = {}
    if reason is not None and not reason.strip():
        mistakes["reason"] = REASON_REQUIRED
    clean = " ".join(name.split())
    if not clean:
        mistakes["name"] = "Give the customer a name."
    elif len(clean) > MAX_NAME:
        mistakes["name"] = f"The name {too_long(clean, MAX_NAME)}."
    elif name_taken:
        mistakes["name"] = "A customer with this name already exists."
    if arr_text.strip():
        amount = parse_amount(arr_text)
        if amount is None:
            mistakes["arr"] = "Write the annual revenue as a number, e.g. 120000 or 120k."
        elif problem := arr_problem(amount):
            mistakes["arr"] = f"The amount {problem}."
    _check_lengths(mistakes, {"reason": ("The reason", reason or "", MAX_REASON)})
    _check_dates(
        mistakes,
        {
            "since": ("The customer-since date", since, CUSTOMER_SINCE),
            "renewal": ("The renewal date", renewal, RENEWAL_DATE),
        },
        today,
    )
    if since is not None and renewal is not None and renewal < since and "renewal" not in mistakes:
        mistakes["renewal"] = "The renewal date is before the customer-since date."
    return mistakes
