"""`holdfast demo`: a sample portfolio in a throwaway database, shown with the bot's own rules."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.panel import Panel
from rich.text import Text
from sqlmodel import Session, select

from bot.operations.actor import Actor
from bot.operations.key_accounts import KeyCutoffs
from bot.operations.look_up import card_by_id
from bot.rules.digest import DigestPlan, plan_owner
from bot.rules.health import HealthLevel
from bot.rules.key_accounts import key_account_ids
from bot.rules.vocabulary import Change, Expectation, Verdict
from bot.rules.wording import day_label
from bot.services import Services
from bot.settings import Settings
from handlers.views.customer_card import customer_card
from handlers.views.digest_text import digest_lines
from handlers.views.terminal import as_lines
from storage.checkins import add_checkin
from storage.customers import CustomerFields, add_customer, customers_of_owner
from storage.db import open_database
from storage.models import CheckIn, Customer

TEAM_ID = "TDEMO"
OWNER = "UDEMOANNA"
OTHER_OWNERS = ("UDEMOBEN", "UDEMOCHLOE")
FEATURED = "Northwind Logistics"
HEALTH_STYLE = {HealthLevel.HEALTHY: "green", HealthLevel.WATCH: "yellow", HealthLevel.AT_RISK: "red"}


@dataclass(frozen=True)
class SampleCheckIn:
    """A sample conversation, `ago` days before today."""

    ago: int
    verdict: Verdict
    expectation: Expectation
    note: str
    spoke_with: str | None = None
    new_reason: str | None = None
    changes: tuple[Change, ...] = ()
    next_step: str | None = None
    next_step_due_in: int | None = None


@dataclass(frozen=True)
class Sample:
    """A sample customer, with dates relative to today."""

    name: str
    owner: str
    arr: float
    reason: str
    since_days: int
    renewal_in: int | None
    checkins: tuple[SampleCheckIn, ...] = ()


SAMPLES = (
    Sample(
        FEATURED,
        OWNER,
        240_000,
        "Faster onboarding for new depots",
        700,
        84,
        (
            SampleCheckIn(
                150, Verdict.HOLDS, Expectation.MEETS, "QBR with ops. Onboarding time down to 3 days."
            ),
            SampleCheckIn(
                45,
                Verdict.WEAKENED,
                Expectation.MEETS,
                "New COO wants one platform for everything; onboarding matters less now.",
                spoke_with="Dana (COO)",
                changes=(Change.NEW_LEADERSHIP,),
                next_step="Send the consolidation roadmap",
                next_step_due_in=-10,
            ),
        ),
    ),
    Sample(
        "Bluebird Health",
        OWNER,
        180_000,
        "Audit trail for compliance",
        400,
        30,
        (
            SampleCheckIn(
                20, Verdict.NOT_ASKED, Expectation.BELOW, "Support tickets slow; they are frustrated."
            ),
        ),
    ),
    Sample(
        "Copperline Energy",
        OWNER,
        95_000,
        "Replace spreadsheets for field crews",
        300,
        None,
        (
            SampleCheckIn(
                12, Verdict.HOLDS, Expectation.ABOVE, "Crews love the mobile app.", spoke_with="Ravi"
            ),
        ),
    ),
    Sample(
        "Delta Freight",
        OWNER,
        60_000,
        "Cheaper than the incumbent",
        500,
        200,
        (
            SampleCheckIn(
                70,
                Verdict.CHANGED,
                Expectation.MEETS,
                "Budget cut; price is the only topic now.",
                new_reason="Keep costs flat after budget cut",
                changes=(Change.BUDGET_CUT,),
            ),
        ),
    ),
    Sample("Evergreen Schools", OWNER, 30_000, "Parents' messaging in one place", 45, 320),
    Sample(
        "Foxglove Retail",
        OWNER,
        12_000,
        "Quick rollout before peak season",
        900,
        400,
        (SampleCheckIn(38, Verdict.HOLDS, Expectation.MEETS, "Steady; no changes."),),
    ),
    Sample(
        "Granite Bank",
        OTHER_OWNERS[0],
        900_000,
        "Regulatory reporting out of the box",
        1000,
        60,
        (SampleCheckIn(10, Verdict.HOLDS, Expectation.MEETS, "Reporting still the core value."),),
    ),
    Sample(
        "Harbor Media",
        OTHER_OWNERS[1],
        75_000,
        "Self-serve analytics",
        200,
        None,
        (
            SampleCheckIn(
                5, Verdict.HOLDS, Expectation.ABOVE, "Expanding to two more teams.", changes=(Change.GROWTH,)
            ),
        ),
    ),
)


def build_portfolio(session: Session, now: datetime) -> None:
    """Store the sample customers and their check-ins, dated relative to `now`'s day."""
    today = now.date()
    for sample in SAMPLES:
        since = today - timedelta(days=sample.since_days)
        renewal = today + timedelta(days=sample.renewal_in) if sample.renewal_in is not None else None
        fields = CustomerFields(
            name=sample.name,
            owner_user_id=sample.owner,
            original_reason=sample.reason,
            original_reason_on=since,
            customer_since=since,
            arr=sample.arr,
            renewal_date=renewal,
        )
        customer = add_customer(TEAM_ID, fields, now=now, session=session)
        session.flush()
        for item in sample.checkins:
            due_in = item.next_step_due_in
            checkin = CheckIn(
                team_id=TEAM_ID,
                customer_id=0,
                occurred_on=today - timedelta(days=item.ago),
                author_user_id=sample.owner,
                verdict=item.verdict,
                expectation=item.expectation,
                note=item.note,
                spoke_with=item.spoke_with,
                new_reason=item.new_reason,
                changes=list(item.changes),
                next_step=item.next_step,
                next_step_due=today + timedelta(days=due_in) if due_in is not None else None,
                source="demo",
            )
            add_checkin(checkin, customer=customer, session=session, now=now)


def _card(services: Services, customer_id: int) -> Panel:
    """The featured customer's card: the `/customer` card's own data and words, read in a terminal."""
    card = card_by_id(services, KeyCutoffs(services), Actor(TEAM_ID, OWNER), customer_id)
    assert card is not None
    themes = services.settings.themes()
    blocks = customer_card(
        card.customer, latest=card.latest, health=card.health, today=card.today, themes=themes
    )
    style = HEALTH_STYLE[card.health.level]
    return Panel(
        Text("\n".join(as_lines(blocks[1:]))),
        title=Text(card.customer.name, style="bold"),
        border_style=style,
    )


def _digest(plan: DigestPlan | None, today: date) -> Panel:
    lines = digest_lines(plan) if plan else ["Nobody is due today."]
    return Panel(Text("\n".join(lines)), title=f"Today's nudges for {OWNER} ({day_label(today, today)})")


def run_demo(console: Console, settings: Settings, now: datetime) -> None:
    """Build the sample portfolio in a temporary SQLite file and print a card and the day's nudges."""
    today = now.date()
    policy = settings.policy()
    with tempfile.TemporaryDirectory(prefix="holdfast-demo-") as folder:
        database = open_database(f"sqlite:///{Path(folder) / 'demo.db'}")
        services = Services(settings, database, clock=lambda: now)
        try:
            with database.transaction() as session:
                build_portfolio(session, now)
            with database.session() as session:
                everyone = session.exec(select(Customer).where(Customer.team_id == TEAM_ID)).all()
                key_ids = key_account_ids(everyone, policy.key_account_share)
                featured = next(c.id for c in everyone if c.name == FEATURED)
                mine = customers_of_owner(TEAM_ID, OWNER, session=session)
            assert featured is not None
            console.print(_card(services, featured))
            plan = plan_owner(
                mine,
                team_id=TEAM_ID,
                owner_user_id=OWNER,
                today=today,
                policy=policy,
                key_ids=key_ids,
                cap=settings.digest_max_customers,
            )
            console.print(_digest(plan, today))
        finally:
            database.dispose()
