"""Customer queries. Each takes the session as a keyword and never commits."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from operator import attrgetter

from sqlalchemy import RowMapping, bindparam, insert, update
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from storage.bulk import CHUNK, CUSTOMER, execute_many
from storage.models import Customer, name_key


def customer_by_name(team_id: str, name: str, *, session: Session) -> Customer | None:
    """The workspace's customer with this name, ignoring case and extra spaces."""
    query = select(Customer).where(Customer.team_id == team_id, Customer.name_key == name_key(name))
    return session.exec(query).first()


def customers_of_owner(team_id: str, owner_user_id: str, *, session: Session) -> Sequence[Customer]:
    """Every customer an owner holds, by name."""
    query = (
        select(Customer)
        .where(Customer.team_id == team_id, Customer.owner_user_id == owner_user_id)
        .order_by(col(Customer.name_key))
    )
    return session.exec(query).all()


@dataclass(frozen=True, slots=True)
class CustomerFields:
    """The fields a customer import sets (the CSV's columns, with the owner resolved)."""

    name: str
    owner_user_id: str
    original_reason: str | None = None
    original_reason_on: date | None = None
    customer_since: date | None = None
    renewal_date: date | None = None
    arr: float | None = None
    cadence_days: int | None = None


IMPORTED_COLUMNS = tuple(f.name for f in fields(CustomerFields))


def customer_ids_by_key(team_id: str, *, session: Session) -> dict[str, int]:
    """Every customer's id by name key, in one query."""
    query = core_select(CUSTOMER.c.name_key, CUSTOMER.c.id).where(CUSTOMER.c.team_id == team_id)
    return dict(session.connection().execute(query).all())


def imported_fields_by_key(team_id: str, *, session: Session) -> dict[str, tuple[int, CustomerFields]]:
    """Every customer's id and importable fields by name key, in one query."""
    query = core_select(CUSTOMER.c.id, CUSTOMER.c.name_key, *(CUSTOMER.c[c] for c in IMPORTED_COLUMNS)).where(
        CUSTOMER.c.team_id == team_id
    )
    return {
        row["name_key"]: (row["id"], CustomerFields(**{c: row[c] for c in IMPORTED_COLUMNS}))
        for row in session.connection().execute(query).mappings()
    }


def insert_customers(
    team_id: str, customers: Iterable[CustomerFields], *, now: datetime, session: Session
) -> None:
    """Add customers in bulk (their names must be new to the workspace)."""
    values = attrgetter(*IMPORTED_COLUMNS)
    execute_many(
        insert(CUSTOMER),
        ("name_key", *IMPORTED_COLUMNS),
        ((name_key(customer.name), *values(customer)) for customer in customers),
        constants={
            "team_id": team_id,
            "active": True,
            "last_changes": [],
            "created_at": now,
            "updated_at": now,
        },
        session=session,
    )


def update_customers(
    customers: Iterable[tuple[int, CustomerFields]], *, now: datetime, session: Session
) -> None:
    """Overwrite the importable fields of `(id, fields)` pairs in bulk."""
    values = attrgetter(*IMPORTED_COLUMNS)
    execute_many(
        update(CUSTOMER).where(CUSTOMER.c.id == bindparam("customer_id")),
        ("customer_id", "name_key", *IMPORTED_COLUMNS),
        ((customer_id, name_key(customer.name), *values(customer)) for customer_id, customer in customers),
        constants={"updated_at": now},
        session=session,
    )


def workspace_ids(*, session: Session) -> list[str]:
    """The workspaces that have customers."""
    query = core_select(CUSTOMER.c.team_id).distinct().order_by(CUSTOMER.c.team_id)
    return list(session.connection().execute(query).scalars())


def customer_rows(team_id: str, *, session: Session) -> Iterator[RowMapping]:
    """Every column of every customer of the workspace, by name."""
    query = core_select(CUSTOMER).where(CUSTOMER.c.team_id == team_id).order_by(CUSTOMER.c.name_key)
    yield from session.connection().execute(query.execution_options(yield_per=CHUNK)).mappings()
