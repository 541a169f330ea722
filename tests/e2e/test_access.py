"""Who may see and do what: roles, guests and other workspaces, on every surface, refused before
LogicBoxes is asked."""

from __future__ import annotations

import json
import logging

import pytest

from tests.support import click_in_view, event, shortcut, submit_view, visible_text


@pytest.fixture
def guarded(start_bot):
    return start_bot(readers="U0AGENT,S0SUPPORT,C0SHARED", quoters="U0SALES", requesters="U0AGENT")


def test_readers_users_groups_and_channels(guarded, sim, slack, caplog):
    caplog.set_level(logging.INFO)
    slack.groups["S0SUPPORT"] = ["U0MEMBER"]
    assert "example.com · Active" in guarded.driver.command("order example.com", user="U0AGENT").text()
    assert "example.com · Active" in guarded.driver.command("order example.com", user="U0MEMBER").text()
    in_channel = guarded.driver.command("order example.com", user="U0PASSERBY", channel="C0SHARED")
    assert "example.com · Active" in in_channel.text()  # anyone asking in a listed channel
    calls = len(sim.calls)
    refused = guarded.driver.command("order example.com", user="U0PASSERBY", channel="C0OTHER")
    assert refused.ack["text"] == ("You need the READERS role to look up orders: ask an admin to add you to READERS.")
    assert len(sim.calls) == calls  # LogicBoxes was not asked
    assert "refused user=U0PASSERBY" in caplog.text and "why=READERS" in caplog.text


def test_quoters_and_requesters(guarded, sim):
    refused = guarded.driver.command("price 12 6", user="U0AGENT").ack["text"]
    assert refused == "You need the QUOTERS role to quote prices: ask an admin to add you to QUOTERS."
    assert "USD" in guarded.driver.command("price 12 6", user="U0SALES").text()
    refused = guarded.driver.command("renew acme.com 12mo", user="U0SALES").ack["text"]
    assert "REQUESTERS role to ask for changes" in refused
    assert guarded.driver.command("renew acme.com", user="U0SALES").ack["text"].startswith("You need the REQUESTERS")
    assert guarded.driver.slack.posts("/api/views.open") == []  # no form for someone who may not ask


def test_help_shows_only_what_the_asker_may_do(guarded):
    sales = visible_text(guarded.driver.command("help", user="U0SALES").ack)
    assert "`/email price" in sales and "`/email order" not in sales and "`/email renew" not in sales
    agent = visible_text(guarded.driver.command("help", user="U0AGENT").ack)
    assert "`/email order" in agent and "`/email renew" in agent and "`/email price" not in agent


def test_guests_refused_unless_allowed(start_bot, sim, slack):
    slack.guests.add("U0GUEST")
    bot = start_bot()
    ack = bot.driver.command("order example.com", user="U0GUEST").ack["text"]
    assert ack == "Guests cannot use mailops here (ask an admin about ALLOW_GUESTS)." and sim.calls == []
    event(bot.driver, "event_app_home_opened", user="U0GUEST", tab="home")  # their tab says why, nothing more
    bot.driver.slack.wait_until(lambda: bot.driver.slack.posts("/api/views.publish"), what="the Home tab")
    home = json.dumps(bot.driver.slack.posts("/api/views.publish")[0]["view"])
    assert "Guests cannot use mailops here" in home and "home_lookup" not in home and sim.calls == []
    welcoming = start_bot(allow_guests=True)
    assert "example.com · Active" in welcoming.driver.command("order example.com", user="U0GUEST").text()


@pytest.mark.parametrize(
    "slack_says",
    [
        {"team_id": "T2", "is_stranger": True},  # a Slack Connect partner in a shared channel
        {"team_id": "T2"},  # another workspace, whatever the payload names
    ],
)
def test_people_of_another_workspace_are_refused_on_every_surface_whatever_the_payload_says(
    bot, sim, slack, slack_says
):
    from tests.support import approval_id, request

    message, _ = request(bot.driver, "delete acme.com")
    calls = len(sim.calls)
    slack.people["U0PARTNER"] = slack_says  # every payload below names the host's team, T1
    outside = "only people of the workspace it is installed in"
    assert outside in bot.driver.command("order example.com", user="U0PARTNER").ack["text"]
    assert outside in bot.driver.click("approve", approval_id(message), user="U0PARTNER").text()
    assert outside in shortcut(bot.driver, "example.com", user="U0PARTNER").text()
    _, ack = submit_view(bot.driver, "lookup_form", {"target": {"value": {"value": "example.com"}}}, user="U0PARTNER")
    assert ack["response_action"] == "update" and outside in json.dumps(ack["view"])
    click_in_view(bot.driver, "home_lookup", "lookup", user="U0PARTNER")
    event(bot.driver, "event_app_home_opened", user="U0PARTNER", tab="home")
    assert len(sim.calls) == calls and bot.driver.slack.posts("/api/views.publish") == []
    assert bot.driver.slack.posts("/api/views.open") == []
    assert bot.bot.deps.approvals.store.get(approval_id(message))["status"] == "pending"


def test_when_slack_cannot_say_who_someone_is_they_are_refused_on_every_surface(bot, sim, slack):
    slack.unknown_people.add("U0AGENT")
    refused = bot.driver.command("order example.com", user="U0AGENT").ack["text"]
    assert refused == "Could not confirm your account with Slack; try again." and sim.calls == []
    assert "Could not confirm your account" in shortcut(bot.driver, "example.com", user="U0AGENT").text()
    assert "Could not confirm your account" in bot.driver.click("share", "order 84372632", user="U0AGENT").text()
    event(bot.driver, "event_app_home_opened", user="U0AGENT", tab="home")
    bot.driver.slack.wait_until(lambda: bot.driver.slack.posts("/api/views.publish"), what="the Home tab")
    home = json.dumps(bot.driver.slack.posts("/api/views.publish")[0]["view"])
    assert "Could not confirm your account with Slack; try again." in home and "home_lookup" not in home
    assert sim.calls == []
    slack.unknown_people.clear()  # Slack answers again: so does the bot (failures are not cached)
    assert "example.com · Active" in bot.driver.command("order example.com", user="U0AGENT").text()


def test_what_slack_says_of_someone_is_kept_minutes_for_lookups_and_seconds_for_decisions(start_bot, sim, slack, clock):
    from tests.support import approval_id, request

    bot = start_bot(clock=clock)
    asked = lambda user: len([p for p in slack.posts("/api/users.info") if p.get("user") == user])
    message, _ = request(bot.driver, "delete acme.com")
    assert "example.com · Active" in bot.driver.command("order example.com", user="U0LEAD").text()
    assert "acme.com · Active" in bot.driver.command("order acme.com", user="U0LEAD").text()
    assert asked("U0LEAD") == 1  # one users.info for both lookups
    slack.people["U0LEAD"] = {"is_restricted": True}  # the approver became a guest
    clock.advance(6)
    assert "example.com · Active" in bot.driver.command("order example.com", user="U0LEAD").text()  # minutes
    refused = bot.driver.click("approve", approval_id(message), user="U0LEAD")
    assert "Guests cannot use mailops here" in refused.text()  # a decision asks Slack again past 5 s
    assert asked("U0LEAD") == 2 and bot.bot.deps.approvals.store.get(approval_id(message))["status"] == "pending"
    clock.advance(300)
    assert "Guests cannot use mailops" in bot.driver.command("order example.com", user="U0LEAD").ack["text"]


def test_home_tab_without_reading_rights_shows_no_orders(guarded, sim):
    event(guarded.driver, "event_app_home_opened", user="U0SALES", tab="home")
    guarded.driver.slack.wait_until(lambda: guarded.driver.slack.posts("/api/views.publish"), what="the Home tab")
    view = guarded.driver.slack.posts("/api/views.publish")[0]["view"]
    view = json.loads(view) if isinstance(view, str) else view
    text = json.dumps(view)
    assert "home_quote" in text and "home_lookup" not in text and "Expiring" not in text
    assert sim.count("search") == 0


def test_the_access_log_and_audit_reads(bot, sim):
    bot.driver.command("order acme.com", user="U0AGENT").text()
    bot.driver.command("dns 84372633", user="U0OTHER").text()
    bot.driver.command("order example.com", user="U0AGENT").text()  # another customer's order
    assert bot.bot.deps.workers.wait_idle(10)
    refused = bot.driver.command("audit acme.com reads", user="U0AGENT").shown()  # in the ack
    assert "Only approvers can read the audit log" in refused
    text = bot.driver.command("audit acme.com reads", user="U0LEAD").text()
    assert "Who looked at customer 20002's orders" in text
    assert "<@U0AGENT> · `order` acme.com · order `84372633` · ok" in text
    assert "<@U0OTHER> · `dns` 84372633 · order `84372633` · ok" in text
    assert "example.com" not in text  # customer 20001's order is not theirs


def test_roles_hold_on_buttons_forms_and_the_shortcut(guarded, sim):
    calls = len(sim.calls)
    share = guarded.driver.click("share", "order 84372633", user="U0PASSERBY", channel="C0OTHER")
    assert "You need the READERS role" in share.text()
    ask = guarded.driver.click("request_change", "add-accounts 84372633 5", user="U0SALES")
    assert "You need the REQUESTERS role" in ask.text()
    _, ack = submit_view(guarded.driver, "quote_form", {}, user="U0AGENT")
    assert ack["response_action"] == "update" and "QUOTERS role" in json.dumps(ack["view"])
    _, ack = submit_view(guarded.driver, "change_form", {}, user="U0SALES", metadata='{"kind": "renew"}')
    assert "REQUESTERS role" in json.dumps(ack["view"])
    assert "You need the READERS role" in shortcut(guarded.driver, "acme.com", user="U0SALES").text()
    assert len(sim.calls) == calls  # LogicBoxes asked nothing


@pytest.mark.parametrize(
    ("action", "value"),
    [
        ("share", "price 12 accounts 6mo for acme.com"),  # a customer's own price, into the channel
        ("share", "audit"),
        ("share", "delete acme.com"),
        ("share", "help"),
        ("share", "<<not a command>>"),
        ("next_page", "order acme.com"),
        ("next_page", "price 5 12"),
        ("check_dns", "price 5 12"),
        ("check_dns", "audit acme.com"),
    ],
)
def test_buttons_carry_untrusted_text_and_only_shareable_answers_are_shared(guarded, sim, action, value):
    reply = guarded.driver.click(action, value, user="U0AGENT")  # a reader, not a quoter or approver
    assert reply.text() == "This answer cannot be shared."
    assert sim.calls == [] and guarded.driver.slack.posts("/api/chat.postMessage") == []
    assert all(p.get("response_type") != "in_channel" for p in guarded.driver.slack.posts(reply.response_path))


def test_share_and_next_page_need_the_role_of_the_command_they_carry(guarded, sim):
    for action, value in (("share", "order 84372633"), ("next_page", "search page:2"), ("check_dns", "check 1")):
        refused = guarded.driver.click(action, value, user="U0SALES")  # a quoter, not a reader
        assert refused.text() == "You need the READERS role to look up orders: ask an admin to add you to READERS."
    assert sim.calls == []
    shared = guarded.driver.click("share", "order 84372633", user="U0AGENT")
    assert "acme.com · Active" in visible_text(shared.response())  # a reader shares a lookup
