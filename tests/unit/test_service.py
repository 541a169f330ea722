"""The read use cases as plain Python: MailService over the real client and the simulator in this
process (no sockets), with the time it reads injected. What each lookup finds, says and asks."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from bot.logicboxes import OrderNotFound
from bot.sandbox.simulator import SimOrder, demo
from bot.usecases.service import MailService
from bot.values.intents import PriceQuote, Search, SetupHelp, Target
from bot.values.results import UserError
from tests.support import in_process_client

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


@pytest.fixture
def sim():
    return demo()


@pytest.fixture
def service(sim) -> MailService:
    return MailService(in_process_client(sim), ["us", "in"], probe_threads=2, now=lambda: NOW)


def test_an_order_card_finds_the_order_in_its_own_region_with_customer_and_pending_actions(service, sim):
    eaqid = sim.queue_action(84372636, "Renew", "Renewal of example.in", "InvoicePaid")
    order, customer, pending = service.order_card(Target(domain="example.in"))
    assert (order.order_id, order.region, order.accounts) == (84372636, "in", 25)
    assert customer is not None and customer.customer_id == 20004
    assert [action.eaqid for action in pending] == [eaqid]


def test_the_region_is_remembered_so_the_next_lookup_asks_one_region(service, sim):
    service.find_order(Target(domain="example.in"))
    asked = sim.count("orderid")
    service.find_order(Target(domain="example.in"), fresh=True)
    assert sim.count("orderid") == asked + 1 and sim.count("orderid", "us") == 1


def test_not_found_only_when_every_region_answered(service, sim):
    with pytest.raises(OrderNotFound) as missing:
        service.find_order(Target(domain="nosuch.com"))
    assert missing.value.unavailable == {}
    sim.fail("in", "orderid", "html502")
    with pytest.raises(OrderNotFound) as partly:
        service.find_order(Target(domain="other.com"))
    assert set(partly.value.unavailable) == {"in"}  # said as "could not ask in", not "no such order"


def test_pending_actions_that_cannot_be_read_do_not_fail_the_card(service, sim):
    sim.fail(None, "search-current", "html502")
    order, _, pending = service.order_card(Target(order_id=84372632))
    assert order.domain == "example.com" and pending.startswith("could not be read")


def test_search_pages_through_both_regions(service, sim):
    first = service.search(Search(page=1))
    assert first.total == len(sim.orders) == 30 and len(first.orders) == 10 and first.has_next
    assert [order.order_id for order in first.orders] == sorted(order.order_id for order in first.orders)
    last = service.search(Search(page=3))
    assert last.first == 21 and not last.has_next
    india = service.search(Search(region="in"))
    assert {order.region for order in india.orders} == {"in"}
    with pytest.raises(UserError, match="not configured"):
        MailService(service.client, ["us"], probe_threads=1).search(Search(region="in"))


def test_a_quote_is_exact_and_a_customers_own_price_is_named(service, sim):
    generic = service.quote(PriceQuote(12, 6))
    assert generic.total == generic.unit_price * 12 * 6 and isinstance(generic.total, Decimal)
    assert generic.currency and generic.price_for.customer_id is None
    own = service.quote(PriceQuote(12, 6, order=Target(domain="example.com")))
    assert own.price_for.customer_id == 20001 and own.price_for.order.domain == "example.com"
    cost = service.cost(generic)
    assert cost.margin == generic.total - cost.reseller.total and cost.margin > 0


def test_history_is_newest_first_and_bounded(service, sim):
    for n in range(12):
        sim.queue_action(84372632, "Add", f"action {n}", "Success")
    order, actions, more = service.history(Target(domain="example.com"), limit=5)
    assert order.order_id == 84372632 and len(actions) == 5 and more
    added = [action.added for action in actions]
    assert added == sorted(added, reverse=True)


def test_setup_names_the_webmail_host_or_says_there_is_no_order(service, sim):
    info = service.setup(SetupHelp("jane@example.com", "jane", "example.com"))
    assert info.server.startswith("webmail.") and info.order.order_id == 84372632
    with pytest.raises(UserError, match=r"no Enterprise Email order for nosuch\.com"):
        service.setup(SetupHelp("a@nosuch.com", "a", "nosuch.com"))


def test_a_new_order_in_the_book_is_found(service, sim):
    sim.add(SimOrder(84379999, "newco.com", "us", accounts=3, customer_id=20001))
    order = service.find_order(Target(order_id=84379999))
    assert order.domain == "newco.com" and order.accounts == 3
