"""Every Holdfast listener, registered on an app in the order Bolt should try them."""

from __future__ import annotations

from slack_bolt import App

from bot.operations.key_accounts import KeyCutoffs
from bot.operations.suggest_customers import CustomerNames
from bot.services import Services
from handlers import (
    access,
    checkin_command,
    checkin_form,
    customer_command,
    customer_edit,
    customer_form,
    digest,
    form_choices,
    history,
    home,
    pick_customer,
    verdict_answer,
)
from handlers.support import Shared


def register(app: App, services: Services) -> None:
    """Register every Holdfast listener on `app`, in the order Bolt should try them."""
    shared = Shared(services, KeyCutoffs(services), CustomerNames(services))
    access.register(app, shared)  # first: the global middleware refusing anyone outside the account team
    # Bolt tries listeners in registration order and builds every matcher's arguments afresh, so the
    # requests that must answer fastest (`/customer`, the typeahead) come first.
    for module in (
        customer_command,
        checkin_form,
        checkin_command,
        verdict_answer,
        customer_form,
        form_choices,
        pick_customer,
        history,
        customer_edit,
        digest,
        home,
    ):
        module.register(app, shared)
