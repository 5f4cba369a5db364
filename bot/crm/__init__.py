"""What Holdfast needs of a CRM, whichever it is: companies page by page from a cursor, and notes.

`bot.crm.hubspot` is the one implementation; a second CRM (Salesforce) is one more module with a
class that has these methods, and one more name in `SOURCES`. The sync (`bot.operations.crm_sync`)
and the notes outbox (`bot.crm_job`) only see this protocol.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.settings import Settings
from storage.models import Customer

HUBSPOT = "hubspot"


class CrmError(Exception):
    """The CRM could not be read or written; the message is one line saying why."""


class CrmAuthError(CrmError):
    """The CRM refused the token: nothing more can be done until the setting is fixed."""


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where an incremental sync stands: every record modified before `modified_at` is stored, and
    so is every record modified at `modified_at` with an id up to `record_id` (None: none known)."""

    modified_at: datetime | None = None
    record_id: str | None = None


@dataclass(frozen=True, slots=True)
class Company:
    """A CRM company as Holdfast reads it: the customers file's cells (`bot.csv_format.CUSTOMERS`
    columns by name, text as the CRM holds it; the owner as an e-mail address) and its record id."""

    record_id: str
    cells: Mapping[str, str]
    archived: bool = False
    problem: str | None = None  # why it cannot be a customer before its cells are read (no owner)


@dataclass(frozen=True, slots=True)
class Page:
    """One page of companies, in cursor order, and the cursor once it is stored; `total` is the
    CRM's estimate of how many the sync reads (None when it cannot say)."""

    companies: list[Company]
    cursor: Cursor
    total: int | None = None


@dataclass(frozen=True, slots=True)
class NoteDraft:
    """A check-in as a note on a company's timeline; `marker` is unique to the check-in, so an earlier
    attempt's note can be found again."""

    company_id: str
    occurred_at: datetime
    body: str
    marker: str
    author_email: str | None = None


class CrmSource(Protocol):
    """One CRM account, read and written over its API."""

    name: str

    @property
    def requests(self) -> int:
        """HTTP requests made so far."""
        ...

    def companies(self, since: Cursor) -> Iterator[Page]:
        """Companies changed after `since` (all when empty), page by page in cursor order."""
        ...

    def archived(self) -> Iterator[list[Company]]:
        """The companies archived (deleted) in the CRM, page by page."""
        ...

    def find_note(self, draft: NoteDraft) -> str | None:
        """The id of a note an earlier attempt wrote for `draft`, if the CRM can find one."""
        ...

    def write_note(self, draft: NoteDraft) -> str:
        """Write `draft` on its company's timeline; the note's id."""
        ...


def note_source(settings: Settings, customer: Customer) -> str | None:
    """The CRM a check-in on `customer` is written to as a note, or None: synced from a CRM whose
    token is set."""
    if customer.crm_id and customer.crm_source == HUBSPOT and settings.hubspot_token is not None:
        return HUBSPOT
    return None


def make_source(settings: Settings) -> CrmSource:
    """The configured CRM's source (HubSpot, with HUBSPOT_TOKEN set)."""
    from bot.crm.hubspot import HubSpotSource

    if settings.hubspot_token is None:
        raise CrmAuthError("HubSpot is not configured: set HUBSPOT_TOKEN")
    return HubSpotSource.from_settings(settings)
