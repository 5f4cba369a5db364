"""Fast reads (`storage.fast_read`) give back what the ORM gives back, on each backend."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import fields as dataclass_fields
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlmodel import select

from bot.operations.find_customer import find_customer
from bot.rules.facts import CheckInEntry
from bot.rules.vocabulary import Change, Expectation, Verdict
from storage.checkins import add_checkin, latest_checkins
from storage.customers import (
    LIKE_FRAGMENTS,
    customer_by_name,
    customer_name_rows,
    customers_containing,
    customers_like_any,
    newest_customer_id,
)
from storage.db import Database
from storage.fast_read import Reader
from storage.models import CheckIn, Customer
from storage.types import utcnow
from tests.factories import customer as make_customer

TEAM = "T0001"


def fields(customer: Customer) -> dict[str, Any]:
    return {name: getattr(customer, name) for name in Customer.model_fields}


def store(db: Database, *customers: Customer) -> list[int]:
    with db.transaction() as session:
        session.add_all(customers)
    return [c.id or 0 for c in customers]


def test_a_customer_reads_back_as_the_orm_reads_it(db: Database) -> None:
    (acme,) = store(
        db,
        make_customer(
            "Acme  Corp",
            arr=125_000.5,
            cadence_days=21,
            customer_since=date(2021, 4, 1),
            renewal_date=date(2026, 1, 31),
            original_reason="Faster onboarding",
            snoozed_until=None,
            last_verdict=Verdict.WEAKENED,
            last_verdict_on=date(2025, 3, 3),
            last_expectation=Expectation.BELOW,
            last_changes=[Change.NEW_LEADERSHIP, Change.BUDGET_CUT],
            updated_at=datetime(2025, 3, 3, 9, 30, tzinfo=UTC),
        ),
    )
    with db.session() as session:
        expected = fields(session.exec(select(Customer).where(Customer.id == acme)).one())
    with db.reader() as reader:
        found = customer_by_name(TEAM, "  ACME corp ", reader=reader)
    assert found is not None
    assert fields(found) == expected
    assert isinstance(found.last_verdict, Verdict)
    assert found.last_changes == [Change.NEW_LEADERSHIP, Change.BUDGET_CUT]
    assert found.updated_at.tzinfo is not None


def test_check_ins_read_newest_first_and_page(db: Database) -> None:
    (acme,) = store(db, make_customer("Acme"))
    days = [date(2025, 1, d) for d in (5, 9, 9, 1)]
    with db.transaction() as session:
        customer = session.get(Customer, acme)
        assert customer is not None
        for n, day in enumerate(days):
            checkin = CheckIn(
                team_id=TEAM, customer_id=acme, occurred_on=day, note=f"n{n}", changes=[Change.REORG]
            )
            add_checkin(checkin, customer=customer, session=session, now=utcnow())
    with db.reader() as reader:
        first = latest_checkins(acme, reader=reader, limit=3)
        rest = latest_checkins(acme, reader=reader, limit=3, offset=3)
    # Same day: the later-stored one first.
    assert [c.note for c in first] == ["n2", "n1", "n0"]
    assert [c.note for c in rest] == ["n3"]
    assert first[0].verdict is Verdict.NOT_ASKED
    with db.session() as session:
        stored = {c.note: c for c in session.exec(select(CheckIn)).all()}
    for entry in first + rest:
        row = stored[entry.note]
        assert entry == CheckInEntry(**{f.name: getattr(row, f.name) for f in dataclass_fields(CheckInEntry)})


def test_reads_inside_a_transaction_see_its_writes(db: Database) -> None:
    with db.transaction() as session:
        session.add(make_customer("Fresh"))
        session.flush()
        assert customer_by_name(TEAM, "fresh", reader=Reader.of(session)) is not None
    with db.reader() as reader:
        assert newest_customer_id(reader=reader) > 0


@pytest.mark.parametrize(
    ("name", "fragment"), [("100% Cotton", "0% c"), ("Under_score", "r_s"), ("Slash/Works", "h/w")]
)
def test_like_wildcards_in_a_name_match_only_themselves(db: Database, name: str, fragment: str) -> None:
    others = ("100X Cottonwood", "UnderXscore", "Slash Works", "Slash//Works")
    store(db, make_customer(name), *(make_customer(other) for other in others))
    with db.reader() as reader:
        containing = [c.name for c in customers_containing(TEAM, fragment, reader=reader, limit=10)]
        like_any = [pair[1] for pair in customers_like_any(TEAM, [fragment], reader=reader, limit=10)]
    assert containing == [name]
    assert like_any == [name]


def test_close_name_candidates_take_up_to_the_fragment_limit(db: Database) -> None:
    names = [f"{word} Ltd" for word in ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf")]
    store(db, *(make_customer(name) for name in names))
    fragments = [name[:3] for name in names[:LIKE_FRAGMENTS]]
    with db.reader() as reader:
        found = sorted(pair[1] for pair in customers_like_any(TEAM, fragments, reader=reader, limit=50))
        assert customers_like_any(TEAM, [], reader=reader, limit=50) == []
        with pytest.raises(ValueError, match="at most"):
            customers_like_any(TEAM, [*fragments, "gol"], reader=reader, limit=50)
    assert found == names[:LIKE_FRAGMENTS]


def test_other_workspaces_stay_out(db: Database) -> None:
    store(db, make_customer("Acme"), make_customer("Acme", team_id="T0002", owner_user_id="U2"))
    with db.reader() as reader:
        rows = customer_name_rows(TEAM, reader=reader)
        found = find_customer(TEAM, "acme", reader=reader)
    assert [(name, owner) for _, name, _, owner in rows] == [("Acme", "U1")]
    assert found.customer is not None
    assert found.customer.name == "Acme"


def test_model_rows_work_in_a_process_that_never_ran_an_orm_query(sqlite_url: str) -> None:
    """The mappers are configured by the first fast read, not only by the ORM's first query."""
    script = """
import sys
import sqlalchemy as sa
from storage.db import open_database
from storage.customers import customer_by_name
from storage.bulk import CUSTOMER

database = open_database(sys.argv[1])
with database.engine.begin() as connection:
    connection.execute(sa.insert(CUSTOMER).values(
        team_id="T1", name="Acme", name_key="acme", owner_user_id="U1", arr=5.0, active=True, last_changes=[]
    ))
with database.reader() as reader:
    print(customer_by_name("T1", "acme", reader=reader).arr)
"""
    done = subprocess.run(
        [sys.executable, "-c", script, sqlite_url], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "5.0"
