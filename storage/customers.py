"""Customer queries. Each takes the session (or a `FastQuery` reader) as a keyword; none commits."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from operator import attrgetter

import sqlalchemy as sa
from sqlalchemy import RowMapping, insert, update
from sqlmodel import Session, col, func, select

from bot.rules.edits import ACTIVE, Field, as_text
from bot.rules.names import name_key
from bot.rules.vocabulary import Inactive
from storage.bulk import CHUNK, CUSTOMER, CUSTOMER_CHANGE, execute_many
from storage.changes import FieldChange
from storage.fast_read import FastQuery, Reader
from storage.models import Customer

_LIKE_ESCAPE = "/"
# Fragments a close-name search looks for at once; fewer are padded by repeating the first.
LIKE_FRAGMENTS = 6

_BY_NAME = FastQuery.of_model(
    Customer,
    sa.select(CUSTOMER).where(
        CUSTOMER.c.team_id == sa.bindparam("team_id"), CUSTOMER.c.name_key == sa.bindparam("name_key")
    ),
)
_CONTAINING = FastQuery.of_model(
    Customer,
    sa.select(CUSTOMER)
    .where(
        CUSTOMER.c.team_id == sa.bindparam("team_id"),
        CUSTOMER.c.name_key.like(sa.bindparam("pattern"), escape=_LIKE_ESCAPE),
    )
    .order_by(CUSTOMER.c.name_key)
    .limit(sa.bindparam("limit")),
)
_LIKE_ANY: FastQuery[tuple[int, str]] = FastQuery(
    sa.select(CUSTOMER.c.id, CUSTOMER.c.name)
    .where(
        CUSTOMER.c.team_id == sa.bindparam("team_id"),
        sa.or_(
            *(
                CUSTOMER.c.name_key.like(sa.bindparam(f"pattern{n}"), escape=_LIKE_ESCAPE)
                for n in range(LIKE_FRAGMENTS)
            )
        ),
    )
    .limit(sa.bindparam("limit")),
    lambda row: (int(row[0]), row[1]),
)
_NAME_ROWS: FastQuery[tuple[int, str, str, str]] = FastQuery(
    sa.select(CUSTOMER.c.id, CUSTOMER.c.name, CUSTOMER.c.name_key, CUSTOMER.c.owner_user_id).where(
        CUSTOMER.c.team_id == sa.bindparam("team_id")
    ),
    lambda row: (int(row[0]), row[1], row[2], row[3]),
)
_NEWEST_ID: FastQuery[int] = FastQuery(sa.select(sa.func.max(CUSTOMER.c.id)), lambda row: int(row[0] or 0))


def _contains(text: str) -> str:
    """A LIKE pattern (escaped with `_LIKE_ESCAPE`) for keys containing `text`."""
    for special in (_LIKE_ESCAPE, "%", "_"):
        text = text.replace(special, _LIKE_ESCAPE + special)
    return f"%{text}%"


def customer_by_name(team_id: str, name: str, *, reader: Reader) -> Customer | None:
    """The workspace's customer with this name as people read it (same `name_key`), for reading."""
    return _BY_NAME.first(reader, team_id=team_id, name_key=name_key(name))


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
    """The fields a customer import sets (the CSV's columns, with the owner resolved, and the
    lost/inactive fields that go with `active`: `active` is False exactly when `inactive_kind` is set)."""

    name: str
    owner_user_id: str
    original_reason: str | None = None
    original_reason_on: date | None = None
    original_reason_theme: str | None = None
    customer_since: date | None = None
    renewal_date: date | None = None
    arr: float | None = None
    cadence_days: int | None = None
    active: bool = True
    inactive_kind: Inactive | None = None
    inactive_on: date | None = None
    inactive_why: str | None = None


IMPORTED_COLUMNS = tuple(f.name for f in fields(CustomerFields))
# The stored column of each field whose changes the history records by that name (and the status).
HISTORY_COLUMNS = {
    Field.OWNER: "owner_user_id",
    Field.REASON: "original_reason",
    Field.REASON_THEME: "original_reason_theme",
    Field.SINCE: "customer_since",
    Field.RENEWAL: "renewal_date",
    Field.ARR: "arr",
    Field.CADENCE: "cadence_days",
}


def _status(fields: CustomerFields) -> str:
    return fields.inactive_kind.value if fields.inactive_kind else ACTIVE


def field_changes(before: CustomerFields, after: CustomerFields) -> list[FieldChange]:
    """What differs between two states of a customer, as its history records it."""
    changes = [
        FieldChange(field, as_text(old), as_text(new))
        for field, column in HISTORY_COLUMNS.items()
        if (old := getattr(before, column)) != (new := getattr(after, column))
    ]
    if before.inactive_kind != after.inactive_kind:
        changes.append(FieldChange(Field.STATUS, _status(before), _status(after)))
    return changes


def customer_ids_by_key(team_id: str, *, session: Session) -> dict[str, int]:
    """Every customer's id by name key, in one query."""
    query = sa.select(CUSTOMER.c.name_key, CUSTOMER.c.id).where(CUSTOMER.c.team_id == team_id)
    return dict(session.connection().execute(query).all())


def imported_fields_by_key(team_id: str, *, session: Session) -> dict[str, tuple[int, CustomerFields]]:
    """Every customer's id and importable fields by name key, in one query."""
    query = sa.select(CUSTOMER.c.id, CUSTOMER.c.name_key, *(CUSTOMER.c[c] for c in IMPORTED_COLUMNS)).where(
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
        update(CUSTOMER).where(CUSTOMER.c.id == sa.bindparam("customer_id")),
        ("customer_id", "name_key", *IMPORTED_COLUMNS),
        ((customer_id, name_key(customer.name), *values(customer)) for customer_id, customer in customers),
        constants={"updated_at": now},
        session=session,
    )


def insert_customer_changes(
    team_id: str,
    changes: Iterable[tuple[int, FieldChange]],
    *,
    by: str | None,
    source: str,
    now: datetime,
    session: Session,
) -> None:
    """Add the history rows of many customers' `(id, change)` pairs in bulk (an import's), all made
    `now` by `by` from `source`; the same rows `storage.changes.record_changes` adds one at a time."""
    execute_many(
        insert(CUSTOMER_CHANGE),
        ("customer_id", "field", "old_value", "new_value"),
        ((customer_id, change.field, change.old, change.new) for customer_id, change in changes),
        constants={"team_id": team_id, "changed_at": now, "changed_by": by, "source": source},
        session=session,
    )


def add_customer(team_id: str, fields: CustomerFields, *, now: datetime, session: Session) -> Customer:
    """Add one customer, keyed by its name and stamped `now`; the caller commits (a name already
    taken in the workspace raises `IntegrityError` then)."""
    customer = Customer(
        team_id=team_id,
        name_key=name_key(fields.name),
        **{column: getattr(fields, column) for column in IMPORTED_COLUMNS},
        created_at=now,
        updated_at=now,
    )
    session.add(customer)
    return customer


def snooze_customer(customer: Customer, until: date, *, now: datetime, session: Session) -> None:
    """Rest the customer's nudges until `until`; the caller commits."""
    customer.snoozed_until = until
    customer.updated_at = now
    session.add(customer)


def hand_over_customer(customer: Customer, owner_user_id: str, *, now: datetime, session: Session) -> None:
    """Give the customer to `owner_user_id`; the caller commits (and records the owner)."""
    customer.owner_user_id = owner_user_id
    customer.updated_at = now
    session.add(customer)


def workspace_ids(*, session: Session) -> list[str]:
    """The workspaces that have customers."""
    query = sa.select(CUSTOMER.c.team_id).distinct().order_by(CUSTOMER.c.team_id)
    return list(session.connection().execute(query).scalars())


def customer_rows(team_id: str, *, session: Session) -> Iterator[RowMapping]:
    """Every column of every customer of the workspace, by name."""
    query = sa.select(CUSTOMER).where(CUSTOMER.c.team_id == team_id).order_by(CUSTOMER.c.name_key)
    yield from session.connection().execute(query.execution_options(yield_per=CHUNK)).mappings()


def customer_by_id(team_id: str, customer_id: int, *, session: Session) -> Customer | None:
    """The workspace's customer with this id (None for another workspace's)."""
    customer = session.get(Customer, customer_id)
    return customer if customer is not None and customer.team_id == team_id else None


def customers_containing(team_id: str, text: str, *, reader: Reader, limit: int) -> list[Customer]:
    """Customers whose name key contains the key of `text`, by name key (for reading)."""
    return _CONTAINING.all(reader, team_id=team_id, pattern=_contains(name_key(text)), limit=limit)


def customer_name_rows(team_id: str, *, reader: Reader) -> list[tuple[int, str, str, str]]:
    """(id, name, name key, owner) of every customer in the workspace, in no particular order."""
    return _NAME_ROWS.all(reader, team_id=team_id)


def newest_customer_id(*, reader: Reader) -> int:
    """The highest customer id in the database (0 when empty): it grows whenever a customer is added."""
    return _NEWEST_ID.first(reader) or 0


def active_counts(team_id: str, *, session: Session) -> tuple[int, int]:
    """How many active customers the workspace has, and how many of them have an ARR above zero."""
    query = select(func.count(), func.count(col(Customer.arr)).filter(col(Customer.arr) > 0)).where(
        Customer.team_id == team_id, col(Customer.active).is_(True)
    )
    active, with_arr = session.exec(query).one()
    return int(active), int(with_arr)


def arr_at_rank(team_id: str, rank: int, *, session: Session) -> float | None:
    """The ARR of the active customer at 1-based `rank` by ARR, highest first."""
    query = (
        select(Customer.arr)
        .where(Customer.team_id == team_id, col(Customer.active).is_(True), col(Customer.arr) > 0)
        .order_by(col(Customer.arr).desc())
        .offset(rank - 1)
        .limit(1)
    )
    return session.exec(query).first()


def customer_count(team_id: str, *, session: Session) -> int:
    return int(
        session.exec(select(func.count()).select_from(Customer).where(Customer.team_id == team_id)).one()
    )


def customers_like_any(
    team_id: str, fragments: Sequence[str], *, reader: Reader, limit: int
) -> list[tuple[int, str]]:
    """(id, name) of customers whose name contains any of `fragments` (at most `LIKE_FRAGMENTS`)."""
    if not fragments:
        return []
    if len(fragments) > LIKE_FRAGMENTS:
        raise ValueError(f"at most {LIKE_FRAGMENTS} fragments")
    padded = [*fragments, *[fragments[0]] * (LIKE_FRAGMENTS - len(fragments))]
    patterns = {f"pattern{n}": _contains(fragment) for n, fragment in enumerate(padded)}
    return _LIKE_ANY.all(reader, team_id=team_id, limit=limit, **patterns)
