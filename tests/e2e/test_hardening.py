"""Nothing anyone sends, types or configures can hurt the bot: odd input, odd settings, odd bodies."""

from __future__ import annotations

import logging

import pytest

from bot.config import ConfigError, load_settings
from tests.support import visible_text


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("order ²", "is not a valid domain name"),
        ("order ①", "is not a valid domain name"),
        ("search page:１２", "The page must be a whole number of 1 or more"),
        ("add-accounts acme.com ٣", "must be a whole number of 1 or more, not `٣`"),
        ("add-accounts acme.com 5 discount:1e2", "`discount:` takes an amount like `10` or `12.50`, not `1e2`"),
        ("add-accounts acme.com 5 discount:-1", "not `-1`"),
        ("renew acme.com 12mo invoice:PayInvoice invoice:NoInvoice", "Give `invoice:` once."),
    ],
)
def test_odd_input_gets_the_reason_and_the_usage(slack_driver, sim, text, shown):
    reply = slack_driver.command(text)
    assert reply.status == 200
    answer = visible_text(reply.ack)
    assert shown in answer and "Usage" in answer, answer
    assert sim.calls == []


def test_a_discount_beyond_the_estimate_is_refused(bot, sim):
    text = bot.driver.command("add-accounts acme.com 1 discount:900").text()
    assert "A discount of 900 is more than the estimated" in text
    assert bot.driver.slack.posts("/api/chat.postMessage") == []


def test_a_failure_before_the_ack_is_still_an_answer(slack_driver, monkeypatch):
    from bot.slack.listeners import commands

    def broken(intent):
        raise RuntimeError("a bug")

    monkeypatch.setattr(commands, "row_of", broken)  # a bug in the Slack layer itself, before the ack
    reply = slack_driver.command("order example.com")
    assert reply.status == 200 and "Something went wrong on our side (reference" in reply.ack["text"]


def test_an_oversized_body_is_refused_unread(slack_driver, sim):
    body = "text=" + "x" * 1_100_000
    try:
        status, _ = slack_driver.post(body, slack_driver.sign(body))
    except OSError:  # the server answered 413 and closed while the client was still sending
        status = 413
    assert status == 413 and sim.calls == []


def test_a_key_holding_url_characters_is_fully_redacted(start_bot, sim, caplog):
    caplog.set_level(logging.DEBUG)
    odd = "k3y&tail=SECRET-TAIL/+="
    sim.api_key = odd
    running = start_bot(reseller_api_key=odd)
    assert "example.com · Active" in running.driver.command("order example.com").text()
    logged = caplog.text
    assert "api-key=***" in logged
    for leak in (odd, "SECRET-TAIL", "tail%3DSECRET", "SECRET-TAIL%2F"):
        assert leak not in logged, leak


@pytest.mark.parametrize(
    ("setting", "value", "named"),
    [
        ("read_timeout", "inf", "READ_TIMEOUT"),
        ("command_deadline", "nan", "COMMAND_DEADLINE"),
        ("order_cache_ttl", "1e9", "ORDER_CACHE_TTL"),
        ("database_url", "sqlite://", "DATABASE_URL: Value error, an in-memory SQLite database"),
        ("database_url", "sqlite:///:memory:", "in-memory SQLite"),
        ("database_url", "not a url", "DATABASE_URL: Value error, is not a database URL"),
        ("log_level", "LOUD", "LOG_LEVEL"),
        ("reseller_api_url", "http://httpapi.com/api", "RESELLER_API_URL: Value error, must be https://"),
    ],
)
def test_bad_settings_are_named(setting, value, named):
    with pytest.raises(ConfigError) as error:
        load_settings(_env_file=None, **{setting: value})
    assert named.replace("Value error, ", "") in str(error.value)


def test_good_edge_settings_are_kept():
    settings = load_settings(
        _env_file=None, order_cache_ttl=0, dns_cache_ttl=1, reseller_api_url="http://localhost:9/api"
    )
    assert settings.order_cache_ttl == 0 and settings.dns_cache_ttl == 1
