"""The one owner rule: who may use Holdfast is who may own customers and receive their notes.

`AccessCheck` asks Slack who someone is (`users.info`, and `usergroups.users.list` for
`ACCESS_USERGROUP_ID`) and decides with `bot.rules.access.why_not`. Every path that lets someone
see notes calls it: the Slack middleware (each request, and the owner picked in the add form or
the hand-over), `holdfast import` (each owner), and the digest job (each owner before their digest
goes out). A CRM sync that sets owners must call it too.

Two ways to hold answers: `for_requests` serves a known user's last good answer at once and
refreshes it in the background (a request never waits on a slow or rate-limited Slack for someone
it knows), and `for_one_run` asks once per person per run. A failed lookup is never remembered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any, TypeVar

from slack_sdk import WebClient

from bot.lookup_cache import Cache, LastGood, Memo
from bot.rules.access import Denial, why_not
from bot.settings import Settings
from bot.slack_users import SlackLookupError, lookup_group, lookup_user

T = TypeVar("T")

USER_FRESH = timedelta(minutes=5)
GROUP_FRESH = timedelta(minutes=1)
# A known answer is served while Slack cannot refresh it, for at most this long.
MAX_STALE = timedelta(minutes=30)
# How long a request waits for a person (or the access group) it has no answer for.
REQUEST_WAIT = 1.0


@dataclass(frozen=True)
class Access:
    """Slack's user (None when unknown) and why they may not use Holdfast (None when they may)."""

    user: dict[str, Any] | None
    denial: Denial | None

    @property
    def allowed(self) -> bool:
        return self.denial is None


class AccessCheck:
    """Who may use Holdfast, as Slack says now. Raises `SlackLookupError` when Slack cannot say."""

    def __init__(self, settings: Settings, client: WebClient, *, users: Cache, groups: Cache) -> None:
        self.settings = settings
        self.client = client
        self._users = users
        self._groups = groups

    def __deepcopy__(self, memo: dict[int, Any]) -> AccessCheck:
        # Bolt copies the context for lazy listeners; they share this check (and its caches).
        return self

    def user(self, user_id: str) -> dict[str, Any] | None:
        """The `users.info` user (None when Slack knows no such user)."""
        return _answer(self._users, user_id, partial(lookup_user, self.client, user_id), "users.info")

    def __call__(self, team_id: str | None, user_id: str) -> Access:
        user = self.user(user_id)
        group_id = self.settings.access_usergroup_id
        members = (
            _answer(self._groups, group_id, partial(lookup_group, self.client, group_id), "the access group")
            if group_id
            else None
        )
        denial = why_not(
            user, team_id=team_id, allowed_user_ids=self.settings.allowed_user_ids, group_members=members
        )
        return Access(user, denial)

    def is_lead(self, team_id: str, user_id: str) -> bool:
        """Whether `user_id` sees the team view: in `LEAD_USER_IDS` or the `LEAD_USERGROUP_ID` group
        (neither set: nobody), and allowed to use Holdfast."""
        settings = self.settings
        group_id = settings.lead_usergroup_id
        if user_id not in settings.lead_user_ids.split(","):
            if not group_id:
                return False
            leads = _answer(
                self._groups, group_id, partial(lookup_group, self.client, group_id), "the lead group"
            )
            if user_id not in leads:
                return False
        return self(team_id, user_id).allowed

    def denial(self, team_id: str, user_id: str) -> Denial | None:
        """Why `user_id` may not use Holdfast (nor own customers) in `team_id`; None when they may."""
        return self(team_id, user_id).denial


def _answer(cache: Cache, key: str, load: Callable[[], T], what: str) -> T:
    try:
        return cache.get(key, load)
    except TimeoutError:
        raise SlackLookupError(f"Slack did not answer {what} for {key} in time") from None


def for_requests(settings: Settings, client: WebClient, clock: Callable[[], datetime]) -> AccessCheck:
    """The check for Slack requests: last good answers, refreshed in the background (`LastGood`)."""
    return AccessCheck(
        settings,
        client,
        users=LastGood(fresh=USER_FRESH, stale=MAX_STALE, wait=REQUEST_WAIT, clock=clock),
        groups=LastGood(fresh=GROUP_FRESH, stale=MAX_STALE, wait=REQUEST_WAIT, clock=clock),
    )


def for_one_run(settings: Settings, client: WebClient) -> AccessCheck:
    """The check for one digest run or one import: each person asked once."""
    return AccessCheck(settings, client, users=Memo(), groups=Memo())
