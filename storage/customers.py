"""Customer queries. Each takes the session as a keyword and never commits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, col, func, or_, select

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


def customer_by_id(team_id: str, customer_id: int, *, session: Session) -> Customer | None:
    """The workspace's customer with this id (None for another workspace's)."""
    customer = session.get(Customer, customer_id)
    return customer if customer is not None and customer.team_id == team_id else None


def customers_containing(team_id: str, text: str, *, session: Session, limit: int) -> Sequence[Customer]:
    """Customers whose name contains `text` (ignoring case and extra spaces), by name."""
    query = (
        select(Customer)
        .where(Customer.team_id == team_id, col(Customer.name_key).contains(name_key(text), autoescape=True))
        .order_by(col(Customer.name_key))
        .limit(limit)
    )
    return session.exec(query).all()


def customer_names(team_id: str, *, session: Session) -> list[tuple[int, str]]:
    """Every customer's id and name in the workspace (for suggesting close names)."""
    query = select(Customer.id, Customer.name).where(Customer.team_id == team_id)
    return [(int(row[0]), row[1]) for row in session.exec(query).all() if row[0] is not None]


def search_customers(
    team_id: str, text: str, *, caller_user_id: str, session: Session, limit: int = 100
) -> list[tuple[int, str]]:
    """Typeahead: (id, name) of customers matching `text`, at most `limit`.

    The caller's own customers come first, then names starting with `text`, then names containing
    it. Each step is an index range or an early-stopping scan, so it stays fast on a large book.
    """
    key = name_key(text)
    found: dict[int, str] = {}

    # Plain rows (no ORM loading): this runs on every keystroke.
    connection = session.connection()

    def take(query: Any) -> None:
        for customer_id, name in connection.execute(query.limit(limit - len(found))).all():
            if len(found) >= limit:
                return
            found.setdefault(int(customer_id), name)

    columns = select(Customer.id, Customer.name)
    # The caller's own book, through the owner index: sorting by an expression (not the bare
    # column) keeps SQLite from walking the whole name index to avoid the sort instead.
    own = columns.where(Customer.team_id == team_id, Customer.owner_user_id == caller_user_id)
    if key:
        own = own.where(col(Customer.name_key).contains(key, autoescape=True))
    take(own.order_by(col(Customer.name_key).concat("")))
    if len(found) < limit and key:
        # An index range on (team_id, name_key): every key starting with `key`.
        prefix = columns.where(
            Customer.team_id == team_id,
            col(Customer.name_key) >= key,
            col(Customer.name_key) < key + "\U0010ffff",
        )
        take(prefix.order_by(col(Customer.name_key)))
    if len(found) < limit:
        rest = columns.where(Customer.team_id == team_id)
        if key:
            rest = rest.where(col(Customer.name_key).contains(key, autoescape=True))
        take(rest.order_by(col(Customer.name_key)))
    return list(found.items())


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
    team_id: str, fragments: Sequence[str], *, session: Session, limit: int
) -> list[tuple[int, str]]:
    """(id, name) of customers whose name contains any of `fragments` (candidates for close names)."""
    if not fragments:
        return []
    query = (
        select(Customer.id, Customer.name)
        .where(
            Customer.team_id == team_id,
            or_(*(col(Customer.name_key).contains(fragment, autoescape=True) for fragment in fragments)),
        )
        .limit(limit)
    )
    return [(int(row[0] or 0), row[1]) for row in session.exec(query).all()]
