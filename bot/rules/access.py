"""Who may use Holdfast, and so own customers: customer notes are confidential to the account team."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from enum import StrEnum
from typing import Any

# How a refusal to own customers is worded, wherever someone is refused.
CANNOT_OWN = "cannot own customers in Holdfast (guests, bots and people outside the account team cannot)"


class Denial(StrEnum):
    """Why a Slack user may not use Holdfast (worded to follow "cannot use Holdfast (…)")."""

    UNKNOWN = "not a user of this Slack workspace"
    DEACTIVATED = "deactivated in Slack"
    BOT = "a bot"
    GUEST = "guest"
    EXTERNAL = "external: another organisation, or Slack Connect"
    OUTSIDE = "not in the Holdfast access group"


def why_not(
    user: Mapping[str, Any] | None,
    *,
    team_id: str | None,
    allowed_user_ids: Collection[str],
    group_members: Collection[str] | None,
) -> Denial | None:
    """Why a Slack user (a `users.info` user) may not see customers, or None when they may.

    Never: unknown or deleted users, bots, guests (`is_restricted` / `is_ultra_restricted`), people
    from another organisation (`is_stranger`, or another `team_id`). When a user group or user IDs
    are configured, only their members; otherwise every full member of the workspace.
    """
    if not user:
        return Denial.UNKNOWN
    if user.get("deleted"):
        return Denial.DEACTIVATED
    if user.get("is_bot"):
        return Denial.BOT
    if user.get("is_stranger") or (team_id and user.get("team_id") and user.get("team_id") != team_id):
        return Denial.EXTERNAL
    if user.get("is_restricted") or user.get("is_ultra_restricted"):
        return Denial.GUEST
    if allowed_user_ids or group_members is not None:
        user_id = user.get("id")
        if user_id not in allowed_user_ids and (group_members is None or user_id not in group_members):
            return Denial.OUTSIDE
    return None


def may_use(
    user: Mapping[str, Any] | None,
    *,
    team_id: str | None,
    allowed_user_ids: Collection[str],
    group_members: Collection[str] | None,
) -> bool:
    """Whether a Slack user may see customers (see `why_not`)."""
    return (
        why_not(user, team_id=team_id, allowed_user_ids=allowed_user_ids, group_members=group_members) is None
    )
