"""What a Slack user ID looks like, in one place: `U` or `W` (an Enterprise Grid user), then
upper-case letters and digits, at most 32 characters in all (the width of the user columns)."""

from __future__ import annotations

import re

_USER_ID = re.compile(r"[UW][A-Z0-9]{1,31}")


def is_user_id(text: str) -> bool:
    """Whether all of `text` is a Slack user ID."""
    return _USER_ID.fullmatch(text) is not None
