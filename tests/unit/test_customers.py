"""Finding a customer and what they hold, as plain Python over the simulator in this process."""

from __future__ import annotations

import pytest

from bot.logicboxes import CustomerNotFound
from bot.sandbox.simulator import demo
from bot.telemetry import trace
from bot.usecases.customers import CustomerCard, CustomerMatches, Customers
from bot.usecases.service import MailService
from bot.values.intents import CustomerLookup
from tests.support import in_process_client


@pytest.fixture
def sim():
    return demo()


@pytest.fixture
def customers(sim) -> Customers:
    return Customers(MailService(in_process_client(sim), ["us", "in"], probe_threads=2))


def test_by_login_the_card_holds_both_regions_with_details_and_totals(customers, sim):
    with trace.command_trace(30) as t:
        card = customers.lookup(CustomerLookup(login="maria@northwind.example"))
    assert isinstance(card, CustomerCard) and card.customer.customer_id == 20101
    assert {held.summary.region for held in card.orders} == {"us", "in"}
    assert all(held.order is not None for held in card.orders)
    assert card.accounts == sum(o.accounts for o in sim.orders.values() if o.customer_id == 20101)
    assert card.next_expiry.domain == "customer01.com"
    assert (None, 20101) in t.touched and all(cid == 20101 for _, cid in t.touched)


def test_a_name_matching_one_customer_is_their_card_and_several_are_matches(customers, sim):
    assert isinstance(customers.lookup(CustomerLookup(text="northwind")), CustomerCard)
    matches = customers.lookup(CustomerLookup(text="company"))
    assert isinstance(matches, CustomerMatches) and matches.total == 3
    assert [c.customer_id for c in matches.customers] == [20100, 20102, 20103]  # Company 1 is Northwind now


def test_a_name_and_a_company_that_match_the_same_customer_count_once(customers, sim):
    sim.add_customer(30001, "Acme Fan", "Fans of Acme")
    matches = customers.lookup(CustomerLookup(text="acme"))
    assert isinstance(matches, CustomerMatches)
    assert sorted(c.customer_id for c in matches.customers) == [20002, 30001] and matches.total == 2


def test_nobody_is_said_by_how_they_were_asked_for(customers):
    with pytest.raises(CustomerNotFound, match=r"with the login x@y\.example"):
        customers.lookup(CustomerLookup(login="x@y.example"))
    with pytest.raises(CustomerNotFound, match="with the id 99999"):
        customers.lookup(CustomerLookup(customer_id=99999))


def test_pending_actions_that_cannot_be_read_are_said_per_order(customers, sim):
    sim.fail(None, "search-current", "html502", sticky=True)
    card = customers.lookup(CustomerLookup(customer_id=20001))
    (held,) = card.orders
    assert held.order is not None and held.pending.startswith("could not be read")


def _book(sim, both: int, name_only: int, company_only: int) -> None:
    """Customers whose name and company both hold "quokka", or only one of them."""
    ids = iter(range(90001, 99999))
    for _ in range(both):
        sim.add_customer(next(ids), "Quokka Person", "Quokka Trading")
    for _ in range(name_only):
        sim.add_customer(next(ids), "Quokka Person", "Other Trading")
    for _ in range(company_only):
        sim.add_customer(next(ids), "Other Person", "Quokka Trading")


def test_matches_count_distinct_customers_when_name_and_company_both_match(customers, sim):
    _book(sim, both=20, name_only=5, company_only=5)  # 25 by name, 25 by company, 30 customers
    matches = customers.lookup(CustomerLookup(text="quokka"))
    assert isinstance(matches, CustomerMatches)
    assert matches.total == 30 and matches.exact and len(matches.customers) == 10


def test_matches_past_what_was_read_are_at_least(customers, sim, monkeypatch):
    import bot.usecases.customers as module

    monkeypatch.setattr(module, "COUNT_PAGES", 1)  # read one page of each search, then stop
    monkeypatch.setattr(module, "COUNT_PAGE_SIZE", 10)
    _book(sim, both=20, name_only=5, company_only=5)
    matches = customers.lookup(CustomerLookup(text="quokka"))
    assert not matches.exact and matches.total == 25  # at least the larger search's own count
