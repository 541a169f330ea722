"""Right against the real LogicBoxes, end to end: the recorded answer shapes served by the
simulator, through the real Bolt app over signed HTTP, asserting what people see."""

from __future__ import annotations

import json

import pytest

from bot.sandbox.simulator import SimOrder, price_table
from tests.support import approval_id, buttons, free_port, request, visible_text

# ---------------------------------------------------------------- money: cost, margin, own prices


def test_cost_and_margin_come_from_the_cost_price_list(slack_driver, sim):
    quote, cost = slack_driver.command("price 12 accounts 6mo", user="U0ONCALL").responses(2)
    assert "95.76 USD" in visible_text(quote) and "the generic customer price list" in visible_text(quote)
    text = visible_text(cost)
    # cost list (0.6 x): band 11-15 add 6 months = (1.5 - 2 x 0.05) x 0.6 x 0.95 = 0.798
    assert "*Reseller unit cost*\n0.798 USD per account per month" in text
    assert "*Reseller cost*\n57.46 USD" in text and "*Margin*\n38.30 USD" in text  # 95.76 - 57.456
    assert "Cost from the reseller cost price list" in text
    assert cost["response_type"] == "ephemeral" and quote["response_type"] == "in_channel"
    assert sim.count("reseller-cost-price") == 1 and sim.count("reseller-price") == 0  # never the sub-reseller list


def test_a_cost_list_without_enterprise_email_says_so(slack_driver, sim):
    sim.cost_prices = {"domcno": {"addnewdomain": {"1": "8.50"}}}
    quote, cost = slack_driver.command("price 12 6", user="U0ONCALL").responses(2)
    assert "95.76 USD" in visible_text(quote)  # the quote stands
    assert (
        "Reseller cost unavailable: LogicBoxes' reseller cost price list has no Enterprise Email prices for "
        "enterpriseemailus." in visible_text(cost)
    )
    assert "Margin" not in visible_text(cost)


def test_a_quote_for_an_order_uses_its_customers_own_price(slack_driver, sim):
    reply = slack_driver.command("price 12 accounts 6mo for acme.com", user="U0ONCALL")
    assert reply.ack["text"] == "Pricing 12 accounts for 6 months for acme.com..."
    quote, cost = reply.responses(2)
    text = visible_text(quote)
    # Acme's customer 20002 has an own price, 0.9 x the generic one: 1.4 x 0.9 x 0.95 = 1.197
    assert "1.197 USD per account per month" in text and "86.18 USD" in text
    assert "the own price of customer 20002 (Wile E. Coyote, Acme Corporation), order 84372633 (acme.com)" in text
    assert "*Margin*\n28.73 USD" in visible_text(cost)  # 86.184 - 57.456
    call = next(c for c in sim.calls if c.name == "customer-price")
    assert call.params["customer-id"] == ["20002"]


def test_a_quote_for_an_order_is_priced_in_the_orders_region(slack_driver, sim):
    text = slack_driver.command("price 12 6 renew for 84372636").text()
    # example.in lives in `in`; customer 20004 has no own price, so LogicBoxes answers the generic one:
    # in band 11-15 renew: (1.2 - 0.1) x 1.1 = 1.21 -> 1.21 x 12 x 6 = 87.12
    assert "*Region*\nin" in text and "87.12 USD" in text and "customer 20004 (Priya Raman" in text


def test_a_quote_for_a_customer_id(slack_driver, sim):
    text = slack_driver.command("price 12 6 customer:20002").text()
    assert "86.18 USD" in text and "the own price of customer 20002 (Wile E. Coyote, Acme Corporation)" in text
    assert "order" not in text.split("*Price*")[1].split("\n")[1]


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("price 12 6 for nope.com", "No Enterprise Email order for nope.com in us, in."),
        ("price 12 6 in for acme.com", "an order is priced in its own region"),
        ("price 12 6 for", "`for` takes one domain, order id, login email or `customer:<id>`"),
        ("price 12 6 customer:abc", "A customer id must be a whole number"),
    ],
)
def test_quote_for_someone_refusals(slack_driver, text, shown):
    answer = slack_driver.command(text).shown()
    assert shown.replace("<", "&lt;").replace(">", "&gt;") in answer or shown in answer


# ---------------------------------------------------------------- every answer shape of a change


ACCEPTED = "accepted by LogicBoxes, being processed"


@pytest.mark.parametrize(
    ("option", "state", "expected"),
    [
        (
            "NoInvoice",
            ACCEPTED,
            ["*Action status*\nInvoicePaid", "*Description*\nRequest will be processed in some time."],
        ),
        ("PayInvoice", ACCEPTED, ["*Action status*\nInvoicePaid", "*Invoice*\n78072633", "*Amount billed*\n45.00 USD"]),
        (
            "KeepInvoice",
            ACCEPTED,
            ["*Action status*\nPendingExecution", "*Invoice*\n78072633", "*Amount billed*\n45.00 USD"],
        ),
        (
            "OnlyAdd",
            ACCEPTED,
            ["*Action status*\nnot given", "*Customer cost*\n45.00 USD", "Waiting for payment of invoice 78072633."],
        ),
    ],
)
def test_each_invoice_options_outcome_card(bot, sim, option, state, expected):
    """Only Success is done: InvoicePaid, PendingExecution and OnlyAdd's short map are accepted."""
    message, _ = request(bot.driver, f"add-accounts acme.com 5 invoice:{option}")
    bot.driver.click("approve", approval_id(message), user="U0LEAD")
    (update,) = bot.driver.slack.wait_outcomes(1)
    text = visible_text(update)
    assert f"Add accounts to acme.com: {state}" in text and "*eaqid*\n469072633" in text
    for line in expected:
        assert line in text, (option, line, text)
    assert buttons(update) == {}
    thread = bot.driver.slack.wait("/api/chat.postMessage", 2)[1]
    assert thread["thread_ts"] and state in thread["text"]
    execute = bot.bot.deps.approvals.store.recent(1)[0]
    assert execute.action == "execute" and execute.detail["result"] == "accepted"
    assert sim.orders[84372633].accounts == 40  # accepted is not done: LogicBoxes adds them when it runs the action
    sim.finish_action(execute.detail["eaqid"])
    assert sim.orders[84372633].accounts == 45


def test_a_nested_failed_is_shown_as_failed_with_its_reason(bot, sim):
    sim.fail("us", "add-email-account", "failed")
    message, _ = request(bot.driver, "add-accounts acme.com 5 invoice:PayInvoice")
    bot.driver.click("approve", approval_id(message), user="U0LEAD")
    text = visible_text(bot.driver.slack.wait_outcomes(1)[0])
    assert "approved but failed" in text and "approved and done" not in text
    assert "LogicBoxes reports the change failed: Insufficient funds in the customer's account" in text
    assert "*Action status*\nFailed" in text and "*Invoice*\n78072633" in text
    assert bot.bot.deps.approvals.store.recent(1)[0].detail["result"] == "failed"
    assert sim.orders[84372633].accounts == 40


def test_a_malformed_answer_is_still_recorded_and_shown(bot, sim, monkeypatch):
    original = sim._add

    def odd(order, count, invoice, discount):
        original(order, count, invoice, discount)
        body = {"78000001": {"actionstatus": ["?"], "sellingamount": "lots", "sellingcurrencysymbol": {"x": 1}}}
        return 200, "application/json", json.dumps(body)

    monkeypatch.setattr(sim, "_add", odd)
    message, _ = request(bot.driver, "add-accounts acme.com 5 invoice:PayInvoice")
    bot.driver.click("approve", approval_id(message), user="U0LEAD")
    update = bot.driver.slack.wait_outcomes(1)[0]
    text = visible_text(update)
    assert ACCEPTED in text and "*Action status*\nnot given" in text  # no readable Success: not done
    assert "*Amount billed*\nnot given" in text and "*Invoice*\n78000001" in text
    assert buttons(update) == {}


# ---------------------------------------------------------------- errors named right


def test_an_error_labelled_html_is_an_answer_asked_once_per_region(slack_driver, sim):
    sim.fail("us", "details", "error_html")
    sim.fail("in", "details", "error_html")
    text = slack_driver.command("order 84372632").text()
    assert "Internal error, please try later" in text
    assert sim.count("details", "us") == 1 and sim.count("details", "in") == 1


def test_a_refused_connection_names_the_whitelist(start_bot):
    dead = start_bot(reseller_api_url=f"http://127.0.0.1:{free_port()}/api")
    text = dead.driver.command("order example.com").text()
    assert (
        "LogicBoxes us, in: could not connect (connection refused); if the address is right, this server's IP" in text
    )
    assert "may not be whitelisted: add this server's public IP address under Settings &gt; API" in text


def test_a_trickling_answer_is_bounded_by_the_command_deadline(start_bot, sim):
    running = start_bot(command_deadline=1.5, read_timeout=1.0)
    sim.fail("us", "dns-record", "trickle", sticky=True)  # a byte every 0.2 s: 80 s for the whole answer
    text = running.driver.command("dns acme.com").text(timeout=10)
    assert "LogicBoxes us timed out" in text
    assert "example.com · Active" in running.driver.command("order example.com").text()


def test_an_answer_over_the_size_cap_is_refused_unread(slack_driver, sim):
    sim.fail(None, "customer-price", "huge")
    text = slack_driver.command("price 5 1y").text()
    assert "LogicBoxes (prices) sent an unreadable answer (an answer of 30,000,000 bytes" in text


def test_a_region_recovers_after_a_garbage_half_open_trial(start_bot, sim):
    running = start_bot(breaker_failures=1, breaker_reset=30, retries=0, reseller_regions="us")
    breaker = running.bot.deps.service.client.breakers["us"]
    now = [1000.0]
    breaker.clock = lambda: now[0]
    sim.fail("us", "details", "html502")
    assert "HTTP 502 error page" in running.driver.command("order 84372632").text()
    assert "not responding; retrying in 30s" in running.driver.command("order 84372632").text()
    now[0] += 31
    sim.fail("us", "details", "deep")  # the half-open trial gets 100,000 levels of nesting
    assert "unreadable answer (JSON nested too deeply)" in running.driver.command("order 84372632").text()
    assert "example.com · Active" in running.driver.command("order 84372632").text()
    assert breaker.state == "closed"


# ---------------------------------------------------------------- types, regions, paging


def test_the_region_is_the_orders_product_key(slack_driver, sim):
    sim.cross_region = True  # the us path answers for an in order too
    text = slack_driver.command("order example.in").text()
    assert "in · enterpriseemailin" in text
    slack_driver.command("dns example.in").text()
    assert sim.count("dns-record", "in") == 1 and sim.count("dns-record", "us") == 0


def test_deep_pages_are_reached_without_asking_for_more_than_500(slack_driver, sim):
    for i in range(2000):
        sim.add(SimOrder(90000000 + i, f"bulk{i}.com", "us", customer_id=20001))
    assert "Showing 1991-2000 of 2016 orders" in slack_driver.command("search region:us page:200").text()
    call = [c for c in sim.calls if c.name == "search"][-1]
    assert call.params["page-no"] == ["200"] and call.params["no-of-records"] == ["10"]
    assert "Showing 1491-1500 of 2030 orders" in slack_driver.command("search page:150").text()
    sizes = [int(c.params["no-of-records"][0]) for c in sim.calls if c.name == "search"]
    assert max(sizes) == 500
    past = slack_driver.command("search page:204").text()
    assert "Page 204 is past the end: 2030 orders match, 10 per page (the last page is 203)." in past


# ---------------------------------------------------------------- customers by name


def test_search_rows_name_the_customer_and_nothing_personal(slack_driver, sim):
    text = slack_driver.command("search customer:20004 region:in").text()
    assert "customer 20004 (Priya Raman, Example India Pvt Ltd)" in text
    for personal in ("c20004@mail.example", "5550100", "Private Road"):
        assert personal not in text
    assert sim.count("details-by-id") == 1  # one customer, asked once


def test_a_customer_lookup_that_fails_leaves_the_id_alone(slack_driver, sim):
    sim.fail(None, "details-by-id", "html502", sticky=True)
    text = slack_driver.command("order example.com").text()
    assert "example.com · Active" in text and "*Customer*\n20001\n" in text


# ---------------------------------------------------------------- upstream text is escaped


def test_upstream_markup_never_notifies_a_channel(bot, sim):
    sim.orders[84372633].extra = {"domainname": "acme.com <!channel>", "currentstatus": "Active <!here>"}
    card = bot.driver.command("order 84372633").response()
    raw = json.dumps(card)
    assert "<!channel>" not in raw and "<!here>" not in raw
    assert "acme.com &lt;!channel&gt;" in visible_text(card) and "&lt;!channel&gt;" in card["text"]
    message, _ = request(bot.driver, "delete 84372633")
    assert "<!channel>" not in json.dumps(message) and "&lt;!channel&gt;" in message["text"]
    sim.customers[20002]["name"] = "<!everyone> Coyote"
    bot.bot.deps.service.client._customers.drop(lambda key: True)
    quote = bot.driver.command("price 5 1y for customer:20002").response()
    assert "<!everyone>" not in json.dumps(quote) and "&lt;!everyone&gt; Coyote" in visible_text(quote)


def test_prices_served_as_numbers_or_strings_give_the_same_quote(slack_driver, sim):
    table = price_table()
    for band in table["enterpriseemailus"]["email_account_ranges"].values():
        band["add"] = {months: float(price) for months, price in band["add"].items()}
    sim.customer_prices = table
    assert "95.76 USD" in slack_driver.command("price 12 accounts 6mo").text()


# ---------------------------------------------------------------- the action queue


@pytest.mark.parametrize("style", ["search", "map", "list"])
def test_the_action_queue_as_the_simulator_serves_it_in_each_nesting(bot, sim, style):
    """Every change LogicBoxes answers is in its queue, whoever made it; the client reads it by
    eaqid or order, pending (search-current) or finished (search-archived), in any nesting."""
    sim.actions_style = style
    client = bot.bot.deps.service.client
    client.suspend("us", 84372633, "test")  # answered Success: in the archive at once
    panel = sim.queue_action(84372633, "Renew", "Renewal for 12 months", "InvoicePaid", "Request will be processed")
    pending = client.actions(order_ids=[84372633]).actions
    assert [(a.eaqid, a.kind, a.status, a.finished) for a in pending] == [(panel, "Renew", "InvoicePaid", False)]
    (added,) = client.actions(finished=True, order_ids=[84372633]).actions
    assert added.eaqid == "469072633" and added.done and added.kind == "Suspend"
    sim.finish_action(panel, "Failed", "Insufficient funds")
    assert client.actions(eaqids=[panel]).actions == []
    (failed,) = client.actions(finished=True, eaqids=[panel]).actions
    assert failed.failed and failed.status_description == "Insufficient funds" and failed.completed is not None
    call = [c for c in sim.calls if c.name == "search-archived"][-1]
    assert call.params["eaq-id"] == [panel] and call.method == "GET"


def test_only_add_waits_for_payment_in_the_queue(bot, sim):
    client = bot.bot.deps.service.client
    result = client.add_accounts("us", 84372632, 3, "OnlyAdd")
    (waiting,) = client.actions(eaqids=[result.eaqid]).actions
    assert waiting.waiting_for_payment and f"invoice {result.invoice_id}" in (waiting.status_description or "")
