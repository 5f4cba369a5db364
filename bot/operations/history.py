"""A customer's full history, one page at a time: its check-ins and the changes to its fields, newest
first in one list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.operations.actor import Actor
from bot.rules.facts import CheckInEntry
from bot.services import Services
from storage.changes import change_count, changes_of
from storage.checkins import checkin_count, latest_checkins
from storage.customers import customer_by_id
from storage.fast_read import Reader
from storage.models import Customer, CustomerChange


@dataclass(frozen=True, slots=True)
class ChangeEntry:
    """One field changed: the day (in the reader's time zone), who, the field's old and new value as
    history stores them (`bot.rules.edits.as_text`), and its note (why a customer was lost)."""

    on: date
    by: str | None
    field: str
    old: str | None
    new: str | None
    note: str | None


HistoryEntry = CheckInEntry | ChangeEntry


@dataclass(frozen=True)
class HistoryPage:
    """Page `page` (from 0) of the customer's history, newest first, of `checkins` check-ins and
    `changes` changes in all."""

    customer: Customer
    entries: list[HistoryEntry]
    page: int
    checkins: int
    changes: int
    today: date

    @property
    def total(self) -> int:
        return self.checkins + self.changes


def _change_entry(row: CustomerChange, actor: Actor) -> ChangeEntry:
    return ChangeEntry(
        actor.today(row.changed_at), row.changed_by, row.field, row.old_value, row.new_value, row.note
    )


def _newest_first(entry: HistoryEntry) -> tuple[date, int]:
    """A change comes before the check-ins of its day (they have no time of day; a change was made
    after the conversation it followed, as a rule)."""
    if isinstance(entry, ChangeEntry):
        return entry.on, 1
    return entry.occurred_on, 0


def history_page(
    services: Services, actor: Actor, customer_id: int, page: int, *, page_size: int
) -> HistoryPage | None:
    """The page asked for (held within the pages there are); None when the customer no longer exists.

    Page `n` merges the newest `(n + 1) * page_size` of each kind and keeps its slice: cheap for the
    first pages, which are the ones people read."""
    with services.database.session() as session:
        customer = customer_by_id(actor.team_id, customer_id, session=session)
        if customer is None or customer.id is None:
            return None
        checkins = checkin_count(customer.id, session=session)
        changes = change_count(actor.team_id, customer.id, session=session)
        total = checkins + changes
        page = max(0, min(page, max(0, (total - 1) // page_size)))
        depth = (page + 1) * page_size
        merged: list[HistoryEntry] = [
            *latest_checkins(customer.id, reader=Reader.of(session), limit=depth),
            *(
                _change_entry(row, actor)
                for row in changes_of(actor.team_id, customer.id, session=session, limit=depth)
            ),
        ]
    merged.sort(key=_newest_first, reverse=True)  # stable: each kind keeps its own newest-first order
    entries = merged[page * page_size : depth]
    return HistoryPage(customer, entries, page, checkins, changes, actor.today(services.clock()))
