"""Reason themes: the short list a reason's category comes from, and reading one typed in a file.

The list is configured as comma-separated items (`REASON_THEMES`); an item is a label (`product fit`),
or a key and a label (`product_fit=Fit with our product`). A theme is stored by its **key**, a slug of
the label unless given (`product_fit`), so the labels can be reworded without touching what is stored:
give the old key with the new label. A stored key the list no longer has is never dropped: it reads as
its own label (`product_fit` → "product fit") and stays a choice wherever it is set. None is "not set":
a reason whose theme nobody chose, never guessed.

Pure: no settings, no database.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

# The list `REASON_THEMES` has by default (`bot.settings`).
DEFAULT_LABELS = (
    "price,product fit,ease of use,speed of delivery,service and support,integration,"
    "compliance and security,relationship,other"
)
NOT_SET = "not set"
NOT_LISTED = "Choose one of the listed themes, or “Not set”."  # a form's value no list has (forged)
MAX_KEY = 32  # the stored column's width
_NOT_WORD = re.compile(r"[\W_]+")


class UnknownTheme(ValueError):
    """A typed theme that is not on the list; the message lists the allowed ones."""


@dataclass(frozen=True, slots=True)
class Theme:
    key: str
    label: str


def theme_key(text: str) -> str:
    """The key a label or typed theme stands for: lower-case words joined by `_` (`Product  Fit` →
    `product_fit`), at most `MAX_KEY` characters; empty when it has no letters or digits."""
    return _NOT_WORD.sub("_", text.casefold()).strip("_")[:MAX_KEY].rstrip("_")


def unlisted_label(key: str) -> str:
    """How a stored key the list does not have reads: the key itself, words apart."""
    return key.replace("_", " ")


def shown_label(label: str) -> str:
    """A label as a form or the card shows it: its first letter upper-case (`Price`)."""
    return label[:1].upper() + label[1:]


@dataclass(frozen=True, slots=True)
class Themes:
    """The configured themes, in their order, each key once."""

    themes: tuple[Theme, ...]

    def __iter__(self) -> Iterator[Theme]:
        return iter(self.themes)

    def __contains__(self, key: object) -> bool:
        return any(theme.key == key for theme in self.themes)

    def label(self, key: str | None) -> str:
        """The label of a stored theme: "not set" for None, its own words for a key no longer listed."""
        if key is None:
            return NOT_SET
        return next((theme.label for theme in self.themes if theme.key == key), None) or unlisted_label(key)

    def allows(self, key: str | None, *, current: str | None = None) -> bool:
        """Whether a form may set `key`: not set, listed, or the `current` one kept (listed or not)."""
        return key is None or key == current or key in self

    def choices(self, current: str | None = None) -> tuple[Theme, ...]:
        """The themes to choose from, with the stored `current` one last when the list no longer has it."""
        if current is None or current in self:
            return self.themes
        return (*self.themes, Theme(current, unlisted_label(current)))

    def read(self, text: str) -> str | None:
        """The key of a theme typed as its key or label (any case; spaces or underscores); None when
        empty. Raises `UnknownTheme` naming the allowed ones for anything else."""
        typed = theme_key(text)
        if not typed:
            if text.strip():
                raise UnknownTheme(self._unknown(text))
            return None
        for theme in self.themes:
            if typed in (theme.key, theme_key(theme.label)):
                return theme.key
        raise UnknownTheme(self._unknown(text))

    def _unknown(self, text: str) -> str:
        allowed = ", ".join(theme.label for theme in self.themes) or "none are configured"
        return f"'{text.strip()}' is not a reason theme (allowed: {allowed})"


@lru_cache(maxsize=16)
def parse_themes(text: str) -> Themes:
    """The themes of a configured list: empty items, and items whose key came earlier, are left out."""
    themes: dict[str, Theme] = {}
    for item in text.split(","):
        given, _, rest = item.partition("=")
        label = " ".join((rest if rest else given).split())
        key = theme_key(given)
        if key and label and key not in themes:
            themes[key] = Theme(key, label)
    return Themes(tuple(themes.values()))


DEFAULT_THEMES = parse_themes(DEFAULT_LABELS)


class ReasonThemes(Protocol):
    """A customer's reasons with their themes (a `Customer`)."""

    @property
    def original_reason_theme(self) -> str | None: ...
    @property
    def current_reason(self) -> str | None: ...
    @property
    def current_reason_theme(self) -> str | None: ...


def reason_theme(customer: ReasonThemes) -> str | None:
    """The theme of the reason we believe they have today (`bot.rules.nudges.reason_text`): the current
    reason's when one is known, else the original's."""
    return customer.current_reason_theme if customer.current_reason else customer.original_reason_theme
