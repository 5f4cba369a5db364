"""Customer names are compared as people read them: normalised, case-folded, look-alikes as one."""

from __future__ import annotations

import io
import unicodedata
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import select

from bot.operations.import_book import import_customers
from bot.rules.matching import close_matches
from bot.rules.names import NAME_KEY_LIMIT, name_key
from storage.db import Database
from storage.models import Customer

# Latin letters and look-alikes from other scripts that read the same.
LOOK_ALIKES = {
    "a": "аα",  # Cyrillic a, Greek alpha
    "c": "с",
    "e": "е",
    "i": "іι",
    "o": "оο",
    "p": "рρ",
    "x": "х",
    "y": "у",
    "j": "ј",
    "s": "ѕ",
    # Cyrillic letters whose capitals look Latin (`IBМ`): their small letters read as the Latin ones.
    "m": "м",
    "h": "н",
    "b": "в",
    "t": "т",
    "k": "кκ",
}


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Аcme", "Acme"),  # Cyrillic А
        ("ΑCME", "Acme"),  # Greek Alpha, upper case
        ("IBМ", "IBM"),  # Cyrillic М
        ("ΗΟΤΕL", "Hotel"),  # Greek capitals
        ("Ｏｐｅｎ Ｓｐａｃｅ", "Open Space"),  # full-width
        ("𝐀cme", "Acme"),  # mathematical bold
        ("Ac\u200bme", "Acme"),  # a zero-width space
        ("  acme\t corp ", "Acme Corp"),
        ("Straße", "STRASSE"),
        ("Cafe\u0301", "Café"),  # combining accent, or precomposed
        ("Ёлка", "Ëлка"),  # Cyrillic yo, Latin e with diaeresis
    ],
)
def test_names_that_read_the_same_share_a_key(typed: str, stored: str) -> None:
    assert name_key(typed) == name_key(stored)


@pytest.mark.parametrize(
    ("one", "other"),
    [("Ali", "All"), ("Acme", "Acne"), ("Café", "Cafe"), ("Oslo", "0slo"), ("Unit 1", "Unit l")],
)
def test_names_that_read_differently_keep_their_own_keys(one: str, other: str) -> None:
    assert name_key(one) != name_key(other)


def test_a_key_is_single_spaced_and_within_the_column() -> None:
    assert name_key("\ufdfa" * 200) == name_key("\ufdfa" * 200)[:NAME_KEY_LIMIT]
    assert len(name_key("\ufdfa" * 200)) == NAME_KEY_LIMIT
    assert name_key(" a \n b ") == "a b"


@given(st.text())
def test_a_key_is_its_own_key(name: str) -> None:
    key = name_key(name)
    assert name_key(key) == key
    assert key == " ".join(key.split())
    assert len(key) <= NAME_KEY_LIMIT


@given(st.text(max_size=60))
def test_case_and_compatibility_forms_never_change_the_key(name: str) -> None:
    key = name_key(name)
    assert name_key(unicodedata.normalize("NFKC", name)) == key
    assert name_key(name.casefold()) == key
    assert name_key(unicodedata.normalize("NFD", name)) == key


@st.composite
def look_alike_pairs(draw: st.DrawFn) -> tuple[str, str]:
    """A name of Latin letters and spaces, and the same name with some letters from other scripts."""
    letters = draw(st.lists(st.sampled_from([*LOOK_ALIKES, " "]), min_size=1, max_size=40))
    swapped = [draw(st.sampled_from([c, *LOOK_ALIKES[c]])) if c in LOOK_ALIKES else c for c in letters]
    return "".join(letters), "".join(swapped)


@given(look_alike_pairs())
def test_a_latin_name_and_its_cyrillic_or_greek_look_alike_share_a_key(pair: tuple[str, str]) -> None:
    name, look_alike = pair
    assert name_key(look_alike) == name_key(name)
    assert name_key(look_alike.upper()) == name_key(name)


def test_close_names_are_ranked_by_how_they_read() -> None:
    # A look-alike spelling is the exact name, ranked first; the rest by spelling.
    assert close_matches("Аcme Corp", ["Acme Labs", "Acme Corp", "Globex"]) == ["Acme Corp", "Acme Labs"]


def test_an_import_of_a_look_alike_name_updates_the_customer_it_reads_as(db: Database) -> None:
    acme = Customer(team_id="T1", name="Acme", name_key=name_key("Acme"), owner_user_id="U0ANN")
    with db.transaction() as session:
        session.add(acme)

    import_customers(
        io.StringIO("name,owner,arr\nАcmе,U0ANN,5000\n"),  # Cyrillic А and е
        database=db,
        team_id="T1",
        resolve_emails=None,
        today=date(2026, 11, 20),
        now=datetime(2026, 11, 20, 9, 0, tzinfo=UTC),
    )

    with db.session() as session:
        [stored] = session.exec(select(Customer)).all()
    assert (stored.id, stored.name_key, stored.arr) == (acme.id, "acme", 5000)
