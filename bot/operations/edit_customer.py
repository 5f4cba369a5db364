"""Edit a customer from Slack: its reason and the reason's theme, customer-since and renewal dates, ARR,
cadence and owner.

Only its owner may (as for the digest's controls: `refusal`). Each field that changes gets a line in
the customer's history; a new owner is handed the customer as the digest's "Not my customer" does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from bot.csv_format import CellError, parse_cadence
from bot.operations.actor import Actor
from bot.operations.digest_controls import Refused, refusal
from bot.operations.find_customer import Found, find_customer
from bot.operations.hand_over import HandedOver, give, handed_over
from bot.rules.access import CANNOT_OWN
from bot.rules.edits import Field
from bot.rules.forms import customer_mistakes
from bot.rules.limits import parse_amount
from bot.rules.nudges import reason_text
from bot.rules.slack_ids import is_user_id
from bot.rules.themes import NOT_LISTED, parse_themes, reason_theme
from bot.services import Services
from storage.changes import record_changes
from storage.customer_edits import EditedFields
from storage.customer_edits import edit_customer as store_edit
from storage.customers import customer_by_id
from storage.models import Customer

REASON_KEPT = "Say why they chose us: a reason once recorded can be corrected, not removed."


@dataclass(frozen=True)
class EditForm:
    """A customer's editable fields as they stand, to fill the edit form with (`reason_theme`: the
    reason's theme, a `bot.rules.themes` key; None: not set)."""

    customer_id: int
    name: str
    owner_user_id: str
    reason: str | None
    reason_theme: str | None
    since: date | None
    renewal: date | None
    arr: float | None
    cadence_days: int | None


@dataclass(frozen=True)
class CustomerEdit:
    """The edit form as submitted (`reason` empty: none known; `owner_user_id` None: unchanged;
    `reason_theme` None: not set)."""

    reason: str
    since: date | None
    renewal: date | None
    arr_text: str
    cadence_text: str
    owner_user_id: str | None
    reason_theme: str | None = None


@dataclass(frozen=True)
class Edited:
    """The customer as saved, the fields that changed, and the hand-over when the owner changed."""

    customer: Customer
    changed: tuple[str, ...]
    handed: HandedOver | None = None


@dataclass(frozen=True)
class NotEdited:
    """Nothing stored: field (`reason`, `reason_theme`, `since`, `renewal`, `arr`, `cadence`, `owner`) →
    what to fix."""

    mistakes: dict[str, str]


def _form(customer: Customer) -> EditForm:
    assert customer.id is not None  # a stored customer
    return EditForm(
        customer_id=customer.id,
        name=customer.name,
        owner_user_id=customer.owner_user_id,
        reason=reason_text(customer),
        reason_theme=reason_theme(customer),
        since=customer.customer_since,
        renewal=customer.renewal_date,
        arr=customer.arr,
        cadence_days=customer.cadence_days,
    )


def edit_form(services: Services, actor: Actor, customer_id: int) -> EditForm | Refused:
    """The customer's fields for the form, or why the actor may not edit it."""
    with services.database.session() as session:
        customer = customer_by_id(actor.team_id, customer_id, session=session)
        refused = refusal(customer, actor)
        if refused is not None or customer is None:
            return refused or Refused()
        return _form(customer)


def edit_form_named(services: Services, actor: Actor, query: str) -> EditForm | Refused | Found:
    """`edit_form` for the customer `query` names (as `/customer <name>` finds it), else the close names
    to offer (`Found` without a customer)."""
    with services.database.reader() as reader:
        found = find_customer(actor.team_id, query, reader=reader)
    if found.customer is None or found.customer.id is None:
        return found
    return edit_form(services, actor, found.customer.id)


def _cadence(text: str, mistakes: dict[str, str]) -> int | None:
    try:
        return parse_cadence(text)
    except CellError as error:
        mistakes["cadence"] = f"The cadence {error}."
        return None


def edit_customer(
    services: Services,
    actor: Actor,
    customer_id: int,
    edit: CustomerEdit,
    *,
    may_own: Callable[[str], bool],
) -> Edited | NotEdited | Refused:
    """Store the edit by the actor; a new owner must be someone `may_own` allows."""
    now = services.clock()
    today = actor.today(now)
    with services.database.session() as session:
        before = customer_by_id(actor.team_id, customer_id, session=session)
        refused = refusal(before, actor)
        if refused is not None or before is None:
            return refused or Refused()
    mistakes = customer_mistakes(
        name=before.name,
        name_taken=False,
        arr_text=edit.arr_text,
        since=edit.since,
        renewal=edit.renewal,
        today=today,
        reason=edit.reason or None,
    )
    if not edit.reason and reason_text(before) is not None:
        mistakes["reason"] = REASON_KEPT
    cadence = _cadence(edit.cadence_text, mistakes)
    themes = parse_themes(services.settings.reason_themes)
    if not themes.allows(edit.reason_theme, current=reason_theme(before)):
        mistakes["reason_theme"] = NOT_LISTED
    owner = edit.owner_user_id or before.owner_user_id
    if owner != before.owner_user_id and not (is_user_id(owner) and may_own(owner)):
        mistakes["owner"] = f"This person {CANNOT_OWN}."
    if mistakes:
        return NotEdited(mistakes)
    fields = EditedFields(
        reason=edit.reason or None,
        reason_theme=edit.reason_theme,
        since=edit.since,
        renewal=edit.renewal,
        arr=parse_amount(edit.arr_text) if edit.arr_text.strip() else None,
        cadence_days=cadence,
    )
    with services.database.transaction() as session:
        customer = customer_by_id(actor.team_id, customer_id, session=session)
        refused = refusal(customer, actor)  # handed over or deleted since the form was read
        if refused is not None or customer is None or customer.id is None:
            return refused or Refused()
        changes = store_edit(customer, fields, today=today, now=now, session=session)
        record_changes(
            actor.team_id, customer.id, changes, by=actor.user_id, source="slack", now=now, session=session
        )
        changed = tuple(change.field for change in changes)
        new_owner = owner != customer.owner_user_id
        if new_owner:
            give(customer, owner, actor, now=now, session=session)
    handed = handed_over(services, actor, customer, now) if new_owner else None
    return Edited(customer, changed + ((Field.OWNER,) if new_owner else ()), handed)
