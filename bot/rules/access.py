"""Who may use Holdfast: customer notes are confidential to the account team."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any


def may_use(
    user: Mapping[str, Any] | None,
    *,
    team_id: str | None,
    allowed_user_ids: Collection[str],
    group_members: Collection[str] | None,
) -> bool:
    """Whether a Slack user (a `users.info` user) may see customers.

    Never: unknown or deleted users, bots, guests (`is_restricted` / `is_ultra_restricted`), people
    from another organisation (`is_stranger`, or another `team_id`). When a user group or user IDs
    are configured, only their members; otherwise every full member of the workspace.
    """
    if not user or user.get("deleted") or user.get("is_bot"):
        return False
    if user.get("is_restricted") or user.get("is_ultra_restricted") or user.get("is_stranger"):
        return False
    if team_id and user.get("team_id") and user.get("team_id") != team_id:
        return False
    if allowed_user_ids or group_members is not None:
        user_id = user.get("id")
        return user_id in allowed_user_ids or (group_members is not None and user_id in group_members)
    return True
