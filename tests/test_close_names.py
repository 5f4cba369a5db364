"""Close names for what someone typed: one-letter typos of a name, or of its first word, are found."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.rules.matching import close_matches, one_edit_apart

LETTERS = string.ascii_letters
OTHERS = ["Globex", "Initech", "Umbrella Health", "Northwind Traders"]


@pytest.mark.parametrize(
    ("one", "two", "expected"),
    [
        ("acme", "acmee", True),  # inserted
        ("acme", "acm", True),  # deleted
        ("acme", "cme", True),
        ("acme", "xcme", True),  # replaced
        ("acme", "amce", True),  # neighbours swapped
        ("acme", "acem", True),
        ("acme", "acme", False),  # the same text is no typo
        ("acme", "caem", False),  # two swaps
        ("acme", "acmexx", False),
        ("acme", "axmx", False),
        ("", "a", True),
        ("ab", "ba", True),
    ],
)
def test_one_edit_apart(one: str, two: str, expected: bool) -> None:
    assert one_edit_apart(one, two) is expected
    assert one_edit_apart(two, one) is expected


@pytest.mark.parametrize(
    ("query", "names", "expected"),
    [
        ("Acmee", ["Acme GmbH", "Globex"], ["Acme GmbH"]),
        ("acme gmbj", ["Acme GmbH", "Acme Labs"], ["Acme GmbH", "Acme Labs"]),
        ("Amce", ["Acme GmbH", "Amazon"], ["Acme GmbH"]),
        ("Acme Crop", ["Acme Corp", "Acme Labs", "Globex"], ["Acme Corp", "Acme Labs"]),
        # The containing name still comes before a typo of another.
        ("Acme", ["Acne Studios", "Acme GmbH"], ["Acme GmbH", "Acne Studios"]),
        # Two letters off, or a typo of a word too short to tell apart: not suggested.
        ("Axmx", ["Acme GmbH"], []),
        ("Ibn", ["IBM Consulting"], []),
    ],
)
def test_typos_among_close_names(query: str, names: list[str], expected: list[str]) -> None:
    assert close_matches(query, names) == expected


NAMES = st.lists(st.text(LETTERS, min_size=4, max_size=12), min_size=1, max_size=3).map(" ".join)


@st.composite
def typos(draw: st.DrawFn) -> tuple[str, str]:
    """A name, and one character inserted, deleted, replaced or swapped with its neighbour in its first
    word alone or in the whole name (a space too, when it is the whole name)."""
    name = draw(NAMES)
    text = draw(st.sampled_from([name, name.split()[0]]))
    edit = draw(st.sampled_from(["insert", "delete", "replace", "swap"]))
    letter = draw(st.sampled_from(LETTERS))
    at = draw(st.integers(0, len(text) if edit == "insert" else len(text) - (2 if edit == "swap" else 1)))
    typed = {
        "insert": text[:at] + letter + text[at:],
        "delete": text[:at] + text[at + 1 :],
        "replace": text[:at] + letter + text[at + 1 :],
        "swap": text[:at] + text[at + 1 : at + 2] + text[at : at + 1] + text[at + 2 :],
    }[edit]
    return name, typed


@given(typos())
def test_a_one_letter_typo_of_a_name_or_its_first_word_suggests_the_name(typo: tuple[str, str]) -> None:
    name, typed = typo
    assert name in close_matches(typed, [*OTHERS, name])
