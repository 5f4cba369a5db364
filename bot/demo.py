"""`holdfast demo`: a sample portfolio in a throwaway database, shown with the bot's own rules."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from sqlmodel import Session, select

from bot.digest_text import digest_lines
from bot.rules.digest import DigestPlan, plan_owner
from bot.rules.health import HealthLevel, health
from bot.rules.key_accounts import key_account_ids
from bot.rules.names import name_key
from bot.rules.policy import Policy
from bot.rules.vocabulary import CHANGE_LABELS, Change, Expectation, Verdict
from bot.rules.wording import day_label, days
from storage.checkins import add_checkin, latest_checkins
from storage.customers import customers_of_owner
from storage.db import open_database
from storage.fast_read import Reader
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


def build_portfolio(session: Session, today: date) -> None:
    """Store the sample customers and their check-ins, dated relative to `today`."""
    for sample in SAMPLES:
        since = today - timedelta(days=sample.since_days)
        customer = Customer(
            team_id=TEAM_ID,
            name=sample.name,
            name_key=name_key(sample.name),
            owner_user_id=sample.owner,
            original_reason=sample.reason,
            original_reason_on=since,
            customer_since=since,
            arr=sample.arr,
            renewal_date=today + timedelta(days=sample.renewal_in) if sample.renewal_in is not None else None,
        )
        session.add(customer)
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
            add_checkin(checkin, customer=customer, session=session)


def _card(customer: Customer, session: Session, today: date, policy: Policy, is_key: bool) -> Panel:
    rows = Table.grid(padding=(0, 2))
    rows.add_column(style="bold")
    rows.add_column()

    def row(label: str, value: str | None) -> None:
        if value:
            rows.add_row(label, Text(value))

    row("Owner", customer.owner_user_id + (" (key account)" if is_key else ""))
    row("ARR", f"{customer.arr:,.0f}" if customer.arr is not None else None)
    row("Customer since", day_label(customer.customer_since, today) if customer.customer_since else None)
    if customer.renewal_date:
        row(
            "Renewal",
            f"{day_label(customer.renewal_date, today)} (in {days((customer.renewal_date - today).days)})",
        )
    if customer.original_reason:
        on = (
            f" (recorded {day_label(customer.original_reason_on, today)})"
            if customer.original_reason_on
            else ""
        )
        row("Why they chose us", customer.original_reason + on)
    if customer.current_reason and customer.current_reason != customer.original_reason:
        row("Reason now", customer.current_reason)
    if customer.last_verdict and customer.last_verdict_on:
        row(
            "Reason status",
            f"{customer.last_verdict.value.replace('_', ' ')} on "
            f"{day_label(customer.last_verdict_on, today)} by {customer.last_verdict_by}",
        )
    else:
        row("Reason status", "never asked")
    if customer.next_step:
        due = f" (due {day_label(customer.next_step_due, today)})" if customer.next_step_due else ""
        row("Next step", customer.next_step + due)
    if customer.last_changes:
        row("Changes", ", ".join(CHANGE_LABELS[c] for c in customer.last_changes))
    state = health(customer, today=today, policy=policy, is_key=is_key)
    style = HEALTH_STYLE[state.level]
    rows.add_row("Health", Text(state.level.label, style=style))
    for signal in state.signals:
        rows.add_row("", Text(f"• {signal.sentence}"))
    history = Table(title="Latest check-ins", title_justify="left", expand=True)
    for column in ("Date", "By", "Spoke with", "Reason", "Delivery", "Note"):
        history.add_column(column, overflow="fold")
    for checkin in latest_checkins(customer.id or 0, reader=Reader.of(session), limit=3):
        history.add_row(
            day_label(checkin.occurred_on, today),
            checkin.author_user_id or "",
            checkin.spoke_with or "",
            checkin.verdict.value.replace("_", " "),
            checkin.expectation.value,
            Text(checkin.note),
        )
    return Panel(Group(rows, history), title=Text(customer.name, style="bold"), border_style=style)


def _digest(plan: DigestPlan | None, today: date) -> Panel:
    lines = digest_lines(plan) if plan else ["Nobody is due today."]
    return Panel(Text("\n".join(lines)), title=f"Today's nudges for {OWNER} ({day_label(today, today)})")


def run_demo(console: Console, today: date, policy: Policy, cap: int) -> None:
    """Build the sample portfolio in a temporary SQLite file and print a card and the day's nudges."""
    with tempfile.TemporaryDirectory(prefix="holdfast-demo-") as folder:
        database = open_database(f"sqlite:///{Path(folder) / 'demo.db'}")
        try:
            with database.transaction() as session:
                build_portfolio(session, today)
            with database.session() as session:
                everyone = session.exec(select(Customer).where(Customer.team_id == TEAM_ID)).all()
                key_ids = key_account_ids(everyone, policy.key_account_share)
                featured = next(c for c in everyone if c.name == FEATURED)
                console.print(_card(featured, session, today, policy, featured.id in key_ids))
                mine = customers_of_owner(TEAM_ID, OWNER, session=session)
                plan = plan_owner(
                    mine,
                    team_id=TEAM_ID,
                    owner_user_id=OWNER,
                    today=today,
                    policy=policy,
                    key_ids=key_ids,
                    cap=cap,
                )
                console.print(_digest(plan, today))
        finally:
            database.dispose()
