"""Add a customer from the form; a name already taken is a mistake, a retried submission is not."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.exc import IntegrityError

from bot.operations.actor import Actor
from bot.rules.access import CANNOT_OWN
from bot.rules.facts import CustomerFacts
from bot.rules.forms import customer_mistakes
from bot.rules.limits import MAX_NAME, parse_amount
from bot.rules.themes import NOT_LISTED, parse_themes
from bot.services import Services
from storage.customers import CustomerFields, customer_by_name
from storage.customers import add_customer as store_customer
from storage.models import Customer

# A submission Slack retries finds the customer it added a moment ago: not a duplicate name.
RETRY_WINDOW = timedelta(minutes=10)
NAME_TAKEN = "A customer with this name already exists."


@dataclass(frozen=True)
class NewCustomer:
    """The add-customer form as filled in (`owner_user_id` None: the actor owns it; `reason` None: not
    known yet; `reason_theme`: a `bot.rules.themes` key, None: not set)."""

    name: str
    owner_user_id: str | None
    reason: str | None
    since: date | None
    renewal: date | None
    arr_text: str
    reason_theme: str | None = None


@dataclass(frozen=True)
class Added:
    """The customer added (or added a moment ago by the same submission), on the actor's `today`."""

    customer: CustomerFacts
    today: date


@dataclass(frozen=True)
class NotAdded:
    """Nothing stored: field name (as in `customer_mistakes`, and "owner") → what to fix."""

    mistakes: dict[str, str]


def _arr(new: NewCustomer) -> float | None:
    return parse_amount(new.arr_text) if new.arr_text.strip() else None


def _theme(new: NewCustomer) -> str | None:
    """The theme of the reason typed (none without a reason)."""
    return new.reason_theme if new.reason else None


def _same_submission(existing: Customer, new: NewCustomer, owner: str, services: Services) -> bool:
    return (
        existing.owner_user_id == owner
        and existing.original_reason == (new.reason or None)
        and existing.original_reason_theme == _theme(new)
        and existing.customer_since == new.since
        and existing.renewal_date == new.renewal
        and existing.arr == _arr(new)
        and services.clock() - existing.created_at < RETRY_WINDOW
    )


def add_customer(
    services: Services, actor: Actor, new: NewCustomer, *, may_own: Callable[[str], bool]
) -> Added | NotAdded:
    """Store the customer, owned by `new.owner_user_id` (when `may_own` them) or the actor."""
    owner = new.owner_user_id or actor.user_id
    today = actor.today(services.clock())
    with services.database.reader() as reader:
        looked_up = 0 < len(new.name) <= MAX_NAME
        existing = customer_by_name(actor.team_id, new.name, reader=reader) if looked_up else None
    if existing is not None and _same_submission(existing, new, owner, services):
        return Added(existing, today)
    mistakes = customer_mistakes(
        name=new.name,
        name_taken=existing is not None,
        arr_text=new.arr_text,
        since=new.since,
        renewal=new.renewal,
        today=today,
        reason=new.reason,
    )
    if owner != actor.user_id and not may_own(owner):
        mistakes["owner"] = f"This person {CANNOT_OWN}."
    if not parse_themes(services.settings.reason_themes).allows(new.reason_theme):
        mistakes["reason_theme"] = NOT_LISTED
    if mistakes:
        return NotAdded(mistakes)
    fields = CustomerFields(
        name=new.name,
        owner_user_id=owner,
        original_reason=new.reason or None,
        original_reason_on=today if new.reason else None,
        original_reason_theme=_theme(new),
        customer_since=new.since,
        renewal_date=new.renewal,
        arr=_arr(new),
    )
    try:
        with services.database.transaction() as session:
            customer = store_customer(actor.team_id, fields, now=services.clock(), session=session)
    except IntegrityError:
        return NotAdded({"name": NAME_TAKEN})
    return Added(customer, today)
