"""What the rules and views read about a customer and its check-ins: the ORM rows or any object with
the same attributes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from bot.rules.vocabulary import Change, Expectation, Verdict


class CustomerFacts(Protocol):
    """The customer fields the nudge, digest and key-account rules use (storage.models.Customer
    satisfies it)."""

    @property
    def id(self) -> int | None: ...
    @property
    def name(self) -> str: ...
    @property
    def arr(self) -> float | None: ...
    @property
    def active(self) -> bool: ...
    @property
    def cadence_days(self) -> int | None: ...
    @property
    def customer_since(self) -> date | None: ...
    @property
    def renewal_date(self) -> date | None: ...
    @property
    def original_reason(self) -> str | None: ...
    @property
    def current_reason(self) -> str | None: ...
    @property
    def snoozed_until(self) -> date | None: ...
    @property
    def last_checkin_on(self) -> date | None: ...
    @property
    def last_verdict(self) -> Verdict | None: ...
    @property
    def last_verdict_on(self) -> date | None: ...
    @property
    def reason_confirmed_on(self) -> date | None: ...
    @property
    def concern_on(self) -> date | None: ...
    @property
    def last_changes(self) -> Sequence[Change]: ...
    @property
    def last_changes_on(self) -> date | None: ...
    @property
    def next_step(self) -> str | None: ...
    @property
    def next_step_due(self) -> date | None: ...


class HealthFacts(CustomerFacts, Protocol):
    """What health reads besides: how delivery last compared to their expectations."""

    @property
    def last_expectation(self) -> Expectation | None: ...


class CardFacts(HealthFacts, Protocol):
    """What the customer card shows besides: who owns it, who gave the last verdict, and when each
    reason was recorded."""

    @property
    def owner_user_id(self) -> str: ...
    @property
    def last_verdict_by(self) -> str | None: ...
    @property
    def original_reason_on(self) -> date | None: ...
    @property
    def current_reason_on(self) -> date | None: ...


class CheckInFacts(Protocol):
    """What a check-in says: a `CheckIn` row, or a record read from a file before it is stored."""

    @property
    def occurred_on(self) -> date: ...
    @property
    def author_user_id(self) -> str | None: ...
    @property
    def verdict(self) -> Verdict: ...
    @property
    def new_reason(self) -> str | None: ...
    @property
    def expectation(self) -> Expectation: ...
    @property
    def changes(self) -> Sequence[Change]: ...
    @property
    def next_step(self) -> str | None: ...
    @property
    def next_step_due(self) -> date | None: ...


class LoggedCheckIn(CheckInFacts, Protocol):
    """A check-in just stored, as its confirmation reads it: its id and note besides."""

    @property
    def id(self) -> int | None: ...
    @property
    def note(self) -> str: ...


@dataclass(frozen=True, slots=True)
class CheckInEntry:
    """A stored check-in as the card and the history show it (the columns they read, nothing more)."""

    occurred_on: date
    author_user_id: str | None
    spoke_with: str | None
    note: str
    verdict: Verdict
    new_reason: str | None
    expectation: Expectation
