"""A check-in as a CRM note: the body (HTML, every typed text escaped) and where it goes."""

from __future__ import annotations

from datetime import UTC, datetime, time
from html import escape

from bot.crm import NoteDraft
from bot.rules.vocabulary import CHANGE_LABELS, Expectation, Verdict
from storage.crm import NoteRow

VERDICT_WORDS = {
    Verdict.HOLDS: "still holds",
    Verdict.WEAKENED: "weakened",
    Verdict.CHANGED: "changed",
    Verdict.NOT_ASKED: "not asked",
}
EXPECTATION_WORDS = {
    Expectation.ABOVE: "above their expectations",
    Expectation.MEETS: "meets their expectations",
    Expectation.BELOW: "below their expectations",
    Expectation.UNKNOWN: "not known",
}


def marker(row: NoteRow) -> str:
    """A word unique to the check-in, written in its note so a retry can find an earlier attempt's."""
    return f"holdfast{row.team_id.lower()}x{row.checkin_id}"


def note_body(row: NoteRow) -> str:
    """The note's text: the verdict, the expectation, the changes, the next step and the owner."""
    reason = VERDICT_WORDS[row.verdict]
    if row.new_reason:
        reason += f": now {escape(row.new_reason)}"
    lines = [
        f"<strong>Check-in with {escape(row.customer_name)}</strong> ({row.occurred_on.isoformat()})",
        f"Reason they chose us: {reason}",
        f"Delivery: {EXPECTATION_WORDS[row.expectation]}",
    ]
    if row.changes:
        lines.append("Changes at the customer: " + ", ".join(CHANGE_LABELS[change] for change in row.changes))
    if row.spoke_with:
        lines.append(f"Spoke with: {escape(row.spoke_with)}")
    if row.note:
        lines.append(f"Note: {escape(row.note)}")
    if row.next_step:
        due = f" (due {row.next_step_due.isoformat()})" if row.next_step_due else ""
        lines.append(f"Next step: {escape(row.next_step)}{due}")
    author = row.author_name or row.author_email or row.author_user_id
    if author:
        lines.append(f"Logged by: {escape(author)}")
    lines.append(f"<small>Logged in Holdfast · {marker(row)}</small>")
    return "".join(f"<p>{line}</p>" for line in lines)


def note_draft(row: NoteRow) -> NoteDraft:
    """The note for a claimed outbox row (its customer linked to a record: `company_id` set)."""
    assert row.company_id is not None
    logged = row.logged_at.astimezone(UTC)
    at = logged if logged.date() == row.occurred_on else datetime.combine(row.occurred_on, time(12), UTC)
    return NoteDraft(row.company_id, at, note_body(row), marker(row), row.author_email)
