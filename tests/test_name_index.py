"""The typeahead's in-memory name index: what it finds, in which order, and how fresh it is."""

from __future__ import annotations

import threading
import time

import pytest

from bot.rules.names import name_key
from storage.db import Database
from storage.models import Customer
from storage.name_index import NameIndex, NameIndexes

ROWS = [
    (1, "Acme", "acme", "U1"),
    (2, "Beta Acme", "beta acme", "U2"),
    (3, "Acme  Corp", "acme corp", "U2"),
    (4, "Zeta ACME", "zeta acme", "U1"),
    (5, "Gamma", "gamma", "U2"),
    (6, "Déjà Vu", "déjà vu", "U2"),
]


def index(rows: list[tuple[int, str, str, str]] = ROWS) -> NameIndex:
    return NameIndex(rows, newest_id=max((row[0] for row in rows), default=0), expires=0.0)


@pytest.mark.parametrize(
    ("text", "caller", "limit", "expected"),
    [
        # The caller's own first (by name), then names starting with the text, then the rest.
        ("acme", "U1", 10, [1, 4, 3, 2]),
        ("acme", "U2", 10, [3, 2, 1, 4]),
        ("ACME", "U9", 10, [1, 3, 2, 4]),
        ("  acme   corp ", "U9", 10, [3]),
        ("me c", "U9", 10, [3]),
        ("acme", "U1", 3, [1, 4, 3]),
        ("", "U1", 10, [1, 4, 3, 2, 6, 5]),
        ("", "U9", 2, [1, 3]),
        ("DÉJÀ", "U9", 10, [6]),
        ("zzz", "U1", 10, []),
        # A match never spans two names.
        ("acme\nbeta", "U9", 10, []),
        ("a\nb", "U9", 10, []),
    ],
)
def test_search_order_and_limit(text: str, caller: str, limit: int, expected: list[int]) -> None:
    assert [customer_id for customer_id, _ in index().search(text, caller_user_id=caller, limit=limit)] == (
        expected
    )


def test_search_answers_names_as_stored() -> None:
    assert index().search("corp", caller_user_id="U1", limit=5) == ((3, "Acme  Corp"),)


def test_an_empty_workspace_finds_nothing() -> None:
    assert index([]).search("", caller_user_id="U1", limit=5) == ()


def test_answers_are_remembered_within_a_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("storage.name_index.MAX_ANSWERS", 2)
    names = index()
    first = names.search("acme", caller_user_id="U1", limit=10)
    assert names.search(" ACME ", caller_user_id="U1", limit=10) is first  # the same key: remembered
    assert names.search("acme", caller_user_id="U2", limit=10) != first  # another caller: their own first
    names.search("gam", caller_user_id="U1", limit=10)  # a third answer: the memory starts afresh
    again = names.search("acme", caller_user_id="U1", limit=10)
    assert again == first
    assert again is not first


def add(db: Database, name: str, owner: str, team_id: str = "T1") -> int:
    customer = Customer(team_id=team_id, name=name, name_key=name_key(name), owner_user_id=owner)
    with db.transaction() as session:
        session.add(customer)
    assert customer.id is not None
    return customer.id


def test_a_new_customer_shows_at_once_and_other_changes_after_the_ttl(db: Database) -> None:
    now = [0.0]
    names = NameIndexes(db, ttl=10.0, clock=lambda: now[0])

    def search(text: str, caller: str = "U1", team_id: str = "T1") -> list[str]:
        return [name for _, name in names.search(team_id, text, caller_user_id=caller, limit=10)]

    acme = add(db, "Acme", "U2")
    assert search("ac") == ["Acme"]
    add(db, "Acme Two", "U1")
    assert search("ac") == ["Acme Two", "Acme"]
    # Another workspace's customers never show, even though adding one refreshes the index.
    add(db, "Acme Elsewhere", "U1", team_id="T2")
    assert search("ac") == ["Acme Two", "Acme"]
    assert search("ac", team_id="T2") == ["Acme Elsewhere"]

    # An owner change (nothing added) shows once the index is older than the TTL: the keystroke that
    # finds it old is answered from it at once, and a rebuild starts in the background.
    with db.transaction() as session:
        customer = session.get(Customer, acme)
        assert customer is not None
        customer.owner_user_id = "U1"
    now[0] = 9.0
    assert search("ac", caller="U1") == ["Acme Two", "Acme"]
    now[0] = 10.5
    assert search("ac", caller="U1") == ["Acme Two", "Acme"]
    deadline = time.monotonic() + 10
    while search("ac", caller="U1") != ["Acme", "Acme Two"]:
        assert time.monotonic() < deadline, "the index was not rebuilt in the background"
        time.sleep(0.01)


def test_a_failed_background_rebuild_keeps_the_old_index(
    db: Database, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    now = [0.0]
    names = NameIndexes(db, ttl=10.0, clock=lambda: now[0])
    add(db, "Acme", "U1")
    assert names.search("T1", "ac", caller_user_id="U1", limit=10) == ((1, "Acme"),)
    failed = threading.Event()

    def broken(*args: object, **kwargs: object) -> None:
        failed.set()
        raise RuntimeError("database went away")

    monkeypatch.setattr("storage.name_index.customer_name_rows", broken)
    now[0] = 11.0
    assert names.search("T1", "ac", caller_user_id="U1", limit=10) == ((1, "Acme"),)
    assert failed.wait(10)
    deadline = time.monotonic() + 10
    while "refreshing the customer names of T1 failed" not in caplog.text:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert names.search("T1", "ac", caller_user_id="U1", limit=10) == ((1, "Acme"),)


def test_typeahead_finds_names_as_they_read(db: Database) -> None:
    names = NameIndexes(db)
    add(db, "Acme Corp", "U2")
    add(db, "Ｇlobex", "U2")  # stored with a full-width G

    def search(text: str) -> list[str]:
        return [name for _, name in names.search("T1", text, caller_user_id="U1", limit=10)]

    assert search("аcmе") == ["Acme Corp"]  # typed with Cyrillic а and е
    assert search("ACM") == ["Acme Corp"]
    assert search("glob") == ["Ｇlobex"]
    assert search("ac\u200bme") == ["Acme Corp"]  # a zero-width space typed in
