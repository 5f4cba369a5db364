"""Reason themes: the configured list, reading a typed theme, and how a stored key reads: tables of cases."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.rules.themes import (
    DEFAULT_LABELS,
    DEFAULT_THEMES,
    MAX_KEY,
    NOT_SET,
    Theme,
    UnknownTheme,
    parse_themes,
    reason_theme,
    shown_label,
    theme_key,
)
from bot.settings import Settings
from tests.factories import customer

REWORDED = parse_themes("price=Cost, product_fit=Fit with our product,speed")


def test_the_default_list_is_the_settings_default_with_stable_keys() -> None:
    assert Settings.model_fields["reason_themes"].default == DEFAULT_LABELS
    assert [(theme.key, theme.label) for theme in DEFAULT_THEMES] == [
        ("price", "price"),
        ("product_fit", "product fit"),
        ("ease_of_use", "ease of use"),
        ("speed_of_delivery", "speed of delivery"),
        ("service_and_support", "service and support"),
        ("integration", "integration"),
        ("compliance_and_security", "compliance and security"),
        ("relationship", "relationship"),
        ("other", "other"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        (" , ,", []),
        ("Price", [("price", "Price")]),
        ("  Product   Fit ", [("product_fit", "Product Fit")]),
        ("price,PRICE, price ", [("price", "price")]),  # a key once: the first wins
        ("fit=Fit with our product", [("fit", "Fit with our product")]),
        ("Product Fit=Fits", [("product_fit", "Fits")]),  # the key part is made a key too
        ("=Nameless,!!!", []),  # no letters or digits: no key
        ("Préis,Größe", [("préis", "Préis"), ("grösse", "Größe")]),
        ("a" * 40, [("a" * MAX_KEY, "a" * 40)]),
    ],
)
def test_the_configured_list_becomes_keyed_themes(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(theme.key, theme.label) for theme in parse_themes(text)] == expected


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("product fit", "product_fit"),
        ("Product Fit", "product_fit"),
        ("product_fit", "product_fit"),
        ("  PRODUCT__FIT ", "product_fit"),
        ("product-fit", "product_fit"),
        ("'price", "price"),  # the spreadsheet's text mark is not part of it
        ("", None),
        ("   ", None),
    ],
)
def test_a_typed_theme_reads_as_its_key_in_any_case_with_spaces_or_underscores(
    text: str, key: str | None
) -> None:
    assert DEFAULT_THEMES.read(text) == key


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Cost", "price"),  # the new label
        ("price", "price"),  # the stable key
        ("fit with our product", "product_fit"),
        ("PRODUCT FIT", "product_fit"),
        ("speed", "speed"),
    ],
)
def test_a_reworded_label_and_its_old_key_both_read_as_the_key(text: str, key: str) -> None:
    assert REWORDED.read(text) == key


@pytest.mark.parametrize("text", ["cheap", "product", "--", "not set"])
def test_an_unknown_theme_is_refused_naming_the_allowed_ones(text: str) -> None:
    with pytest.raises(UnknownTheme) as raised:
        DEFAULT_THEMES.read(text)
    assert str(raised.value) == (
        f"'{text}' is not a reason theme (allowed: price, product fit, ease of use, speed of delivery, "
        "service and support, integration, compliance and security, relationship, other)"
    )


def test_with_no_theme_configured_every_theme_is_refused() -> None:
    with pytest.raises(UnknownTheme, match=r"allowed: none are configured"):
        parse_themes("").read("price")


@pytest.mark.parametrize(
    ("key", "label"),
    [
        (None, NOT_SET),
        ("price", "Cost"),
        ("product_fit", "Fit with our product"),
        ("ease_of_use", "ease of use"),  # no longer listed: its own words, never dropped
    ],
)
def test_a_stored_key_reads_as_its_label(key: str | None, label: str) -> None:
    assert REWORDED.label(key) == label


@pytest.mark.parametrize(
    ("current", "keys"),
    [
        (None, ["price", "product_fit", "speed"]),
        ("price", ["price", "product_fit", "speed"]),
        ("ease_of_use", ["price", "product_fit", "speed", "ease_of_use"]),
    ],
)
def test_the_choices_keep_a_stored_theme_the_list_no_longer_has(current: str | None, keys: list[str]) -> None:
    assert [theme.key for theme in REWORDED.choices(current)] == keys
    assert REWORDED.choices(current)[-1] == Theme(keys[-1], REWORDED.label(keys[-1]))


@pytest.mark.parametrize(
    ("key", "current", "allowed"),
    [
        (None, None, True),
        ("price", None, True),
        ("cheap", None, False),
        ("ease_of_use", "ease_of_use", True),
        ("ease_of_use", "price", False),
    ],
)
def test_a_form_may_set_a_listed_theme_not_set_or_the_one_kept(
    key: str | None, current: str | None, allowed: bool
) -> None:
    assert REWORDED.allows(key, current=current) is allowed


@pytest.mark.parametrize(
    ("fields", "theme"),
    [
        ({}, None),
        ({"original_reason": "Cheap", "original_reason_theme": "price"}, "price"),
        (
            {
                "original_reason": "Cheap",
                "original_reason_theme": "price",
                "current_reason": "Fits",
                "current_reason_theme": None,
            },
            None,
        ),
        (
            {"original_reason_theme": "price", "current_reason": "Fits", "current_reason_theme": "other"},
            "other",
        ),
    ],
)
def test_the_reason_today_has_the_theme_of_the_reason_it_is(
    fields: dict[str, Any], theme: str | None
) -> None:
    assert reason_theme(customer("Acme", **fields)) == theme


@pytest.mark.parametrize(
    ("label", "shown"), [("price", "Price"), ("", ""), ("ümlaut", "Ümlaut"), ("SaaS", "SaaS")]
)
def test_a_label_is_shown_with_a_capital(label: str, shown: str) -> None:
    assert shown_label(label) == shown


@given(st.text(max_size=60))
def test_any_text_makes_a_short_key_of_word_characters_that_reads_back(text: str) -> None:
    key = theme_key(text)
    assert len(key) <= MAX_KEY
    assert not key.startswith("_")
    assert not key.endswith("_")
    assert "-" not in key
    if key:
        assert parse_themes(text.replace(",", " ").replace("=", " ")).read(key) == key
