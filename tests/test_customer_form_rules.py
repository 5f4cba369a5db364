"""The add-customer form's rule for the reason: required, unless it is not known yet."""

from __future__ import annotations

from datetime import date

import pytest

from bot.rules.forms import REASON_REQUIRED, customer_mistakes
from bot.rules.limits import MAX_REASON

TODAY = date(2025, 3, 14)


@pytest.mark.parametrize(
    ("reason", "mistake"),
    [
        ("Fast onboarding", None),
        (None, None),  # "Not known yet": stored as none, and the nudge asks to find out
        ("", REASON_REQUIRED),
        (" \n\t", REASON_REQUIRED),
        ("r" * MAX_REASON, None),
        ("r" * (MAX_REASON + 1), "The reason is 3,001 characters long; the limit is 3,000."),
    ],
)
def test_the_reason_is_required_unless_not_known_yet(reason: str | None, mistake: str | None) -> None:
    mistakes = customer_mistakes(
        name="Acme", name_taken=False, arr_text="", since=None, renewal=None, today=TODAY, reason=reason
    )
    assert mistakes.get("reason") == mistake
    assert set(mistakes) <= {"reason"}
