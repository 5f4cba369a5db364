"""An owner's own digest settings: pause until a date (a vacation), and the hour and days it comes.

Stored per owner; the digest job reads them on its next run. Empty hour or days mean the
workspace's `DIGEST_HOUR` / `DIGEST_WEEKDAYS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bot.operations.actor import Actor
from bot.rules.digest import owner_is_paused
from bot.rules.schedule import DigestTime, digest_time, weekdays_text
from bot.services import Services
from storage.models import Owner
from storage.owners import owner_by_user, save_digest_settings

MAX_PAUSE_DAYS = 366


@dataclass(frozen=True)
class OwnerSettings:
    """What the owner chose, and what applies: `time` is theirs, or the workspace's."""

    paused_until: date | None
    time: DigestTime
    own_time: bool
    today: date

    @property
    def paused(self) -> bool:
        return owner_is_paused(self.paused_until, self.today)


@dataclass(frozen=True)
class SettingsDraft:
    """The settings form as typed: no pause date means not paused."""

    paused_until: date | None
    hour: int | None
    weekdays: frozenset[int]


def workspace_time(services: Services) -> DigestTime:
    settings = services.settings
    return DigestTime(settings.digest_hour, settings.digest_days)


def settings_of(owner: Owner | None, services: Services, today: date) -> OwnerSettings:
    """The digest settings stored on `owner` (none: the workspace's) as they apply on `today`."""
    default = workspace_time(services)
    if owner is None:
        return OwnerSettings(None, default, False, today)
    own = owner.digest_hour is not None or owner.digest_weekdays is not None
    time = digest_time(owner.digest_hour, owner.digest_weekdays, default=default)
    return OwnerSettings(owner.paused_until, time, own, today)


def my_settings(services: Services, actor: Actor) -> OwnerSettings:
    """The actor's digest settings as they apply today."""
    with services.database.session() as session:
        owner = owner_by_user(actor.team_id, actor.user_id, session=session)
    return settings_of(owner, services, actor.today(services.clock()))


def settings_mistakes(draft: SettingsDraft, today: date) -> dict[str, str]:
    """Field → what to fix, for a draft that cannot be stored."""
    mistakes: dict[str, str] = {}
    if draft.paused_until is not None:
        if draft.paused_until <= today:
            mistakes["paused_until"] = "Pick a later day, or clear it to get digests again."
        elif draft.paused_until > today + timedelta(days=MAX_PAUSE_DAYS):
            mistakes["paused_until"] = "A pause can last up to a year."
    if draft.hour is not None and not 0 <= draft.hour <= 23:
        mistakes["hour"] = "Pick an hour from 00:00 to 23:00."
    if not draft.weekdays:
        mistakes["weekdays"] = "Pick at least one day."
    return mistakes


def save_settings(services: Services, actor: Actor, draft: SettingsDraft) -> OwnerSettings | dict[str, str]:
    """Store the actor's settings; the mistakes instead when the draft cannot be stored.

    A choice equal to the workspace's is stored as empty, so it follows the workspace's later changes.
    """
    today = actor.today(services.clock())
    mistakes = settings_mistakes(draft, today)
    if mistakes:
        return mistakes
    default = workspace_time(services)
    hour = None if draft.hour in (None, default.hour) else draft.hour
    days = None if draft.weekdays == default.weekdays else weekdays_text(draft.weekdays)
    with services.database.transaction() as session:
        save_digest_settings(
            actor.team_id,
            actor.user_id,
            paused_until=draft.paused_until,
            digest_hour=hour,
            digest_weekdays=days,
            session=session,
        )
    own = hour is not None or days is not None
    return OwnerSettings(draft.paused_until, digest_time(hour, days, default=default), own, today)
