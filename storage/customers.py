"""Customer queries. Each takes the session as a keyword and never commits."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

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
