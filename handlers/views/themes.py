"""The reason-theme select the forms show beside a reason, and reading it back."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import InputBlock, StaticSelectElement

from bot.rules.themes import Themes, shown_label
from handlers import ids
from handlers.views.common import input_block, input_value, option_model, plain

NOT_SET_LABEL = "Not set"
THEME_LABEL = "Theme of this reason"


def theme_input(block_id: str, themes: Themes, *, current: str | None = None) -> InputBlock | None:
    """An optional select of the themes (with "Not set", and `current` kept when the list lost it),
    `current` chosen; None when no theme is configured."""
    choices = themes.choices(current)
    if not choices:
        return None
    options = [option_model(NOT_SET_LABEL, ids.THEME_NOT_SET)]
    options += [option_model(shown_label(theme.label), theme.key) for theme in choices]
    chosen = next((option for option in options[1:] if option.value == current), None)
    element = StaticSelectElement(
        placeholder=plain(NOT_SET_LABEL, 150), options=options, initial_option=chosen
    )
    return input_block(block_id, THEME_LABEL, element, optional=True)


def selected_theme(values: dict[str, Any], block_id: str) -> str | None:
    """The theme key chosen in the select `block_id`; None for "Not set" or nothing chosen."""
    selected = input_value(values, block_id).get("selected_option")
    value = str(selected["value"]) if selected else ids.THEME_NOT_SET
    return None if value == ids.THEME_NOT_SET else value
