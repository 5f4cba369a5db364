"""Settings: defaults, and a malformed value named in one line."""

from __future__ import annotations

import pytest

from bot.settings import Settings, SettingsError, load_settings


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)  # no .env from the developer's checkout
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)


def test_defaults_match_the_product_brief() -> None:
    settings = load_settings()
    assert settings.database_url == "sqlite:///holdfast.db"
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.port == 3000
    policy = settings.policy()
    assert (policy.cadence_days, policy.key_cadence_days, policy.key_account_share) == (30, 14, 0.2)
    assert (policy.renewal_window_days, policy.follow_up_days) == (120, 14)
    assert (settings.digest_hour, settings.digest_max_customers) == (9, 10)
    assert settings.digest_days == frozenset({0, 1, 2, 3, 4})


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DATABASE_URL", "nonsense", "DATABASE_URL must be a database URL"),
        ("DATABASE_URL", "mysql://root@localhost/x", "DATABASE_URL must be a SQLite or PostgreSQL URL"),
        ("SLACK_BOT_TOKEN", "xoxp-123", "SLACK_BOT_TOKEN must be a bot token starting with xoxb-"),
        ("SLACK_APP_TOKEN", "xoxb-123", "SLACK_APP_TOKEN must be an app-level token starting with xapp-"),
        ("SLACK_API_URL", "slack.com/api", "SLACK_API_URL must be an http(s) URL"),
        ("PORT", "eighty", "PORT "),
        ("ACCESS_USER_IDS", "U123,bob", "ACCESS_USER_IDS must be Slack user IDs"),
        ("DIGEST_WEEKDAYS", "mon,funday", "DIGEST_WEEKDAYS must be days"),
        ("DIGEST_HOUR", "24", "DIGEST_HOUR "),
        ("LEAD_USER_IDS", "U123,ann", "LEAD_USER_IDS must be Slack user IDs"),
        ("TEAM_DIGEST_WEEKDAY", "mon,tue", "TEAM_DIGEST_WEEKDAY must be one day"),
        ("TEAM_DIGEST_WEEKDAY", "someday", "TEAM_DIGEST_WEEKDAY must be one day"),
        ("TEAM_DIGEST_CHANNEL", "#account-team", "TEAM_DIGEST_CHANNEL must be a channel ID"),
        ("NEW_CUSTOMER_DAILY_CAP", "0", "NEW_CUSTOMER_DAILY_CAP "),
    ],
)
def test_a_malformed_value_is_named(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value)


def test_env_file_is_read_and_blank_values_are_unset(tmp_path) -> None:
    (tmp_path / ".env").write_text(
        "SLACK_BOT_TOKEN=xoxb-1\nSLACK_APP_TOKEN=\nSLACK_API_URL=http://127.0.0.1:9/api\n"
    )
    settings = load_settings()
    assert settings.slack_bot_token is not None
    assert settings.slack_bot_token.get_secret_value() == "xoxb-1"
    assert settings.slack_app_token is None
    assert settings.slack_api_url == "http://127.0.0.1:9/api/"
