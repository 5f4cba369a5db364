"""Builders for test data."""

from __future__ import annotations

from itertools import count
from typing import Any

from bot.rules.names import name_key
from storage.models import Customer

_ids = count(1)


def customer(name: str = "Acme", **fields: Any) -> Customer:
    """An unsaved customer with an id, active, owned by U1, no history; override any field."""
    values: dict[str, Any] = {
        "id": next(_ids),
        "team_id": "T0001",
        "owner_user_id": "U1",
        "active": True,
        "last_changes": [],
    }
    values.update(fields)
    return Customer(name=name, name_key=name_key(name), **values)
