"""`holdfast import` and `import-checkins`: validate a whole CSV file, then write it in one transaction.

Every row is checked in one streaming pass (and e-mail addresses looked up in Slack once each)
before anything is written; any bad row rejects the file with every problem listed by line. Each
owner must be someone who may use Holdfast (`bot.access`, the one owner rule), when Slack can be
asked (with a bot token).
Writes go through SQLAlchemy Core in chunks, and check-ins are folded into their customers'
state in memory, so large files import quickly through the same code the command line runs.
Each field a customers import changes on a stored customer gets a history row (source `csv`, by
nobody), in the same transaction; a file that changes nothing (an export read back) records none.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import partial
from operator import attrgetter
from typing import TextIO, TypeVar

from sqlmodel import Session

from bot.csv_format import (
    CHECKINS,
    CUSTOMERS,
    CellError,
    CheckInRecord,
    CsvFormat,
    CustomerRecord,
    header_names,
    is_email,
)
from bot.gc_pause import gc_paused
from bot.rules.access import Denial
from bot.rules.edits import Field
from bot.rules.limits import latest_today
from bot.rules.names import name_key
from bot.rules.themes import DEFAULT_THEMES, Themes
from bot.rules.vocabulary import Inactive
from storage.bulk import CHUNK, bulk_write
from storage.changes import FieldChange
from storage.checkins import (
    StoredCheckInState,
    apply_checkin,
    checkin_keys,
    checkin_states,
    insert_checkins,
    save_checkin_states,
    state_values,
)
from storage.crm import link_customers, matches
from storage.customers import (
    CustomerFields,
    customer_ids_by_key,
    field_changes,
    imported_fields_by_key,
    insert_customer_changes,
    insert_customers,
    update_customers,
)
from storage.db import Database
from storage.owners import upsert_owners

R = TypeVar("R")
T = TypeVar("T")

IMPORT_SOURCE = "import"
HISTORY_SOURCE = "csv"
# Looks up e-mail addresses (lower-case) in Slack: those that belong to an active user, with their ID.
EmailResolver = Callable[[Collection[str]], Mapping[str, str]]
# Why a (workspace, Slack user) may not own customers, or None when they may (bot.access.AccessCheck).
OwnerCheck = Callable[[str, str], Denial | None]
# Told (rows written so far, rows to write) as the write goes on.
OnWrite = Callable[[int, int], None]
LINES_SHOWN = 5


@dataclass(frozen=True, slots=True)
class RowError:
    """What is wrong with one line of the file."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class ImportRejected(Exception):
    """The file was not imported (nothing was written); `errors` lists the bad rows by line."""

    def __init__(self, summary: str, errors: Sequence[RowError] = ()) -> None:
        super().__init__(summary)
        self.summary = summary
        self.errors = sorted(errors, key=lambda error: error.line)


def rejected(errors: Sequence[RowError]) -> ImportRejected:
    count = len({error.line for error in errors})
    return ImportRejected(f"{count} bad row{'s' if count != 1 else ''}; nothing was imported", errors)


@dataclass(frozen=True, slots=True)
class CustomerImport:
    """What a customers import did (or, on a dry run, would do)."""

    added: int
    updated: int
    unchanged: int
    owners_added: int
    dry_run: bool
    # Of the customers updated: how many each field changes for (history names, in their order)...
    fields_changed: Mapping[str, int] = field(default_factory=dict)
    # ...and how many become inactive or active again; how many of those added are inactive.
    made_inactive: int = 0
    reactivated: int = 0
    added_inactive: int = 0


@dataclass(frozen=True, slots=True)
class CheckInImport:
    """What a check-ins import did (or, on a dry run, would do)."""

    added: int
    skipped: int
    customers_updated: int
    dry_run: bool


def read_records(stream: TextIO, file_format: CsvFormat[R]) -> tuple[list[R], list[RowError]]:
    """Every valid row of a CSV file, and what is wrong with the others; raises on an unusable header."""
    reader = csv.reader(stream, strict=True)
    records: list[R] = []
    errors: list[RowError] = []
    end = 0  # the last line of the last record read
    try:
        first = next(reader, None)
        if first is None:
            raise ImportRejected("the file is empty; its first row must name the columns")
        header = header_names(first)
        problems = file_format.header_problems(header)
        if problems:
            raise ImportRejected("the header row is not usable", [RowError(1, p) for p in problems])
        parse_row = file_format.row_parser(header)
        parse_rows = file_format.rows_parser(header)
        width = len(header)
        padding = [""] * width
        lines: list[int] = []
        rows: list[list[str]] = []

        def parse_chunk() -> None:
            parsed = parse_rows(lines, rows)
            if parsed is not None:
                records.extend(parsed)
                return
            for line, row in zip(lines, rows, strict=True):
                try:
                    records.append(parse_row(line, row))
                except CellError as exc:
                    errors.append(RowError(line, str(exc)))

        end = reader.line_num
        for row in reader:
            line, end = end + 1, reader.line_num
            if not "".join(row).strip():
                continue
            if len(row) != width:
                if len(row) > width:
                    errors.append(RowError(line, f"{len(row)} values, but the header names {width} columns"))
                    continue
                row += padding[len(row) :]
            lines.append(line)
            rows.append(row)
            if len(rows) == CHUNK:
                parse_chunk()
                lines.clear()
                rows.clear()
        if rows:
            parse_chunk()
    except csv.Error as exc:
        raise ImportRejected(f"line {end + 1}: not valid CSV ({exc})") from None
    except UnicodeDecodeError:
        raise ImportRejected("the file is not UTF-8 text") from None
    return records, errors


def resolve_users(
    records: Sequence[object], column: str, resolve_emails: EmailResolver | None, errors: list[RowError]
) -> dict[str, str]:
    """The Slack user ID of each person written in `column`: an ID as is, an e-mail address looked up.

    An address no active Slack user has becomes a row error; addresses without a resolver
    (no bot token) reject the file.
    """
    user_of = attrgetter(column)
    written: set[str] = set(map(user_of, records)) - {None}
    emails = {user for user in written if is_email(user)}
    ids = {user: user for user in written - emails}
    if not emails:
        return ids
    places: dict[str, list[int]] = {}
    for record in records:
        if user_of(record) in emails:
            places.setdefault(user_of(record).lower(), []).append(attrgetter("line")(record))
    if resolve_emails is None:
        lines = sorted(line for found in places.values() for line in found)
        shown = ", ".join(str(line) for line in lines[:LINES_SHOWN])
        more = f" and {len(lines) - LINES_SHOWN} more" if len(lines) > LINES_SHOWN else ""
        raise ImportRejected(
            f"people are given by e-mail address (line {shown}{more}): set SLACK_BOT_TOKEN so Holdfast "
            "can look them up in Slack, or use Slack user IDs (like U0123ABCD)",
            errors,
        )
    found = resolve_emails(list(places))
    for email, lines in places.items():
        if email not in found:
            errors.extend(
                RowError(line, f"{column} {email}: no active Slack user has this e-mail address")
                for line in lines
            )
    ids.update((user, found[user.lower()]) for user in emails if user.lower() in found)
    return ids


def refused_owners(
    records: Sequence[CustomerRecord], user_ids: Mapping[str, str], denial: Callable[[str], Denial | None]
) -> list[RowError]:
    """A row error for each row whose owner may not use Holdfast (each person asked once)."""
    denials = {user_id: denial(user_id) for user_id in set(user_ids.values())}
    return [
        RowError(record.line, f"owner {record.owner} cannot use Holdfast ({why}), so cannot own customers")
        for record in records
        if (why := denials.get(user_ids.get(record.owner, ""))) is not None
    ]


@contextmanager
def _unit(database: Database, dry_run: bool) -> Iterator[Session]:
    """A read-only session for a dry run, otherwise one write transaction set up for bulk writes."""
    if dry_run:
        with database.session() as session:
            yield session
        return
    with database.transaction() as session, bulk_write(session=session):
        yield session


class _Progress:
    """Counts rows as storage consumes them, telling `on_write` every chunk."""

    def __init__(self, total: int, on_write: OnWrite | None) -> None:
        self.total = total
        self.done = 0
        self.on_write = on_write

    def track(self, items: Sequence[T]) -> Iterator[T]:
        for start in range(0, len(items), CHUNK):
            chunk = items[start : start + CHUNK]
            yield from chunk
            self.done += len(chunk)
            if self.on_write is not None:
                self.on_write(self.done, self.total)


def _keep(new: T | None, old: T | None) -> T | None:
    return old if new is None else new


def _with_active(fields: CustomerFields, active: bool | None, today: date) -> CustomerFields:
    """`fields` with the row's `active`: false makes an active customer inactive from today (a lost
    or inactive one stays as it is), true makes it active again; empty keeps it as it is."""
    if active is None or active == fields.active:
        return fields
    if active:
        return replace(fields, active=True, inactive_kind=None, inactive_on=None, inactive_why=None)
    return replace(fields, active=False, inactive_kind=Inactive.INACTIVE, inactive_on=today)


def _merged(
    before: CustomerFields, record: CustomerRecord, owner_user_id: str, today: date
) -> CustomerFields:
    """A stored customer updated from a row: empty cells keep what is stored."""
    new_reason = record.reason is not None and record.reason != before.original_reason
    merged = replace(
        before,
        name=record.name,
        owner_user_id=owner_user_id,
        original_reason=record.reason if new_reason else before.original_reason,
        original_reason_on=today if new_reason else before.original_reason_on,
        # An empty theme cell keeps the stored theme of the stored reason; a new reason's is its own.
        original_reason_theme=_keep(
            record.reason_theme, None if new_reason else before.original_reason_theme
        ),
        customer_since=_keep(record.since, before.customer_since),
        renewal_date=_keep(record.renewal_date, before.renewal_date),
        arr=_keep(record.arr, before.arr),
        cadence_days=_keep(record.cadence_days, before.cadence_days),
    )
    return _with_active(merged, record.active, today)


def _created(record: CustomerRecord, owner_user_id: str, today: date) -> CustomerFields:
    fields = CustomerFields(
        name=record.name,
        owner_user_id=owner_user_id,
        original_reason=record.reason,
        original_reason_on=today if record.reason is not None else None,
        original_reason_theme=record.reason_theme,
        customer_since=record.since,
        renewal_date=record.renewal_date,
        arr=record.arr,
        cadence_days=record.cadence_days,
    )
    return _with_active(fields, record.active, today)


@gc_paused()
def import_customers(
    stream: TextIO,
    *,
    database: Database,
    team_id: str,
    resolve_emails: EmailResolver | None,
    today: date,
    now: datetime,
    check_owner: OwnerCheck | None = None,
    dry_run: bool = False,
    on_write: OnWrite | None = None,
    themes: Themes = DEFAULT_THEMES,
) -> CustomerImport:
    """Add or update (by name, ignoring case) every customer in a customers CSV; never deletes.

    `active` false makes an active customer inactive from `today`, true makes it active again; every
    field changed on a stored customer is recorded in its history.

    With `check_owner`, an owner who may not use Holdfast is a bad row; without it (no bot token)
    owners given as IDs are taken as they are, and the digest job's check before each send is what
    keeps the notes from them.

    `reason_theme` is read against `themes` (the configured list) and is the theme of the row's reason.
    """
    records, errors = read_records(stream, CUSTOMERS.with_themes(themes).on(today))
    first_line: dict[str, int] = {}
    for record in records:
        line = first_line.setdefault(name_key(record.name), record.line)
        if line != record.line:
            errors.append(RowError(record.line, f"name '{record.name}' is already on line {line}"))
    user_ids = resolve_users(records, "owner", resolve_emails, errors)
    if check_owner is not None:
        errors.extend(refused_owners(records, user_ids, partial(check_owner, team_id)))
    if errors:
        raise rejected(errors)
    # Each owner's e-mail address when the file gave one (IDs first, so an address wins).
    owners = {
        user_ids[user]: user.lower() if is_email(user) else None for user in sorted(user_ids, key=is_email)
    }
    with _unit(database, dry_run) as session:
        stored = imported_fields_by_key(team_id, session=session)
        new: list[CustomerFields] = []
        changed: list[tuple[int, CustomerFields]] = []
        history: list[tuple[int, FieldChange]] = []
        fields_changed: Counter[str] = Counter()
        activity: Counter[bool] = Counter()
        for record in records:
            owner_user_id = user_ids[record.owner]
            match = stored.get(name_key(record.name))
            if match is None:
                new.append(_created(record, owner_user_id, today))
                continue
            customer_id, before = match
            after = _merged(before, record, owner_user_id, today)
            if after == before:
                continue
            changed.append((customer_id, after))
            changes = field_changes(before, after)
            fields_changed.update(change.field for change in changes)
            if after.active != before.active:
                activity[after.active] += 1
            history.extend((customer_id, change) for change in changes)
        owners_added = 0
        if not dry_run:
            progress = _Progress(len(new) + len(changed), on_write)
            insert_customers(team_id, progress.track(new), now=now, session=session)
            update_customers(progress.track(changed), now=now, session=session)
            insert_customer_changes(
                team_id, history, by=None, source=HISTORY_SOURCE, now=now, session=session
            )
            owners_added = upsert_owners(team_id, owners, session=session)
    return CustomerImport(
        added=len(new),
        updated=len(changed),
        unchanged=len(records) - len(new) - len(changed),
        owners_added=owners_added,
        dry_run=dry_run,
        fields_changed={name.value: fields_changed[name] for name in Field if fields_changed[name]},
        made_inactive=activity[False],
        reactivated=activity[True],
        added_inactive=sum(not customer.active for customer in new),
    )


@gc_paused()
def import_checkins(
    stream: TextIO,
    *,
    database: Database,
    team_id: str,
    resolve_emails: EmailResolver | None,
    now: datetime,
    dry_run: bool = False,
    on_write: OnWrite | None = None,
) -> CheckInImport:
    """Add every check-in of a check-ins CSV not stored already, and update each customer's state."""
    records, errors = read_records(stream, CHECKINS.on(latest_today(now)))
    user_ids = resolve_users(records, "author", resolve_emails, errors)
    with _unit(database, dry_run) as session:
        customer_ids = customer_ids_by_key(team_id, session=session)
        spelled = {
            spelling: customer_ids.get(name_key(spelling))
            for spelling in set(map(attrgetter("customer"), records))
        }
        by_customer: defaultdict[int, list[CheckInRecord]] = defaultdict(list)
        for record in records:
            customer_id = spelled[record.customer]
            if customer_id is None:
                errors.append(
                    RowError(record.line, f"customer '{record.customer}' is not a customer of this workspace")
                )
            else:
                record.customer_id = customer_id
                record.author_user_id = user_ids.get(record.author) if record.author else None
                by_customer[customer_id].append(record)
        if errors:
            raise rejected(errors)
        stored_keys = checkin_keys(team_id, by_customer.keys(), session=session)
        states = checkin_states(team_id, by_customer.keys(), session=session)
        changed: dict[int, StoredCheckInState] = {}
        fresh: list[CheckInRecord] = []
        occurred_on = attrgetter("occurred_on")
        key_of = attrgetter("occurred_on", "author_user_id", "note")
        # Stored in (customer, date) order: the order of the check-in index, which is quickest to fill.
        for customer_id in sorted(by_customer):
            keys = stored_keys.get(customer_id, set())
            state = states[customer_id]
            before = state_values(state)
            checkins = sorted(by_customer[customer_id], key=occurred_on)
            for checkin, key in zip(checkins, map(key_of, checkins), strict=True):
                if key not in keys:
                    keys.add(key)
                    fresh.append(checkin)
                    apply_checkin(state, checkin)
            if state_values(state) != before:
                changed[customer_id] = state
        if not dry_run:
            progress = _Progress(len(fresh), on_write)
            insert_checkins(team_id, progress.track(fresh), source=IMPORT_SOURCE, now=now, session=session)
            save_checkin_states(changed, now=now, session=session)
    return CheckInImport(
        added=len(fresh), skipped=len(records) - len(fresh), customers_updated=len(changed), dry_run=dry_run
    )


CRM_HISTORY_SOURCE = "crm"


@dataclass(frozen=True, slots=True)
class RecordSkipped:
    """A CRM record not imported, and why."""

    record_id: str
    name: str
    why: str


@dataclass(frozen=True, slots=True)
class CrmImport:
    """What importing a batch of CRM records did."""

    added: int
    updated: int
    unchanged: int
    owners_added: int
    made_inactive: int
    skipped: list[RecordSkipped]


def import_crm_records(
    rows: Sequence[tuple[str, Mapping[str, str]]],
    *,
    source: str,
    team_id: str,
    resolve_emails: EmailResolver,
    check_owner: OwnerCheck | None,
    today: date,
    now: datetime,
    session: Session,
) -> CrmImport:
    """Add or update the customers of CRM records (the record id, and the customers file's cells by
    column, the owner an e-mail address) in the caller's transaction, each validated as a customers
    file's row is; a bad record is skipped with why, never half-written.

    A record updates the customer linked to it, else links the unlinked customer of its name, else
    adds one; every field changed is recorded in the history (source `crm`)."""
    parse = CUSTOMERS.on(today).row_parser(CUSTOMERS.columns)
    records: list[CustomerRecord] = []
    errors: list[RowError] = []
    for line, (_, cells) in enumerate(rows):
        try:
            records.append(parse(line, [cells.get(column, "") for column in CUSTOMERS.columns]))
        except CellError as exc:
            errors.append(RowError(line, str(exc)))
    user_ids = resolve_users(records, "owner", resolve_emails, errors)
    if check_owner is not None:
        errors.extend(refused_owners(records, user_ids, partial(check_owner, team_id)))
    why: dict[int, str] = {}
    for error in errors:
        why[error.line] = f"{why[error.line]}; {error.message}" if error.line in why else error.message
    good = [record for record in records if record.line not in why]
    by_id, by_key = matches(
        team_id,
        source,
        {rows[record.line][0] for record in good},
        {name_key(record.name) for record in good},
        session=session,
    )
    new: list[CustomerFields] = []
    changed: list[tuple[int, CustomerFields]] = []
    history: list[tuple[int, FieldChange]] = []
    links: list[tuple[str, str]] = []
    named: dict[str, str] = {}  # name key -> the record of this batch with that name
    unchanged = made_inactive = 0
    for record in good:
        record_id, key = rows[record.line][0], name_key(record.name)
        match, holder = by_id.get(record_id), by_key.get(key)
        linking = False
        if named.setdefault(key, record_id) != record_id:
            why[record.line] = f"name '{record.name}' is also {source} record {named[key]}'s"
            continue
        if holder is not None and holder is not match:
            if match is not None or holder.crm_id is not None:
                owner = f"{source} record {holder.crm_id}" if holder.crm_id else f"a customer not in {source}"
                why[record.line] = f"name '{record.name}' is already {owner}'s"
                continue
            match, linking = holder, True
            links.append((key, record_id))
        owner_user_id = user_ids[record.owner]
        if match is None:
            new.append(_created(record, owner_user_id, today))
            links.append((key, record_id))
            continue
        after = _merged(match.fields, record, owner_user_id, today)
        if after == match.fields and not linking:
            unchanged += 1
            continue
        changed.append((match.customer_id, after))
        history.extend((match.customer_id, change) for change in field_changes(match.fields, after))
        made_inactive += match.fields.active and not after.active
    update_customers(changed, now=now, session=session)
    insert_customers(team_id, new, now=now, session=session)
    link_customers(team_id, source, links, session=session)
    insert_customer_changes(team_id, history, by=None, source=CRM_HISTORY_SOURCE, now=now, session=session)
    owners = {user_ids[r.owner]: r.owner.lower() for r in good if r.line not in why}
    return CrmImport(
        added=len(new),
        updated=len(changed),
        unchanged=unchanged,
        owners_added=upsert_owners(team_id, owners, session=session),
        made_inactive=made_inactive,
        skipped=[
            RecordSkipped(rows[line][0], rows[line][1].get("name", ""), message)
            for line, message in sorted(why.items())
        ],
    )
