"""The signature check never raises and takes only Slack's exact form; response_urls only at Slack's origin."""

from __future__ import annotations

import hashlib
import hmac

from hypothesis import given
from hypothesis import strategies as st

from bot.slack.verification import is_signed, origin, slack_origins

SECRET = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
NOW = 1_700_000_000


def sign(body: str, timestamp: str, secret: str = SECRET) -> str:
    return "v0=" + hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()


def test_slacks_own_signature_is_accepted():
    assert is_signed(SECRET, b"a=1", str(NOW), sign("a=1", str(NOW)), now=lambda: NOW)
    assert is_signed(SECRET, "a=1", str(NOW - 299), sign("a=1", str(NOW - 299)), now=lambda: NOW)


def test_stale_forged_or_malformed_is_refused():
    good = sign("a=1", str(NOW))
    assert not is_signed(SECRET, "a=1", str(NOW - 301), sign("a=1", str(NOW - 301)), now=lambda: NOW)
    assert not is_signed(SECRET, "a=2", str(NOW), good, now=lambda: NOW)
    assert not is_signed("other-secret", "a=1", str(NOW), good, now=lambda: NOW)
    assert not is_signed("", "a=1", str(NOW), good, now=lambda: NOW)
    assert not is_signed(SECRET, "a=1", str(NOW), good.upper(), now=lambda: NOW)
    assert not is_signed(SECRET, "a=1", None, good, now=lambda: NOW)
    assert not is_signed(SECRET, b"\xff\xfe", str(NOW), good, now=lambda: NOW)  # not UTF-8: not from Slack
    for timestamp in ("abc", "1e3", "0x10", "", " 1700000000", "+1700000000", "1_700_000_000", "9" * 400):
        assert not is_signed(SECRET, "a=1", timestamp, sign("a=1", timestamp), now=lambda: NOW), timestamp


@given(st.one_of(st.none(), st.text(), st.binary()), st.one_of(st.none(), st.text(), st.integers()), st.text())
def test_property_never_raises(body, timestamp, signature):
    assert is_signed(SECRET, body or "", timestamp, signature, now=lambda: NOW) in (True, False)


def test_response_urls_only_at_slacks_origin():
    allowed = slack_origins("http://127.0.0.1:8080/api/")
    assert origin("https://hooks.slack.com/commands/T1/1/abc") in allowed
    assert origin("http://127.0.0.1:8080/response/1") in allowed
    for url in (
        "http://127.0.0.1:8081/response/1",  # another port
        "https://127.0.0.1:8080/response/1",  # another scheme
        "https://hooks.slack.com.evil.example/x",
        "http://169.254.169.254/latest/meta-data",
        "file:///etc/passwd",
        "hooks.slack.com/x",
    ):
        assert origin(url) not in allowed, url
    assert origin("https://hooks.slack.com:443/x") == origin("https://HOOKS.slack.com/y")
    assert slack_origins(None) == {("https", "hooks.slack.com", 443)}
