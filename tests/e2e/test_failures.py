"""Every upstream failure class reaches the user as one plain sentence, and the bot keeps serving."""

from __future__ import annotations

import pytest


def test_api_error_message_is_shown_and_not_retried(slack_driver, sim):
    sim.fail("us", "details", "error")
    sim.fail("in", "details", "error")
    text = slack_driver.command("order 84372632").text()
    assert "Internal error, please try later" in text
    assert sim.count("details", "us") == 1  # an ERROR body with HTTP 500 is an answer: no retry


def test_not_whitelisted_says_how_to_fix(slack_driver, sim):
    sim.whitelisted = False
    text = slack_driver.command("order example.com").text()
    assert "IP not whitelisted" in text and "reseller control panel" in text
    sim.whitelisted = True
    assert "example.com · Active" in slack_driver.command("order acme.com").text().replace("acme", "example")


@pytest.mark.parametrize("fault", ["denied200", "denied", "denied_html"])
def test_access_denied_in_any_form_says_whitelist_or_account(slack_driver, sim, fault):
    sim.fail(None, "customer-price", fault, sticky=True)
    text = slack_driver.command("price 5 accounts 12mo for example.com").text()
    assert 'LogicBoxes (prices) answered "Access Denied"' in text
    assert "IP may not be whitelisted in LogicBoxes, or the record is not in your account" in text
    assert "Settings &gt; API in the reseller control panel" in text or "Settings > API" in text
    assert sim.count("customer-price") == 1  # an answer: never retried
    sim.heal()
    assert "example.com" in slack_driver.command("order example.com").text()  # and the bot keeps serving


def test_html_gateway_pages_are_retried_then_answered(slack_driver, sim):
    sim.fail("us", "details", "html502", "html503")
    text = slack_driver.command("order 84372633").text()
    assert "acme.com · Active" in text
    assert sim.count("details", "us") == 3


def test_html_500_page_persisting_names_the_outage(slack_driver, sim):
    sim.fail("us", "details", "html500", sticky=True)
    sim.fail("in", "details", "html500", sticky=True)
    text = slack_driver.command("order 84372633").text()
    assert "LogicBoxes us, in is unavailable: HTTP 500 error page." in text
    assert sim.count("details", "us") == 3  # first try + 2 retries (RETRIES=2)


def test_timeout_is_named_and_not_retried(slack_driver, sim):
    sim.fail("us", "orderid", "hang")
    sim.fail("in", "orderid", "hang")
    text = slack_driver.command("order example.com").text(timeout=15)
    assert "timed out" in text
    assert sim.count("orderid", "us") == 1
    sim.release.set()


def test_unreadable_answer(slack_driver, sim):
    sim.fail("us", "details", "garbage")
    sim.fail("in", "details", "garbage")
    assert "unreadable answer" in slack_driver.command("order 84372632").text()


def test_dropped_connection_is_retried(slack_driver, sim):
    sim.fail("us", "details", "reset")
    assert "example.com · Active" in slack_driver.command("order 84372632").text()
    assert sim.count("details", "us") == 2


def test_one_region_down_is_named_not_a_flat_not_found(slack_driver, sim):
    sim.fail("us", "orderid", "html502", sticky=True)
    text = slack_driver.command("order nope.com").text()
    assert "No Enterprise Email order for nope.com in in; us unavailable (HTTP 502 error page)" in text
    # ... while an order in the healthy region is still found
    assert "example.in · Active" in slack_driver.command("order example.in").text()


def test_search_with_one_region_down_shows_partial_results(slack_driver, sim):
    sim.fail("in", "search", "html503", sticky=True)
    text = slack_driver.command("search").text()
    assert "Partial results: in unavailable (HTTP 503 error page)" in text
    assert "example.com" in text and "example.in" not in text


def test_wrong_credentials_name_the_two_settings(start_bot, sim):
    running = start_bot(reseller_api_key="wrong-key")
    text = running.driver.command("order example.com").text()
    assert "LogicBoxes us, in rejected the reseller id or API key (Authentication failure)" in text
    assert "check RESELLER_AUTH_USERID and RESELLER_API_KEY" in text
    assert "wrong-key" not in text
    assert sim.count("orderid", "us") == 1  # HTTP 400 with an ERROR body is an answer: not retried


@pytest.mark.parametrize("fault", ["error", "html502", "garbage"])
def test_pricing_failure_is_a_clear_sentence(slack_driver, sim, fault):
    sim.fail(None, "customer-price", fault, sticky=True)
    text = slack_driver.command("price 5 1y").text()
    assert text.startswith(":warning: LogicBoxes")


def test_bot_keeps_serving_after_failures(slack_driver, sim):
    sim.fail("us", "details", "garbage")
    sim.fail("in", "details", "garbage")
    slack_driver.command("order 84372632").text()
    assert "84372632" in slack_driver.command("order 84372632").text()


def test_odd_values_in_an_answer_do_not_break_the_card(slack_driver, sim):
    sim.orders[84372633].extra = {"creationtime": "99999999999999999999", "endtime": "soon", "emailaccounts": ""}
    sim.customer_prices["enterpriseemailus"]["email_account_ranges"]["1-5"]["add"]["forever"] = "1.00"
    text = slack_driver.command("order acme.com").text()
    assert "*Created*\nunknown" in text and "*Expires*\nunknown" in text and "*Email accounts*\n0" in text
    assert "7.50 USD" in slack_driver.command("price 5 1mo").text()  # the odd tenure key is skipped
