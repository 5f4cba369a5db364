"""Reading a `/checkin` line: which customer, the note, and a verdict tag (`#holds` …) in the note."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from bot.rules.limits import MAX_NAME
from bot.rules.vocabulary import Verdict

T = TypeVar("T")

TAGS: dict[str, Verdict] = {
    "holds": Verdict.HOLDS,
    "weakened": Verdict.WEAKENED,
    "changed": Verdict.CHANGED,
}
_TAG = re.compile(r"(?<![\w#])#(holds|weakened|changed)(?![\w-])", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\u00a0]{2,}")


@dataclass(frozen=True)
class CheckinLine:
    """What follows `/checkin`: `customer` alone opens the form; with a `note` it logs at once."""

    customer: str
    note: str | None = None
    verdict: Verdict | None = None

    @property
    def logs_now(self) -> bool:
        """A customer and a non-empty note: store straight away."""
        return bool(self.customer) and bool(self.note)


def take_verdict(note: str) -> tuple[str, Verdict | None]:
    """The note without its verdict tags, and the verdict they give: None without a tag, or when
    tags disagree (`#holds … #changed`), so the reply asks instead of storing a guess."""
    found = {TAGS[tag.lower()] for tag in _TAG.findall(note)}
    verdict = found.pop() if len(found) == 1 else None
    cleaned = _SPACES.sub(" ", _TAG.sub("", note))
    cleaned = "\n".join(line.strip() for line in cleaned.splitlines()).strip()
    return cleaned, verdict


def _spaced(text: str) -> str:
    return " ".join(text.split())


def checkin_readings(text: str) -> tuple[CheckinLine, ...]:
    """Every way to read `text` as `<customer>: <note>`, the longest customer first (a name may hold
    a colon: `Colon: Name: note`), down to the split at the first colon; customers longer than a name
    can be are left out, but the first split always stays. Without a colon: the customer alone."""
    text = text.strip()
    readings: list[CheckinLine] = []
    for colon in (match.start() for match in re.finditer(":", text)):
        customer = _spaced(text[:colon])
        if readings and len(customer) > MAX_NAME:
            break
        cleaned, verdict = take_verdict(text[colon + 1 :])
        readings.append(CheckinLine(customer=customer, note=cleaned, verdict=verdict))
    return tuple(reversed(readings)) or (CheckinLine(customer=_spaced(text)),)


def parse_checkin_line(text: str) -> CheckinLine:
    """`Acme` → customer only; `Acme: talked to Jo #holds` → customer, note and verdict (split at the
    first colon; see `checkin_readings` for names with one)."""
    return checkin_readings(text)[-1]


def named_reading(
    readings: Sequence[CheckinLine], customer_named: Callable[[str], T | None]
) -> tuple[CheckinLine, T] | None:
    """The first reading (so the longest name) whose customer `customer_named` finds exactly, and it."""
    for reading in readings:
        found = customer_named(reading.customer) if reading.customer else None
        if found is not None:
            return reading, found
    return None
