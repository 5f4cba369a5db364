"""The add-customer form's `state.values` as Slack submits them, with "Not known yet" when no reason."""

from __future__ import annotations

from typing import Any

from handlers import ids
from handlers.views.customer_form import REASON_UNKNOWN
from tests.live_app import customer_form_values


def add_form_values(
    name: str, *, owner: str = "U1", reason: str | None = None, arr: str | None = None
) -> dict[str, dict[str, Any]]:
    """The form with `reason` typed; without one, "Not known yet" ticked (and the reason input gone)."""
    values = customer_form_values(name, owner=owner, reason=reason, arr=arr)
    if reason is None:
        del values[ids.CUSTOMER_REASON]
        values[ids.CUSTOMER_REASON_UNKNOWN] = {
            ids.CUSTOMER_REASON_UNKNOWN: {
                "type": "checkboxes",
                "selected_options": [{"value": REASON_UNKNOWN}],
            }
        }
    return values
