"""Reading a `/checkin` line: which customer, the note, and a verdict tag (`#holds` …) in the note."""

from __future__ import annotations

import re
from dataclasses import dataclass

from storage.enums import Verdict

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
    """The note without its verdict tags, and the verdict of the last tag (None without one)."""
    found = _TAG.findall(note)
    verdict = TAGS[found[-1].lower()] if found else None
    cleaned = _SPACES.sub(" ", _TAG.sub("", note))
    cleaned = "\n".join(line.strip() for line in cleaned.splitlines()).strip()
    return cleaned, verdict


def parse_checkin_line(text: str) -> CheckinLine:
    """`Acme` → customer only; `Acme: talked to Jo #holds` → customer, note and verdict."""
    text = text.strip()
    if ":" not in text:
        return CheckinLine(customer=" ".join(text.split()))
    customer, note = text.split(":", 1)
    cleaned, verdict = take_verdict(note)
    return CheckinLine(customer=" ".join(customer.split()), note=cleaned, verdict=verdict)
