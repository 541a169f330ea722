"""Read-only commands, end to end: signed HTTP -> Bolt -> LogicBoxes simulator -> response_url."""

from __future__ import annotations

import re

from tests.support import buttons, shortcut, visible_text


def test_order_by_domain_shows_the_card(slack_driver, sim):
    reply = slack_driver.command("order Example.COM.")
    assert reply.status == 200
    assert reply.ack["text"] == "Looking up example.com..."
    card = reply.response()
    text = visible_text(card)
    for expected in (
        "example.com · Active",
        "84372632",
        "us · enterpriseemailus",
        "*Email accounts*\n12",
        "*Customer*\n20001 (Jane Doe, Example Inc)",
        "expires in 165 days",
        "*Deletion allowed*\nyes",
        "*Suspension*\nnone",
    ):
        assert expected in text
    assert re.search(r"<!date\^\d+\^\{date_short\}\|\d{4}-\d\d-\d\d UTC>", text)
    assert card["response_type"] == "ephemeral"
    assert card["text"].startswith("example.com: Active, 12 accounts")
    assert buttons(card)["share"]["value"] == "order 84372632"


def test_order_by_id_and_region_detection(slack_driver, sim):
    text = slack_driver.command("order 84372636").text()
    assert "example.in · Active" in text and "in · enterpriseemailin" in text
    assert sim.count("details", "us") == 1 and sim.count("details", "in") == 1  # both regions asked


def test_slack_escaped_links_and_idn(slack_driver):
    assert "example.com · Active" in slack_driver.command("order <http://example.com/login|example.com>").text()
    assert "xn--bcher-kva.com" in slack_driver.command("order bücher.com").text()


def test_expired_order_says_how_long_ago(slack_driver):
    text = slack_driver.command("order globex.com").text()
    assert "Suspended" in text and "expired 4 days ago" in text


def test_unknown_domain_is_not_found_in_every_region(slack_driver):
    text = slack_driver.command("order nope.org").text()
    assert "No Enterprise Email order for nope.org in us, in." in text


def test_search_pages_merge_regions(slack_driver):
    first = slack_driver.command("search").response()
    text = visible_text(first)
    assert "Showing 1-10 of 30 orders" in text
    ids = re.findall(r"`(\d{8})`", text)
    assert ids == sorted(ids) and len(ids) == 10
    assert "example.in" in text and "example.com" in text  # both regions merged
    nxt = buttons(first)["next_page"]
    assert nxt["value"] == "search page:2"
    page2 = slack_driver.click("next_page", nxt["value"], user="U0AGENT").response()
    assert "Showing 11-20 of 30 orders" in visible_text(page2)
    assert page2["replace_original"] is True


def test_search_filters(slack_driver):
    text = slack_driver.command("search status:Pending-Delete-Restorable").text()
    assert "Showing 1-1 of 1 orders" in text and "initech.com" in text
    text = slack_driver.command("search customer:20004 region:in").text()
    assert "example.in" in text and "hooli.in" in text and "example.com" not in text
    text = slack_driver.command("search expiring:14d").text()
    assert "acme.com" in text and "customer01.com" in text and "example.in" not in text


def test_search_empty_and_past_the_end(slack_driver):
    assert "No orders match" in slack_driver.command("search status:archived").text()
    assert "Page 9 is past the end" in slack_driver.command("search status:inactive page:9").text()


def test_dns_lists_records_and_zone_lines(slack_driver, sim):
    text = slack_driver.command("dns acme.com").text()
    assert "*MX* `@` → `mx1.mx.us.enterprise-email.example` (priority 10)" in text
    assert "acme.com. IN MX 10 mx1.mx.us.enterprise-email.example." in text
    assert 'acme.com. IN TXT "v=spf1 include:spf.mx.us.enterprise-email.example ~all"' in text
    assert "autodiscover.acme.com. IN CNAME autodiscover.mx.us.enterprise-email.example." in text


def test_dns_accepts_keyed_object(slack_driver, sim):
    sim.dns_as_object = True
    text = slack_driver.command("dns example.in").text()
    assert "example.in. IN MX 10 mx1.mx.in.enterprise-email.example." in text


def test_price_quote_in_channel_and_cost_only_to_viewer(slack_driver):
    reply = slack_driver.command("price 12 accounts 6mo", user="U0ONCALL")
    quote, cost = reply.responses(2)
    assert quote["response_type"] == "in_channel"
    text = visible_text(quote)
    # band 11-15 add 6mo in the simulator: 1.5 - 2*0.05 = 1.40 * 0.95 = 1.330 per account per month
    assert "*Price band*\n11-15 accounts" in text
    assert "1.33 USD per account per month" in text
    assert "95.76 USD" in text  # 1.33 x 12 x 6
    assert cost["response_type"] == "ephemeral"
    assert "Margin" in visible_text(cost) and "Only you can see this" in visible_text(cost)


def test_price_forms_and_agents_do_not_see_cost(slack_driver, bot):
    for text, total in [
        ("price 12 6", "95.76"),
        ("price 12 accounts 6 months", "95.76"),
        ("price 12 6m", "95.76"),
        ("price 12 1y", "181.44"),
        ("price 12 1 year", "181.44"),
    ]:
        reply = slack_driver.command(text)
        assert f"{total} USD" in reply.text(), text
    bot.driver.slack.wait(reply.response_path, 1)
    assert not any("Margin" in visible_text(p) for p in bot.driver.slack.posts(reply.response_path))


def test_price_renew_in_other_region_uses_number_prices(slack_driver):
    text = slack_driver.command("price 120 12 renew in").text()
    # in band 101-10000 renew: (1.2 - 10*0.05) * 1.1 = 0.77 -> 0.77 x 120 x 12 = 1108.80
    assert "101-10000 accounts" in text and "1,108.80 USD" in text and "renewal" in text


def test_price_outside_table_lists_what_is_allowed(slack_driver):
    assert "tenures (months): 1, 3, 6, 12" in slack_driver.command("price 12 2mo").text()
    assert "bands: 1-5, 6-10" in slack_driver.command("price 20000 1y").text()


def test_setup_card(slack_driver):
    text = slack_driver.command("setup Jane.Doe@Acme.com").text()
    for expected in (
        "Email: `Jane.Doe@acme.com`",
        "Server: `webmail.acme.com`",
        "Domain: `acme.com`",
        "Username: `Jane.Doe`",
        "Password: your mailbox password",
        "OXtender 2",
        "CalDAV / CardDAV",
    ):
        assert expected in text


def test_setup_for_domain_without_order(slack_driver):
    assert "no Enterprise Email order for nope.com" in slack_driver.command("setup a@nope.com").text()


def test_share_posts_the_same_card_in_channel(slack_driver):
    card = slack_driver.command("order acme.com").response()
    click = slack_driver.click("share", buttons(card)["share"]["value"], user="U0AGENT")
    shared, removed = click.responses(2)
    assert shared["response_type"] == "in_channel"
    text = visible_text(shared)
    assert "acme.com · Active" in text and "Shared by <@U0AGENT>" in text
    assert "share" not in buttons(shared)
    assert removed["delete_original"] is True  # the private copy goes: one click, one post


def test_a_share_whose_lookup_fails_stays_private(slack_driver, sim):
    sim.fail("us", "details", "html502", sticky=True)  # LogicBoxes us is down when Share is clicked
    click = slack_driver.click("share", "order 84372633", user="U0AGENT")
    failure = click.response()
    assert failure["response_type"] == "ephemeral" and failure["replace_original"] is False
    assert "us unavailable (HTTP 502 error page)" in visible_text(failure)
    assert buttons(failure) == {}  # an error carries no Share button
    assert click.driver.slack.posts(click.response_path) == [failure]


def test_help_and_unknown_subcommand(slack_driver):
    reply = slack_driver.command("")
    text = visible_text(reply.ack)
    for name in ("order", "search", "dns", "price", "setup", "delete", "add-accounts"):
        assert f"`/email {name}" in text
    assert "`/email audit" not in text  # help shows only what the asker may do: U0AGENT approves nothing
    assert "`/email audit" in visible_text(slack_driver.command("help", user="U0ONCALL").ack)
    unknown = visible_text(slack_driver.command("stauts acme.com").ack)
    assert "Unknown subcommand `stauts`" in unknown and "/email order &lt;domain | order-id&gt;" in unknown


def test_bad_input_gets_reason_and_usage(slack_driver):
    cases = {
        "order": ("needs a domain or an order id", "/email order &lt;domain | order-id&gt;"),
        "order not_a_domain": ("is not a valid domain name", "Usage"),
        "search status:stauts": ("Unknown status `stauts`", "/email search"),
        "price twelve": ("needs a number of accounts and a tenure", "/email price"),
        "price 0 6": ("must be a whole number of 1 or more", "/email price"),
        "setup jane": ("is not an email address", "/email setup"),
        "add-accounts acme.com -3": ("must be a whole number of 1 or more, not `-3`", "/email add-accounts"),
    }
    for text, (reason, usage) in cases.items():
        reply = slack_driver.command(text)
        assert reply.status == 200
        shown = visible_text(reply.ack)
        assert reason in shown and usage in shown, (text, shown)


def test_message_shortcut_looks_up_every_order_named_privately(slack_driver, sim):
    text = (
        "Customer says mail for <mailto:jane@acme.com|jane@acme.com> and <http://example.com|example.com> bounces; "
        "also globex.com, example.in, hooli.in, 84372635 and nope.org"
    )
    reply = shortcut(slack_driver, text)
    assert reply.status == 200
    answers = reply.responses(6)
    assert all(a["response_type"] == "ephemeral" for a in answers)
    cards = [visible_text(a) for a in answers[:5]]
    for domain, card in zip(["acme.com", "example.com", "globex.com", "example.in", "hooli.in"], cards, strict=True):
        assert f"{domain} · " in card and "Share in channel" in card
    assert visible_text(answers[5]) == "and 2 more: nope.org, 84372635"


def test_message_shortcut_on_a_message_without_orders(slack_driver, sim):
    reply = shortcut(slack_driver, "thanks, all good now :tada:")
    assert "I found no domain, email address or order id in that message." in reply.text()
    assert sim.calls == []
