"""The Home tab's data for one person: today's asks (the digest's own plan), their book at a glance,
their figures and their digest settings.

The asks are `plan_owner`'s, so they are the same customers, order and sentences as today's digest;
the book's lines are in the same priority order (`book_order`). Each customer appears once in the
book, in the first section it belongs to.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bot.operations.actor import Actor
from bot.operations.key_accounts import KeyCutoffs
from bot.operations.owner_settings import OwnerSettings, settings_of
from bot.rules.coverage import Coverage, awaits_follow_up, coverage
from bot.rules.digest import DigestPlan, local_now, plan_owner
from bot.rules.facts import CustomerFacts
from bot.rules.key_accounts import is_key
from bot.rules.nudges import NudgeKind, book_order
from bot.services import Services
from storage.nudges import planning_customers
from storage.owners import owner_by_user


@dataclass(frozen=True)
class BookSection:
    """Customers of one kind, highest priority first; `lines` is all of them (the view cuts)."""

    title: str
    lines: Sequence[CustomerFacts]


@dataclass(frozen=True)
class Home:
    """Everything the Home tab shows for `actor` on `today`."""

    today: date
    asks: DigestPlan | None
    sections: tuple[BookSection, ...]
    rest: int  # customers in none of the sections
    figures: Coverage
    settings: OwnerSettings
    key_ids: frozenset[int]


KEY_ACCOUNTS = "Key accounts"
RENEWALS = "Renewals near, reason unconfirmed"
ERODING = "Reason weakened or changed, not followed up"


def home_for(services: Services, cutoffs: KeyCutoffs, actor: Actor) -> Home:
    """The actor's Home: their own customers in their workspace, on their today (in the time zone
    stored for them when the actor's is not known, as for a Home refreshed after a colleague acted)."""
    settings = services.settings
    policy = settings.policy()
    with services.database.session() as session:
        owner = owner_by_user(actor.team_id, actor.user_id, session=session)
        # The digest job's own read: the owner's active customers as light rows.
        customers = planning_customers(session=session, team_id=actor.team_id, owner_user_ids=[actor.user_id])
    tz = actor.tz or (owner.tz if owner is not None else None)
    today = local_now(services.clock(), tz).date()
    cutoff = cutoffs(actor.team_id) if customers else None
    key_ids = {c.id for c in customers if c.id is not None and is_key(c.arr, c.active, cutoff)}
    asks = plan_owner(
        customers,
        team_id=actor.team_id,
        owner_user_id=actor.user_id,
        today=today,
        policy=policy,
        key_ids=key_ids,
        cap=settings.digest_max_customers,
    )
    wanted: dict[str, list[CustomerFacts]] = {KEY_ACCOUNTS: [], RENEWALS: [], ERODING: []}
    rest = 0
    for due in book_order(customers, today=today, policy=policy, key_ids=key_ids):
        customer = due.customer
        if customer.id in key_ids:
            wanted[KEY_ACCOUNTS].append(customer)
        elif NudgeKind.RENEWAL_UNCONFIRMED in due.kinds:
            wanted[RENEWALS].append(customer)
        elif awaits_follow_up(customer):
            wanted[ERODING].append(customer)
        else:
            rest += 1
    return Home(
        today=today,
        asks=asks,
        sections=tuple(BookSection(title, lines) for title, lines in wanted.items()),
        rest=rest,
        figures=coverage(customers, today=today, policy=policy, key_ids=key_ids),
        settings=settings_of(owner, services, today),
        key_ids=frozenset(key_ids),
    )
