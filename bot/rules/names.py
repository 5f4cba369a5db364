"""Customer names as people read them: the key a name is unique by within a workspace."""

from __future__ import annotations

import functools
import unicodedata

from confusable_homoglyphs.utils import load as load_confusables  # type: ignore[import-untyped]

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
