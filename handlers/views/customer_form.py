"""The add-customer form and reading it back."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from slack_sdk.models.blocks import DatePickerElement, InputBlock, PlainTextInputElement, UserSelectElement
from slack_sdk.models.views import View

from handlers import ids
from handlers.views.common import plain

FIELD_BLOCKS = {
    "name": ids.CUSTOMER_NAME,
    "owner": ids.CUSTOMER_OWNER,
    "arr": ids.CUSTOMER_ARR,
    "renewal": ids.CUSTOMER_RENEWAL,
}


@dataclass(frozen=True)
class CustomerDraft:
    name: str
    owner_user_id: str | None
    reason: str
    since: date | None
    renewal: date | None
    arr_text: str


def _input(block_id: str, label: str, element: Any, *, optional: bool = False) -> InputBlock:
    element.action_id = block_id
    return InputBlock(block_id=block_id, label=plain(label, 2000), element=element, optional=optional)


def customer_modal(*, name: str = "", owner_user_id: str, metadata: dict[str, Any] | None = None) -> View:
    """The form to add a customer; `owner_user_id` (the caller) is the default owner."""
    return View(
        type="modal",
        callback_id=ids.CUSTOMER_VIEW,
        title=plain("Add a customer", 24),
        submit=plain("Add", 24),
        close=plain("Cancel", 24),
        blocks=[
            _input(
                ids.CUSTOMER_NAME,
                "Name",
                PlainTextInputElement(initial_value=" ".join(name.split())[:200] or None, max_length=200),
            ),
            _input(ids.CUSTOMER_OWNER, "Owner", UserSelectElement(initial_user=owner_user_id)),
            _input(
                ids.CUSTOMER_REASON,
                "Why did they choose us?",
                PlainTextInputElement(multiline=True, max_length=2900),
                optional=True,
            ),
            _input(ids.CUSTOMER_SINCE, "Customer since", DatePickerElement(), optional=True),
            _input(ids.CUSTOMER_RENEWAL, "Renewal date", DatePickerElement(), optional=True),
            _input(
                ids.CUSTOMER_ARR,
                "Annual revenue (ARR)",
                PlainTextInputElement(placeholder=plain("e.g. 120000 or 120k", 150), max_length=40),
                optional=True,
            ),
        ],
        private_metadata=json.dumps(metadata or {}),
    )


def read_customer_form(values: dict[str, Any]) -> CustomerDraft:
    def value(block_id: str) -> dict[str, Any]:
        return dict(values.get(block_id, {}).get(block_id) or {})

    def day(block_id: str) -> date | None:
        raw = value(block_id).get("selected_date")
        return date.fromisoformat(raw) if raw else None

    return CustomerDraft(
        name=" ".join(str(value(ids.CUSTOMER_NAME).get("value") or "").split()),
        owner_user_id=value(ids.CUSTOMER_OWNER).get("selected_user"),
        reason=str(value(ids.CUSTOMER_REASON).get("value") or "").strip(),
        since=day(ids.CUSTOMER_SINCE),
        renewal=day(ids.CUSTOMER_RENEWAL),
        arr_text=str(value(ids.CUSTOMER_ARR).get("value") or ""),
    )


def form_errors(mistakes: dict[str, str]) -> dict[str, str]:
    return {FIELD_BLOCKS[field]: message for field, message in mistakes.items() if field in FIELD_BLOCKS}
