"""The product's closed vocabularies (what a check-in says), stored by their lowercase value."""

from __future__ import annotations

from enum import StrEnum


class Verdict(StrEnum):
    """Does the customer's original reason for choosing us still hold?"""

    HOLDS = "holds"
    WEAKENED = "weakened"
    CHANGED = "changed"
    NOT_ASKED = "not_asked"


class Expectation(StrEnum):
    """How delivery compares to what the customer expects."""

    ABOVE = "above"
    MEETS = "meets"
    BELOW = "below"
    UNKNOWN = "unknown"


class Change(StrEnum):
    """A meaningful event at the customer."""

    NEW_LEADERSHIP = "new_leadership"
    REORG = "reorg"
    MERGER = "merger"
    BUDGET_CUT = "budget_cut"
    GROWTH = "growth"
    CHAMPION_LEFT = "champion_left"
    NEW_COMPETITOR = "new_competitor"


CHANGE_LABELS: dict[Change, str] = {
    Change.NEW_LEADERSHIP: "New leadership",
    Change.REORG: "Reorganisation",
    Change.MERGER: "Merger or acquisition",
    Change.BUDGET_CUT: "Budget cut",
    Change.GROWTH: "Growth",
    Change.CHAMPION_LEFT: "Champion left",
    Change.NEW_COMPETITOR: "New competitor",
}


class Inactive(StrEnum):
    """Why a customer gets no nudges: it left us (lost), or it is dormant (inactive).

    Lost is an outcome on the customer, not a reason verdict: verdicts describe a customer that
    is still with us. The why and the day are kept on the customer and in its change history.
    """

    LOST = "lost"
    INACTIVE = "inactive"
