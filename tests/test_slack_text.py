"""Echoed user text never notifies anyone and never exceeds a limit."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from bot.slack_text import escape, safe, shorten


def test_mentions_and_broadcasts_are_neutralised() -> None:
    assert (
        escape("<!channel> hi <@U123> & <!here|here>")
        == "&lt;!channel&gt; hi &lt;@U123&gt; &amp; &lt;!here|here&gt;"
    )


def test_shorten_marks_the_cut() -> None:
    assert shorten("abcdef", 6) == "abcdef"
    assert shorten("abcdefg", 6) == "abcde…"
    assert shorten("ab&amp;cd", 5) == "ab…"


@given(st.text(), st.integers(min_value=2, max_value=200))
def test_safe_text_has_no_raw_controls_and_fits(text: str, limit: int) -> None:
    result = safe(text, limit)
    assert len(result) <= limit
    assert "<" not in result
    assert ">" not in result
    # every & starts a complete entity
    assert re.sub(r"&(amp|lt|gt);", "", result).count("&") == 0
