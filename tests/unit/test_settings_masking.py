"""A database password is masked wherever DATABASE_URL carries it; empty means unset."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, _mask_password, load_settings, url_secrets
from bot.telemetry.logs import redact


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://u:pw1@h/db", "postgresql://u:***@h/db"),
        ("postgresql://u@h/db?password=pw2", "postgresql://u@h/db?password=***"),
        ("postgresql://u@h/db?sslmode=require&sslpassword=pw3", "postgresql://u@h/db?sslmode=require&sslpassword=***"),
        (
            "postgresql://u@h/db?auth_token=pw4&application_name=x",
            "postgresql://u@h/db?auth_token=***&application_name=x",
        ),
        ("postgresql://u@h/db?client_secret=pw5", "postgresql://u@h/db?client_secret=***"),
        ("sqlite:///mailops.db", "sqlite:///mailops.db"),
    ],
)
def test_every_password_in_the_url_is_masked(url, shown):
    assert _mask_password(url) == shown
    for secret in url_secrets(url):
        assert secret.startswith("pw")
    assert "pw" not in redact(f"connecting to {url}").replace("password", "").replace("sslpassword", "")


def test_an_empty_auth_userid_is_one_line_saying_it_is_not_set():
    with pytest.raises(ConfigError) as raised:
        load_settings("reseller_auth_userid", _env_file=None, reseller_auth_userid="")
    assert str(raised.value).count("RESELLER_AUTH_USERID") == 1 and "required but not set" in str(raised.value)


def test_the_approval_channel_is_a_channel_id():
    with pytest.raises(ConfigError, match="APPROVAL_CHANNEL: use the channel's id"):
        load_settings(_env_file=None, approval_channel="#approvals")
    assert load_settings(_env_file=None, approval_channel=" C0APPROVALS ").approval_channel == "C0APPROVALS"
