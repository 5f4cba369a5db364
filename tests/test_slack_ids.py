"""One shape of Slack user ID, the same for CSV owners, mentions, settings and the CLI."""

from __future__ import annotations

import pytest

from bot.csv_format import CellError, parse_user
from bot.rules.slack_ids import is_user_id
from handlers.views.common import mention


@pytest.mark.parametrize("text", ["U0123ABCD", "W0123ABCD", "U1", "U" + "A" * 31])
def test_user_ids(text: str) -> None:
    assert is_user_id(text)
    assert parse_user(text) == text
    assert mention(text) == f"<@{text}>"


@pytest.mark.parametrize("text", ["", "U", "C0123ABCD", "u0123abcd", "U0123 ABCD", "U" + "A" * 32, "<@U1>"])
def test_what_is_no_user_id(text: str) -> None:
    assert not is_user_id(text)
    assert not mention(text).startswith("<@")
    with pytest.raises(CellError):
        parse_user(text)
