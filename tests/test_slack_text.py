"""Echoed user text never notifies anyone, never exceeds a limit, and is never cut inside an escape."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from bot.rules.limits import ELLIPSIS, shorten
from handlers.views.text import escape, safe

# Text rich in what escaping and cutting trip over.
HOSTILE = st.text(alphabet=st.sampled_from("&<>;amplgt @!x \n"), max_size=60) | st.text()


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def test_mentions_and_broadcasts_are_neutralised() -> None:
    assert (
        escape("<!channel> hi <@U123> & <!here|here>")
        == "&lt;!channel&gt; hi &lt;@U123&gt; &amp; &lt;!here|here&gt;"
    )


def test_shorten_marks_the_cut() -> None:
    assert shorten("abcdef", 6) == "abcdef"
    assert shorten("abcdefg", 6) == "abcde…"
    assert shorten("ab&amp;cd", 5) == "ab…"
    assert shorten("ab cdefg", 4) == "ab…"


def test_shorten_keeps_plain_text_that_only_looks_like_an_escape_start() -> None:
    assert shorten("rock&roll forever", 8) == "rock&ro…"


@given(HOSTILE, st.integers(min_value=1, max_value=80))
def test_escaped_then_shortened_text_fits_is_whole_escapes_and_reads_as_a_prefix(
    text: str, limit: int
) -> None:
    result = shorten(escape(text), limit)
    assert len(result) <= limit
    assert not re.search(r"&(a|am|amp|l|lt|g|gt)?$", result.removesuffix(ELLIPSIS))
    assert re.sub(r"&(amp|lt|gt);", "", result).count("&") == 0
    shown = unescape(result)
    if result == escape(text):
        assert shown == text
    else:
        assert shown.endswith(ELLIPSIS)
        assert text.startswith(shown.removesuffix(ELLIPSIS))


@given(st.text(), st.integers(min_value=2, max_value=200))
def test_safe_text_has_no_raw_controls_and_fits(text: str, limit: int) -> None:
    result = safe(text, limit)
    assert len(result) <= limit
    assert "<" not in result
    assert ">" not in result
