"""`/email customer`: who is this, and what do they have. Over HTTP with signed requests, against
the simulator's demo book: Jane Doe (20001, login jane@example.com), Maria Lopez of Northwind
Traders (20101, login maria@northwind.example, orders in both regions, a balance), Customer 3
(20103, no order)."""

from __future__ import annotations

import json

import pytest

from bot.sandbox.simulator import SimOrder, price_table
from tests.support import buttons, shortcut, submit_view, visible_text

PERSONAL = ("maria@northwind.example", "5550100", "Private Road", "Springfield")


def test_by_login_shows_the_customer_and_every_order_in_both_regions(slack_driver, sim):
    reply = slack_driver.command("customer maria@northwind.example")
    assert reply.ack["text"] == "Looking up maria@northwind.example..."  # the ack may repeat what was typed
    card = reply.response()
    text = visible_text(card)
    assert card["response_type"] == "ephemeral"
    assert "Maria Lopez, Northwind Traders" in text and "*Customer id*\n20101" in text and "*Status*\nActive" in text
    assert "*Customer since*" in text
    held = [o for o in sim.orders.values() if o.customer_id == 20101]
    assert {o.region for o in held} == {"us", "in"}
    for order in held:
        assert f"*{order.domain}* · Active · {order.region} · `{order.order_id}` · {order.accounts} account" in text
    assert f"*{len(held)} orders*" in text and f"{sum(o.accounts for o in held)} accounts in the orders shown" in text
    assert "next expiry customer01.com" in text and "auto-renew on" in text
    assert "Pending at LogicBoxes: Renewal of Enterprise Email for customer07.com" in text
    for personal in PERSONAL:
        assert personal not in text
    assert buttons(card)["share"]["value"] == "customer 20101"  # Share carries the id, never the login
    order_details = sim.count("details", "us") + sim.count("details", "in")
    assert order_details == len(held) and sim.count("details") == len(held) + 1  # and the login's customer


def test_by_id_and_by_company_with_one_match(slack_driver):
    assert "Maria Lopez, Northwind Traders" in slack_driver.command("customer 20101").text()
    text = slack_driver.command("customer northwind trad").text()
    assert "Maria Lopez, Northwind Traders" in text and "customer01.com" in text


def test_several_matches_are_buttons_and_the_rest_are_counted(slack_driver, sim):
    for n in range(12):
        sim.add_customer(30000 + n, f"Person {n}", f"Globex Subsidiary {n}")
    card = slack_driver.command("customer globex").response()
    text = visible_text(card)
    assert "13 customers match “globex”" in text  # Hank Scorpio's Globex and the twelve
    picks = [e for b in card["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert len(picks) == 10 and all(e["action_id"] == "customer_card" for e in picks)
    assert "and 3 more: refine the search" in text
    shown = slack_driver.click("customer_card", picks[0]["value"], user="U0AGENT").response()
    assert "*Customer id*\n20003" in visible_text(shown) and "globex.com" in visible_text(shown)


def test_too_short_unknown_login_and_a_customer_without_orders(slack_driver, sim):
    short = slack_driver.command("customer ab").shown()
    assert "`ab` is too short: `customer` needs a login email, a customer id, or at least 3 characters" in short
    assert "Usage: `/email customer &lt;login email | customer id | name or company&gt; [page:&lt;N&gt;]`" in short
    assert sim.calls == []
    assert "No customer with the login nobody@nowhere.example at LogicBoxes." in (
        slack_driver.command("customer nobody@nowhere.example").text()
    )
    assert "No customer with the id 99999 at LogicBoxes." in slack_driver.command("customer 99999").text()
    assert "No customer whose name or company contains “zzzz” at LogicBoxes." in (
        slack_driver.command("customer zzzz").text()
    )
    empty = slack_driver.command("customer 20103").text()
    assert "Customer 3, Company 3" in empty and "No Enterprise Email orders." in empty


def test_a_suspended_customer_says_so(slack_driver, sim):
    sim.customers[20101]["customerstatus"] = "Suspended"
    assert "This customer is *Suspended* at LogicBoxes." in slack_driver.command("customer 20101").text()


def test_the_balance_goes_to_a_cost_viewer_privately_and_never_to_a_reader_or_a_share(slack_driver, sim):
    reader = slack_driver.command("customer 20101", user="U0AGENT")
    reader.response()
    slack_driver.command("order example.com").text()  # a later answer: the reader's had its chance
    assert len(slack_driver.slack.posts(reader.response_path)) == 1 and sim.count("customer-balance") == 0
    viewer = slack_driver.command("customer 20101", user="U0LEAD")
    card, balance = viewer.responses(2)
    assert balance["response_type"] == "ephemeral"
    assert "*Only you can see this.* Available balance: *$1,250.50*" in visible_text(balance)
    assert "1,250.50" not in visible_text(card)
    share = slack_driver.click("share", buttons(card)["share"]["value"], user="U0LEAD")
    shared, _ = share.responses(2)
    assert shared["response_type"] == "in_channel" and "Maria Lopez" in visible_text(shared)
    assert "1,250.50" not in str(slack_driver.slack.posts(share.response_path))


def test_a_large_customer_is_paged_and_details_are_read_only_for_the_page(slack_driver, sim):
    for n in range(25):
        sim.add(SimOrder(85000000 + n, f"big{n:02d}.com", "us" if n % 2 else "in", accounts=2, customer_id=20103))
    card = slack_driver.command("customer 20103").response()
    text = visible_text(card)
    assert "*25 orders*, showing 1-10" in text and "20 accounts in the orders shown" in text
    assert sim.count("details", "us") + sim.count("details", "in") == 10  # only the page shown
    page2 = slack_driver.click("next_page", buttons(card)["next_page"]["value"], user="U0AGENT").response()
    assert "*25 orders*, showing 11-20" in visible_text(page2) and "big10.com" in visible_text(page2)


def test_look_up_and_check_dns_on_each_order_and_a_customer_button_on_order_cards(slack_driver):
    card = slack_driver.command("order example.com").response()
    assert buttons(card)["customer_card"]["value"] == "customer 20001"
    customer = slack_driver.click("customer_card", "customer 20001", user="U0AGENT").response()
    assert "Jane Doe, Example Inc" in visible_text(customer)
    order_buttons = [
        e for b in customer["blocks"] if b.get("block_id", "").startswith("order-actions-") for e in b["elements"]
    ]
    assert {e["action_id"] for e in order_buttons} == {"look_up", "check_dns"}
    looked = slack_driver.click("look_up", "order 84372632", user="U0AGENT").response()
    assert "example.com · Active" in visible_text(looked)


@pytest.mark.parametrize("surface", ["command", "button"])
def test_refused_without_readers(start_bot, sim, surface):
    bot = start_bot(readers="U0AGENT")
    if surface == "command":
        refused = bot.driver.command("customer 20101", user="U0SALES").ack["text"]
    else:
        refused = visible_text(bot.driver.click("customer_card", "customer 20101", user="U0SALES").response())
    assert "You need the READERS role" in refused
    assert sim.count("details-by-id") == 0 and sim.count("search") == 0


def test_the_access_log_records_the_customer_ids_found_not_what_was_typed(bot, sim):
    bot.driver.command("customer maria@northwind.example", user="U0AGENT").text()
    bot.driver.command("customer northwind", user="U0OTHER").text()
    assert bot.bot.deps.workers.wait_idle(10)
    assert bot.bot.deps.access_log.flush(10)
    rows = bot.bot.deps.approvals.store.reads(20101, None)
    assert {row["user_id"] for row in rows} == {"U0AGENT", "U0OTHER"}
    assert all(row["command"] == "customer" and row["target"] is None for row in rows)
    assert not any("northwind" in str(row) for row in bot.bot.deps.approvals.store.reads(20101, None, 500))


def test_the_shortcut_finds_the_customer_whose_login_an_address_is(slack_driver, sim):
    text = "Hi, maria@northwind.example here: our mail stopped. Also wile@example.in says the same."
    reply = shortcut(slack_driver, text)
    first, second, third = (visible_text(a) for a in reply.responses(3))
    assert "Maria Lopez, Northwind Traders" in first and "customer01.com" in first  # northwind.example: no order
    assert "example.in · Active" in second  # the domain's own order, whose customer is Priya Raman
    assert "Wile E. Coyote, Acme Corporation" in third and "acme.com" in third  # and the login's customer
    for personal in PERSONAL:
        assert personal not in first + second + third


def test_customer_cards_count_towards_the_five_card_limit(slack_driver):
    text = "maria@northwind.example wile@example.in example.com acme.com globex.com initech.com"
    answers = shortcut(slack_driver, text).responses(6)
    assert len([a for a in answers[:5] if a["response_type"] == "ephemeral"]) == 5
    assert visible_text(answers[5]) == "and 2 more: globex.com, initech.com"


def test_search_by_a_customers_login_shows_them_by_id(slack_driver):
    card = slack_driver.command("search customer:maria@northwind.example").response()
    text = visible_text(card)
    assert "Showing 1-8 of 8 orders" in text and "customer01.com" in text
    assert "maria@northwind.example" not in text and "`/email search customer:20101 page:1`" in text
    assert buttons(card)["share"]["value"] == "search customer:20101 page:1"
    unknown = slack_driver.command("search customer:nobody@nowhere.example").text()
    assert "No customer with the login nobody@nowhere.example at LogicBoxes." in unknown


def test_price_for_a_login_uses_that_customers_own_price_and_says_whose(slack_driver, sim):
    sim.own_prices[20101] = price_table(margin=0.5)
    reply = slack_driver.command("price 12 6mo for maria@northwind.example")
    assert reply.ack["text"] == "Pricing 12 accounts for 6 months for maria@northwind.example..."
    text = reply.text()
    assert "the own price of customer 20101 (Maria Lopez, Northwind Traders)" in text
    # no login of that name: the customer of the domain's order, as `for acme.com` would
    text = slack_driver.command("price 12 6mo for billing@acme.com").text()
    assert "the own price of customer 20002 (Wile E. Coyote, Acme Corporation), order 84372633 (acme.com)" in text
    nobody = slack_driver.command("price 12 6mo for x@northwind-labs.example").text()
    assert "No customer has the login x@northwind-labs.example, and northwind-labs.example holds no" in nobody


def test_home_look_up_takes_a_customer(bot, sim):
    asked = ("Northwind", "20103", "maria@northwind.example")  # a company, a customer id, a login
    for number, typed in enumerate(asked, 1):
        _, ack = submit_view(bot.driver, "lookup_form", {"target": {"value": {"value": typed}}})
        assert ack["response_action"] == "update"
        bot.driver.slack.wait("/api/views.update", number)  # one at a time: the answers arrive in order
    company, by_id, login = (json.dumps(u) for u in bot.driver.slack.posts("/api/views.update"))
    assert "Maria Lopez, Northwind Traders" in company and "customer01.com" in company
    assert "Customer 3, Company 3" in by_id and "No Enterprise Email orders." in by_id
    assert "Maria Lopez, Northwind Traders" in login and "maria@northwind.example" not in login
