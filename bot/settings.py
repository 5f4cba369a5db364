"""Holdfast's settings: the one place that reads the environment and `.env`."""

from __future__ import annotations

import re

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.rules.away import DEFAULT_EMOJI, DEFAULT_WORDS, AwayRule
from bot.rules.policy import Policy
from bot.rules.schedule import weekday_numbers, weekdays_text
from bot.rules.slack_ids import is_user_id
from bot.rules.themes import DEFAULT_LABELS, Themes, parse_themes

DEFAULT_DATABASE_URL = "sqlite:///holdfast.db"
CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{2,}")
SUPPORTED_DATABASES = ("sqlite", "postgresql")
# Slack's requests are small: the largest Holdfast gets, a button press echoing a full digest, is tens
# of kilobytes. 1 MiB leaves ample room and bounds what an unsigned sender can make the server hold.
DEFAULT_MAX_REQUEST_BYTES = 1024 * 1024


class SettingsError(Exception):
    """A setting is malformed; the message names the variable and what is wrong."""


class Settings(BaseSettings):
    """Every setting Holdfast reads, with PRODUCT.md's defaults."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    slack_team_id: str | None = None
    database_url: str = DEFAULT_DATABASE_URL
    port: int = Field(default=3000, ge=1, le=65535)
    # Larger HTTP request bodies get 413 before they are read.
    max_request_bytes: int = Field(default=DEFAULT_MAX_REQUEST_BYTES, ge=16 * 1024, le=64 * 1024 * 1024)

    # Who may use Holdfast: a user group, and/or user IDs; neither means every full member.
    access_usergroup_id: str | None = None
    access_user_ids: str = ""

    # Team leads (who see the team view): a user group, and/or user IDs; they must pass the access check.
    lead_usergroup_id: str | None = None
    lead_user_ids: str = ""
    # Reason themes offered in the forms and the CSV, comma-separated (`bot.rules.themes`).
    reason_themes: str = DEFAULT_LABELS
    # The weekly team digest in a channel (off when no channel is set).
    team_digest_channel: str | None = None
    team_digest_weekday: str = "mon"
    team_digest_hour: int = Field(default=9, ge=0, le=23)

    # CRM sync with HubSpot (off when no token is set).
    hubspot_token: SecretStr | None = None
    hubspot_api_url: str = "https://api.hubapi.com"
    crm_sync_minutes: int = Field(default=15, ge=1)
    # The HubSpot company properties Holdfast reads (internal names; empty: not read). The name and
    # the owner (`hubspot_owner_id`) are HubSpot's own.
    hubspot_renewal_property: str = "renewal_date"
    hubspot_arr_property: str = "arr"
    hubspot_since_property: str = "hs_lifecyclestage_customer_date"
    hubspot_reason_property: str = "reason_chosen"

    @field_validator(
        "hubspot_renewal_property",
        "hubspot_arr_property",
        "hubspot_since_property",
        "hubspot_reason_property",
    )
    @classmethod
    def _property_name_shape(cls, value: str) -> str:
        name = value.strip().lower()
        if len(name) > 100 or (name and not (name.isascii() and name.replace("_", "").isalnum())):
            raise ValueError("must be a HubSpot property's internal name, such as renewal_date")
        return name

    @field_validator("hubspot_api_url")
    @classmethod
    def _hubspot_url_shape(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError("must be an http(s) URL such as https://api.hubapi.com")
        return value.rstrip("/")

    # When a customer is due a conversation (see bot.rules.policy.Policy).
    cadence_days: int = Field(default=30, ge=1)
    key_account_cadence_days: int = Field(default=14, ge=1)
    key_account_share: float = Field(default=0.2, ge=0, le=1)
    renewal_window_days: int = Field(default=120, ge=0)
    reason_confirmed_days: int = Field(default=60, ge=0)
    follow_up_days: int = Field(default=14, ge=0)
    # Customers due only because never checked in: at most this many in one owner's digest.
    new_customer_daily_cap: int = Field(default=3, ge=1)

    # The daily digest.
    digest_hour: int = Field(default=9, ge=0, le=23)
    digest_weekdays: str = "mon,tue,wed,thu,fri"
    digest_max_customers: int = Field(default=10, ge=1, le=40)
    # A Slack status with one of these emoji, or these words (any case), means away: no digest today.
    away_status_emoji: str = ",".join(DEFAULT_EMOJI)
    away_status_words: str = ",".join(DEFAULT_WORDS)

    @field_validator(
        "slack_bot_token",
        "slack_signing_secret",
        "slack_app_token",
        "slack_team_id",
        "lead_usergroup_id",
        "team_digest_channel",
        "hubspot_token",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xoxb-"):
            raise ValueError("must be a bot token starting with xoxb-")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("must be an app-level token starting with xapp-")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _api_url_shape(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError("must be an http(s) URL such as https://slack.com/api/")
        return value if value.endswith("/") else value + "/"

    @field_validator("database_url")
    @classmethod
    def _database_url_shape(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError(
                "must be a database URL such as sqlite:///holdfast.db or postgresql://user@host/holdfast"
            ) from None
        if url.get_backend_name() not in SUPPORTED_DATABASES:
            raise ValueError(f"must be a SQLite or PostgreSQL URL, not {url.get_backend_name()!r}")
        return value

    @field_validator("access_user_ids", "lead_user_ids")
    @classmethod
    def _user_ids_shape(cls, value: str) -> str:
        ids = [part.strip() for part in value.split(",") if part.strip()]
        bad = [user_id for user_id in ids if not is_user_id(user_id)]
        if bad:
            raise ValueError(f"must be Slack user IDs separated by commas (not {bad[0]!r})")
        return ",".join(ids)

    @field_validator("digest_weekdays")
    @classmethod
    def _weekdays_shape(cls, value: str) -> str:
        try:
            return weekdays_text(weekday_numbers(value))
        except ValueError:
            raise ValueError("must be days such as mon,tue,wed,thu,fri") from None

    @field_validator("team_digest_weekday")
    @classmethod
    def _weekday_shape(cls, value: str) -> str:
        try:
            (day,) = weekday_numbers(value)
        except ValueError:
            raise ValueError("must be one day such as mon") from None
        return weekdays_text({day})

    @field_validator("team_digest_channel")
    @classmethod
    def _channel_shape(cls, value: str | None) -> str | None:
        if value is not None and not CHANNEL_ID.fullmatch(value.strip()):
            raise ValueError("must be a channel ID such as C0123ABCD (the channel's details, About)")
        return value.strip() if value else value

    @property
    def allowed_user_ids(self) -> frozenset[str]:
        return frozenset(filter(None, self.access_user_ids.split(",")))

    @property
    def team_digest_day(self) -> int:
        """The weekday number (Monday is 0) of the weekly team digest."""
        (day,) = weekday_numbers(self.team_digest_weekday)
        return day

    @property
    def digest_days(self) -> frozenset[int]:
        """Weekday numbers (Monday is 0) on which digests go out."""
        return weekday_numbers(self.digest_weekdays)

    def themes(self) -> Themes:
        """The reason themes offered (parsed once per list)."""
        return parse_themes(self.reason_themes)

    def away_rule(self) -> AwayRule:
        """What a Slack status that means away looks like."""
        emoji = tuple(e.strip() for e in self.away_status_emoji.split(",") if e.strip())
        words = tuple(w.strip() for w in self.away_status_words.split(",") if w.strip())
        return AwayRule(emoji, words)

    def policy(self) -> Policy:
        return Policy(
            cadence_days=self.cadence_days,
            key_cadence_days=self.key_account_cadence_days,
            key_account_share=self.key_account_share,
            renewal_window_days=self.renewal_window_days,
            reason_confirmed_days=self.reason_confirmed_days,
            follow_up_days=self.follow_up_days,
            new_customer_daily_cap=self.new_customer_daily_cap,
        )


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning a validation failure into one line naming the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        message = first["msg"].removeprefix("Value error, ")
        raise SettingsError(f"{name} {message}") from None
