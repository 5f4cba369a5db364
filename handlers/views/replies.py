"""Short ephemeral replies and one-screen modals: confirmations, questions, suggestions, refusals."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.rules.facts import LoggedCheckIn
from bot.rules.limits import shorten
from bot.rules.vocabulary import Verdict
from bot.rules.wording import quoted
from handlers import ids
from handlers.views.common import VERDICT_LABELS, Json, actions, as_json, button, plain, section, when
from handlers.views.text import safe

REFUSAL = (
    "Sorry, Holdfast is only available to the account team. Customer notes are confidential; "
    "ask your Holdfast admin if you need access."
)
ASKABLE = (Verdict.HOLDS, Verdict.WEAKENED, Verdict.CHANGED)


def message(blocks: Sequence[Block | Json], text: str) -> dict[str, Any]:
    """An ephemeral message body: fallback text plus blocks, as JSON."""
    return {"response_type": "ephemeral", "text": text, "blocks": as_json(blocks)}


def text_message(text: str) -> dict[str, Any]:
    return {"response_type": "ephemeral", "text": text}


def verdict_question(checkin_id: int, reason: str) -> list[Block]:
    """ "Does '<reason>' still hold?" with one button per answer, recorded on check-in `checkin_id`."""
    return [
        section(f"Does {safe(quoted(reason, 300))} still hold?"),
        actions(
            [
                button(
                    VERDICT_LABELS[verdict],
                    ids.numbered(ids.ANSWER_VERDICT_ACTION, verdict.value),
                    str(checkin_id),
                )
                for verdict in ASKABLE
            ]
        ),
    ]


def checkin_logged(
    customer_name: str, checkin: LoggedCheckIn, *, today: date, reason: str | None
) -> dict[str, Any]:
    """One line confirming the log; when no verdict was given, the question about their reason."""
    verdict = (
        "" if checkin.verdict == Verdict.NOT_ASKED else f" Reason: {VERDICT_LABELS[checkin.verdict].lower()}."
    )
    line = (
        f"✅ Logged a check-in with *{safe(customer_name, 200)}* on {when(checkin.occurred_on, today)}: "
        f"{safe(' '.join(checkin.note.split()), 200)}{verdict}"
    )
    blocks: list[Block] = [section(line)]
    if checkin.verdict == Verdict.NOT_ASKED and reason and checkin.id is not None:
        blocks.extend(verdict_question(checkin.id, reason))
    return message(blocks, f"Logged a check-in with {safe(customer_name, 200)}.")


def verdict_recorded(customer_name: str, verdict: Verdict, reason: str | None) -> dict[str, Any]:
    """One line after a verdict button or the new-reason form."""
    name = safe(customer_name, 200)
    if verdict == Verdict.CHANGED:
        now = f" Their reason now: {safe(quoted(reason, 300))}." if reason else ""
        text = f"✅ Noted: *{name}*'s reason changed.{now}"
    elif verdict == Verdict.HOLDS:
        text = f"✅ Noted: {safe(quoted(reason or 'their reason', 300))} still holds for *{name}*."
    else:
        text = f"✅ Noted: {safe(quoted(reason or 'their reason', 300))} has weakened for *{name}*."
    return {**message([section(text)], text), "replace_original": True}


def not_found(
    query: str,
    suggestions: Sequence[tuple[int, str]],
    *,
    pick_action: str,
    pick_value: Callable[[int], str],
    add_name: str,
    add_action: str = ids.ADD_CUSTOMER_ACTION,
    add_value: Callable[[str], str] = str,
) -> dict[str, Any]:
    """A friendly 'no such customer', with up to 5 close names to pick and a button to add it.

    Each button's value is `pick_value(customer id)` or `add_value(name to add)`.
    """
    asked = safe(quoted(query, 80))
    if suggestions:
        intro = f"I couldn't find exactly {asked}. Did you mean one of these? Nothing was saved yet."
    else:
        intro = f"I couldn't find a customer called {asked}. Nothing was saved."
    elements = [
        button(name, ids.numbered(pick_action, index), pick_value(customer_id))
        for index, (customer_id, name) in enumerate(suggestions[:5])
    ]
    label = shorten(f"Add {' '.join(add_name.split())}", 70)
    elements.append(button(label, add_action, add_value(add_name[:200])))
    return message([section(intro), actions(elements)], f"No customer called {asked}.")


def longer_than_any_name(limit: int) -> dict[str, Any]:
    """The answer to a name or search longer than any customer name can be (nothing is looked up)."""
    return text_message(
        f"That's longer than any customer name (at most {limit:,} characters), so I looked nothing up. "
        "Nothing was saved."
    )


def done_modal(title: str, text: str) -> View:
    """What a form turns into once saved."""
    return View(type="modal", title=plain(title, 24), close=plain("Done", 24), blocks=[section(text)])


def apology_text(reference: str) -> str:
    return f"Sorry, something went wrong on our side and it was not your fault. Reference `{reference}`."


def apology_modal(reference: str) -> View:
    """What a form turns into when submitting it failed on our side."""
    return View(
        type="modal",
        title=plain("Holdfast", 24),
        close=plain("Close", 24),
        blocks=[section(apology_text(reference))],
    )


CHECKIN_USAGE = (
    "Log a conversation: `/checkin Acme: spoke with Jo, renewal on track #holds` "
    "(`#holds`, `#weakened` or `#changed` records whether their reason still holds), "
    "or `/checkin Acme` / `/checkin` to open the form."
)
CUSTOMER_USAGE = (
    "`/customer Acme` shows a customer, `/customer` lists yours (most urgent first), "
    "`/customer add Acme` adds one, `/customer edit Acme` corrects one."
)
