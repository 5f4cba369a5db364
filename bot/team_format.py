"""How the team view says its figures to a person, the same in every surface (terminal, HTML, Slack)."""

from __future__ import annotations

from bot.operations.team_view import OwnerLine, TenureSplit
from bot.rules.themes import NOT_SET, unlisted_label
from handlers.views.common import money

# The per-owner table's columns, and each owner's cells (`owner_cells`), in every report.
OWNER_COLUMNS = (
    "Owner",
    "Customers",
    "ARR",
    "Contacted",
    "Asked",
    "Holds",
    "Weakened",
    "Changed",
    "Concerns",
    "Snoozed",
    "Paused",
)

# The team view's three lists, as every surface titles them.
LISTS = (
    "Key accounts untouched past their cadence",
    "Renewals in the window, reason unconfirmed",
    "Customers whose owner may not use Holdfast",
)


def theme_label(theme: str | None) -> str:
    """A reason theme as the team view names it: its key in words ("not set" for none). The
    configured labels are not applied here yet: a `key=label` theme reads as its key."""
    return NOT_SET if theme is None else unlisted_label(theme)


def percent(share: float | None) -> str:
    """'42%', or '—' when there is nothing to divide by."""
    return "—" if share is None else f"{share:.0%}"


def owner_label(user_id: str, display_name: str | None) -> str:
    """An owner as the report names them: their stored name, else their Slack user ID."""
    return f"{display_name} ({user_id})" if display_name else user_id


def changed_into(changed_to: dict[str | None, int]) -> str:
    """'integration 2, price 1' (the themes a reason changed to), or '—'."""
    return ", ".join(f"{theme_label(theme)} {count}" for theme, count in changed_to.items()) or "—"


def tenure_sentence(tenure: TenureSplit) -> str:
    """One line on where the period's attention went, new customers against tenured ones."""
    checkins = tenure.new_checkins + tenure.tenured_checkins
    line = (
        f"Tenured customers (over a year) hold {percent(tenure.tenured_arr_share)} of the ARR and "
        f"{percent(tenure.tenured_customer_share)} of the customers, and got "
        f"{percent(tenure.tenured_checkin_share)} of the check-ins ({tenure.tenured_checkins} of {checkins})."
    )
    return line + (" They are getting clearly less attention than their share." if tenure.neglected else "")


def owner_cells(owner: OwnerLine, name: str) -> list[str]:
    """One owner's row of the per-owner table (`OWNER_COLUMNS`), named `name`."""
    return [
        name + (" (may not use Holdfast)" if owner.deactivated else ""),
        str(owner.customers),
        money(owner.arr),
        str(owner.contacted),
        str(owner.asked),
        str(owner.holds),
        str(owner.weakened),
        str(owner.changed),
        str(owner.concerns_open),
        str(owner.snoozed),
        "yes" if owner.paused else "",
    ]
