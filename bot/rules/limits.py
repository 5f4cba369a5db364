"""The one set of field limits every path shares: forms, slash text, CSV cells, forged payloads.

Text goes through `clean_text` first, the same way on every path and both backends: C0 control
characters other than tab and line feed, DEL, C1 controls and lone surrogates are removed, and
CR LF or a lone CR becomes LF. So a NUL byte never reaches PostgreSQL (which refuses it) nor
SQLite (which would keep it). Then each check returns what is wrong as a phrase that follows the
field's name ("is 3,012 characters long; the limit is 3,000"), or None within the limit. Dates are
checked against a window around `today`, which the caller passes. Text shown back within a limit is
cut by `shorten`, the one truncator; amounts are read by `parse_amount`, the one ARR grammar.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

MAX_NAME = 200  # a customer name
MAX_QUERY = 200  # what someone types to find a customer (longer cannot match a name)
MAX_NOTE = 3000  # a check-in's note
MAX_REASON = 3000  # why they chose us: the original reason, a new reason
MAX_SPOKE_WITH = 500  # who was spoken to
MAX_NEXT_STEP = 500  # the agreed next step
MAX_EMAIL = 320  # an e-mail address (RFC 5321's limit)
MAX_ARR = 1e12  # annual revenue, in the workspace's currency
MIN_CADENCE = 1  # a customer's own check-in cadence, in days
MAX_CADENCE = 3650

ELLIPSIS = "…"

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_DAYS_A_YEAR = 365.2425
# What is left of an escape (`&amp;`, `&lt;`, `&gt;`) cut before its `;`.
_PARTIAL_ESCAPE = re.compile(r"&(?:a(?:mp?)?|lt?|gt?)?$")
# An amount once separators are removed: a number (exponent allowed), then k (thousands) or m (millions).
_AMOUNT = re.compile(
    r"(?P<mantissa>[+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:e(?P<exponent>[+-]?\d+))?(?P<unit>[km]?)", re.IGNORECASE
)
_UNIT_EXPONENTS = {"": 0, "k": 3, "m": 6}


def clean_text(text: str) -> str:
    """`text` without control characters (tab and line feed stay), line breaks as LF."""
    if text.isprintable():  # the usual case, checked quickly: nothing to remove
        return text
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)


def shorten(text: str, limit: int) -> str:
    """`text` in at most `limit` (≥ 1) characters: when longer, cut with a trailing ellipsis, never
    inside an escape (`&amp;`, `&lt;`, `&gt;`) and without white space before the ellipsis."""
    if len(text) <= limit:
        return text
    return _PARTIAL_ESCAPE.sub("", text[: limit - 1]).rstrip() + ELLIPSIS


def too_long(text: str, limit: int) -> str | None:
    return f"is {len(text):,} characters long; the limit is {limit:,}" if len(text) > limit else None


def parse_amount(text: str) -> float | None:
    """An amount as people and files write it: '120000', '120,000', '$120k', '1.5m', '1e+12', '-5'
    (a sign, a currency symbol, separators `,` `_` and spaces, k or m); None when it is no number.

    Say what is wrong with the number itself (negative, too big) with `arr_problem`.
    """
    cleaned = text.strip().replace(",", "").replace("_", "").replace(" ", "")
    if cleaned[:1] in ("$", "€", "£"):
        cleaned = cleaned[1:]
    match = _AMOUNT.fullmatch(cleaned)
    if not match:
        return None
    exponent = int(match["exponent"] or 0) + _UNIT_EXPONENTS[match["unit"].lower()]
    return float(f"{match['mantissa']}e{exponent}")  # exact: no rounding from multiplying


def arr_problem(amount: float) -> str | None:
    """What is wrong with an annual revenue (not finite counts as above the limit)."""
    if amount < 0:
        return "is negative"
    if not math.isfinite(amount) or amount > MAX_ARR:
        return f"is above the limit of {MAX_ARR:,.0f}"
    return None


def cadence_problem(days: int) -> str | None:
    if days < MIN_CADENCE:
        return f"is not a whole number of days above {MIN_CADENCE - 1}"
    if days > MAX_CADENCE:
        return f"is more than {MAX_CADENCE:,} days"
    return None


@dataclass(frozen=True, slots=True)
class DateWindow:
    """How far before and after today a date may lie (`years_ahead=0`: not after today)."""

    years_back: int
    years_ahead: int

    def problem(self, day: date, today: date) -> str | None:
        if day > today + timedelta(days=round(self.years_ahead * _DAYS_A_YEAR)):
            return (
                "is in the future"
                if self.years_ahead == 0
                else f"is more than {self.years_ahead} years ahead"
            )
        if day < today - timedelta(days=round(self.years_back * _DAYS_A_YEAR)):
            return f"is more than {self.years_back} years ago"
        return None


CHECKIN_DATE = DateWindow(years_back=20, years_ahead=0)
NEXT_STEP_DUE = DateWindow(years_back=20, years_ahead=10)
CUSTOMER_SINCE = DateWindow(years_back=100, years_ahead=1)
RENEWAL_DATE = DateWindow(years_back=20, years_ahead=20)

# The most a zone is ahead of UTC: the latest day it is anywhere on Earth at a given moment.
_LATEST_OFFSET = timedelta(hours=14)


def latest_today(now: datetime) -> date:
    """The latest date it is anywhere at `now` (tz-aware): "today" for a file with no time zone."""
    return (now.astimezone(UTC) + _LATEST_OFFSET).date()
