"""Holdfast's tables. Every row belongs to one Slack workspace (`team_id`)."""

from __future__ import annotations

import functools
import unicodedata
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from confusable_homoglyphs.utils import load as load_confusables  # type: ignore[import-untyped]
from sqlmodel import Field, SQLModel

from storage.enums import Change, DigestStatus, Expectation, Verdict
from storage.types import UTCDateTime, utcnow


def _enum(enum: type[StrEnum]) -> sa.Enum:
    """A VARCHAR column holding the enum's values, read back as enum members."""
    return sa.Enum(
        enum,
        native_enum=False,
        create_constraint=False,
        length=20,
        values_callable=lambda members: [member.value for member in members],
    )


# A key holds at most this many characters (the column's length): compatibility forms can expand.
NAME_KEY_LIMIT = 200
# Where invisible characters live: format characters (zero-width spaces and joiners, bidi marks) are
# all in planes 0, 1 and 14; variation selectors are marks, listed apart.
_FORMAT_PLANES = range(0x20000), range(0xE0000, 0xE1000)
_VARIATION_SELECTORS = range(0xFE00, 0xFE10), range(0xE0100, 0xE01F0)


def _preferred(char: str) -> tuple[bool, str]:
    """Which member of a confusable class a key keeps: its ASCII character, else the lowest code point."""
    return not char.isascii(), char


@functools.cache
def _as_read() -> dict[int, str | None]:
    """A `str.translate` table: each letter of a Unicode TS #39 confusable class (Cyrillic `а`, Greek
    `α`) to one member of it (`a`), and invisible characters to nothing.

    The classes come from `confusable_homoglyphs`' copy of Unicode's confusables.txt, over the single
    characters a key holds (case-folded, decomposed, not a space); multi-character prototypes (`m` as
    `rn`) are left out. Keys are case-folded, so two capitals that look alike (Cyrillic `М`, Latin
    `M`) count through their small letters: `м` joins `m`, so `IBМ` reads as `IBM`. Two classes that
    each hold an ASCII character never join: ASCII reads as typed (`1` is not `l`, so names sort as
    typed), `υ` (like `u`) and `y` (whose capitals look alike) stay apart, and a capital like a small
    letter (`I`, `l`) joins nothing.
    """
    pairs = [
        (char, glyph["c"])
        for char, glyphs in load_confusables("confusables.json").items()
        for glyph in glyphs
    ]
    parent: dict[str, str] = {}

    def root(char: str) -> str:
        while (up := parent.setdefault(char, char)) != char:
            char = up
        return char

    def join(one: str, two: str) -> None:
        kept, other = sorted((root(one), root(two)), key=_preferred)
        if not other.isascii():
            parent[other] = kept

    def keyable(char: str) -> bool:
        return len(char) == 1 and not char.isspace() and _fold(char) == char

    for one, two in pairs:
        if keyable(one) and keyable(two):
            join(one, two)
    for one, two in pairs:
        if not (one.isupper() and two.isupper()):
            continue
        small, other = _fold(one), _fold(two)
        if keyable(small) and keyable(other):
            join(small, other)
    table: dict[int, str | None] = {ord(char): root(char) for char in parent if root(char) != char}
    for plane in _FORMAT_PLANES:
        table.update((code, None) for code in plane if unicodedata.category(chr(code)) == "Cf")
    for selectors in _VARIATION_SELECTORS:
        table.update(dict.fromkeys(selectors))
    return table


def _fold(text: str) -> str:
    """Compatibility forms unified, case folded, decomposed: what a key is built on."""
    return unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())


def name_key(name: str) -> str:
    """The key a customer name is unique by within a workspace: the name as people read it.

    Compatibility forms unified (NFKC: full-width `Ａcme`, `𝐀cme`), case folded, look-alike letters of
    other scripts read as one (`Аcme` in Cyrillic is `acme`, see `_as_read`), invisible characters
    dropped and spaces collapsed; recomposed (NFC) and cut to `NAME_KEY_LIMIT`. A key is its own key.
    """
    read = unicodedata.normalize("NFC", _fold(name).translate(_as_read()))
    return " ".join(read.split())[:NAME_KEY_LIMIT]


class Customer(SQLModel, table=True):
    """An account: who owns it, why they chose us, and the latest state from its check-ins."""

    __tablename__ = "customer"
    __table_args__ = (
        sa.UniqueConstraint("team_id", "name_key", name="uq_customer_team_name_key"),
        sa.Index("ix_customer_team_owner", "team_id", "owner_user_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    name: str = Field(max_length=200)
    name_key: str = Field(max_length=NAME_KEY_LIMIT)
    owner_user_id: str = Field(max_length=32)
    original_reason: str | None = Field(default=None, sa_type=sa.Text)
    original_reason_on: date | None = None
    current_reason: str | None = Field(default=None, sa_type=sa.Text)
    current_reason_on: date | None = None
    customer_since: date | None = None
    renewal_date: date | None = None
    arr: float | None = Field(default=None, ge=0)
    cadence_days: int | None = Field(default=None, gt=0)
    active: bool = True
    snoozed_until: date | None = None

    # The latest state from check-ins (kept by storage.checkins.apply_checkin; each
    # field carries the date it came from, so check-ins may arrive in any order).
    last_checkin_on: date | None = None
    last_checkin_by: str | None = Field(default=None, max_length=32)
    last_verdict: Verdict | None = Field(default=None, sa_type=_enum(Verdict))
    last_verdict_on: date | None = None
    last_verdict_by: str | None = Field(default=None, max_length=32)
    reason_confirmed_on: date | None = None
    last_expectation: Expectation | None = Field(default=None, sa_type=_enum(Expectation))
    last_expectation_on: date | None = None
    concern_on: date | None = None
    last_changes: list[Change] = Field(default_factory=list, sa_type=sa.JSON)
    last_changes_on: date | None = None
    next_step: str | None = Field(default=None, sa_type=sa.Text)
    next_step_due: date | None = None
    next_step_on: date | None = None

    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CheckIn(SQLModel, table=True):
    """One logged conversation with a customer."""

    __tablename__ = "checkin"
    __table_args__ = (
        # Scanned backwards, this serves "a customer's check-ins, newest first".
        sa.Index("ix_checkin_customer_newest", "customer_id", "occurred_on", "id"),
        sa.UniqueConstraint("team_id", "request_key", name="uq_checkin_team_request_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    customer_id: int = Field(foreign_key="customer.id", ondelete="CASCADE")
    occurred_on: date
    author_user_id: str | None = Field(default=None, max_length=32)
    spoke_with: str | None = Field(default=None, max_length=500)
    note: str = Field(default="", sa_type=sa.Text)
    verdict: Verdict = Field(default=Verdict.NOT_ASKED, sa_type=_enum(Verdict))
    new_reason: str | None = Field(default=None, sa_type=sa.Text)
    expectation: Expectation = Field(default=Expectation.UNKNOWN, sa_type=_enum(Expectation))
    changes: list[Change] = Field(default_factory=list, sa_type=sa.JSON)
    next_step: str | None = Field(default=None, sa_type=sa.Text)
    next_step_due: date | None = None
    source: str = Field(default="slack", max_length=16)
    request_key: str | None = Field(default=None, max_length=128)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Owner(SQLModel, table=True):
    """A Slack user who owns customers: where and when to nudge them."""

    __tablename__ = "owner"
    __table_args__ = (sa.UniqueConstraint("team_id", "user_id", name="uq_owner_team_user"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    user_id: str = Field(max_length=32)
    email: str | None = Field(default=None, max_length=320)
    display_name: str | None = Field(default=None, max_length=200)
    tz: str = Field(default="UTC", max_length=64)
    tz_refreshed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    paused_until: date | None = None
    deactivated: bool = False


class NudgeDigest(SQLModel, table=True):
    """The nudge ledger: one row per owner per local day, claimed before sending."""

    __tablename__ = "nudge_digest"
    __table_args__ = (
        sa.UniqueConstraint("team_id", "owner_user_id", "local_day", name="uq_nudge_digest_owner_day"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    owner_user_id: str = Field(max_length=32)
    local_day: date
    status: DigestStatus = Field(default=DigestStatus.CLAIMED, sa_type=_enum(DigestStatus))
    claimed_by: str | None = Field(default=None, max_length=128)
    claimed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    attempts: int = 0
    customer_ids: list[int] = Field(default_factory=list, sa_type=sa.JSON)
    channel: str | None = Field(default=None, max_length=32)
    message_ts: str | None = Field(default=None, max_length=32)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    error: str | None = Field(default=None, sa_type=sa.Text)
