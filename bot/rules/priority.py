"""Priority: which due customer to talk to first, as one score of value and urgency.

    priority = value × urgency
    value    = √(ARR share)            the customer's ARR over the workspace's active ARR
    urgency  = Σ weight × (1 + late)   over the reasons it is due

Value is the ARR share, not the key-account flag: key accounts are the top of the same scale (and
their shorter cadence already makes them due more often), and a share has no cliff at the cut-off.
The square root damps it, so a 4× larger account counts 2×: a large account with a serious reason
comes first, yet a small one with a much more serious reason can still pass a large one that is
barely due. A customer without ARR has no value and comes after every one with ARR (among them,
urgency decides). Within one workspace the order does not depend on the total: every share is
divided by the same number.

Urgency adds each due reason's weight (`WEIGHTS`, `CHANGE_WEIGHTS`), raised by how late it is:
`late` is in [0, 1] (0 when just due, 1 at `lateness`'s span or beyond), so lateness can double a
weight but never turns a lesser reason into a graver one by much. A changed reason, a departed
champion or a renewal inside the window weigh far more than a stale contact.
"""

from __future__ import annotations

import math
from enum import StrEnum

from bot.rules.vocabulary import Change


class Ground(StrEnum):
    """What a due reason is about, as far as its weight goes."""

    STALE_CONTACT = "stale contact"
    NEVER_CHECKED_IN = "never checked in"
    NEXT_STEP_DUE = "next step due"
    CONCERN = "concern"  # a follow-up on a concern that names neither a verdict nor a change
    RENEWAL = "renewal"
    REASON_WEAKENED = "reason weakened"
    REASON_CHANGED = "reason changed"


WEIGHTS: dict[Ground, float] = {
    Ground.STALE_CONTACT: 1.0,
    Ground.NEVER_CHECKED_IN: 1.0,
    Ground.NEXT_STEP_DUE: 2.0,
    Ground.CONCERN: 2.0,
    Ground.RENEWAL: 4.0,
    Ground.REASON_WEAKENED: 4.0,
    Ground.REASON_CHANGED: 5.0,
}

CHANGE_WEIGHTS: dict[Change, float] = {
    Change.CHAMPION_LEFT: 5.0,
    Change.NEW_LEADERSHIP: 4.0,
    Change.MERGER: 4.0,
    Change.BUDGET_CUT: 4.0,
    Change.REORG: 3.0,
    Change.NEW_COMPETITOR: 3.0,
    Change.GROWTH: 2.0,
}

# Days late at which a reason without a span of its own (a follow-up, a next step) is fully late;
# a stale contact is fully late a whole cadence past due, a renewal on its day.
SPAN_DAYS = 30

# A follow-up on several events at once (a verdict and changes) weighs its gravest event's weight,
# plus this for each further one.
FURTHER_EVENT = 1.0


def lateness(days_late: int, span: int) -> float:
    """How late a reason is, from 0 (just due, or not yet) to 1 (`span` days late or more)."""
    if days_late <= 0:
        return 0.0
    return 1.0 if days_late >= span else days_late / span


def contribution(weight: float, late: float) -> float:
    """What one due reason adds to urgency: its weight, raised by up to double when late."""
    return weight * (1.0 + late)


def value(arr: float | None, total: float) -> float:
    """A customer's value: the square root of its share of the workspace's active ARR `total`."""
    if not arr or arr <= 0 or total <= 0:
        return 0.0
    return math.sqrt(arr / total)


def priority(value: float, urgency: float) -> float:
    """The score that orders due customers, highest first."""
    return value * urgency
