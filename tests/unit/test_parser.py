"""The text after `/email`, table-driven: what each line parses to, or what the error says and
which usage line goes with it. (End-to-end tests check the same answers reach Slack.)"""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.changes import KINDS
from bot.commands.table import parse, usage_of
from bot.values.intents import (
    Audit,
    Change,
    CustomerLookup,
    DnsCheck,
    DnsLookup,
    Help,
    History,
    OrderLookup,
    PriceQuote,
    Search,
    SetupHelp,
    Target,
)
from bot.values.words import MissingValues, ParseError

EXAMPLE = Target(domain="example.com")

PARSES = [
    ("", Help()),
    ("help", Help()),
    ("HELP", Help()),
    ("frobnicate x", Help(unknown="frobnicate")),
    ("order example.com", OrderLookup(EXAMPLE)),
    ("order   EXAMPLE.com  ", OrderLookup(EXAMPLE)),
    ("order 84372632", OrderLookup(Target(order_id=84372632))),
    ("order <http://example.com|example.com>", OrderLookup(EXAMPLE)),
    ("order https://Example.com/path?q=1", OrderLookup(EXAMPLE)),
    ("order bücher.com", OrderLookup(Target(domain="xn--bcher-kva.com"))),
    ("dns example.com", DnsLookup(EXAMPLE)),
    ("check example.com", DnsCheck(EXAMPLE)),
    ("check jane@example.com", DnsCheck(EXAMPLE)),
    ("check <mailto:jane@example.com|jane@example.com>", DnsCheck(EXAMPLE)),
    ("search", Search()),
    ("search status:active status:suspended", Search(statuses=("Active", "Suspended"))),
    ("search status:pending-delete-restorable", Search(statuses=("Pending Delete Restorable",))),
    ("search customer:20001 customer:20002", Search(customer_ids=(20001, 20002))),
    ("search expiring:30d region:IN page:2", Search(expiring_days=30, region="in", page=2)),
    ("price 12 accounts 6mo", PriceQuote(12, 6)),
    ("price 12 6", PriceQuote(12, 6)),
    ("price 12 1y renew in", PriceQuote(12, 12, "renew", "in")),
    ("price 12 1 year", PriceQuote(12, 12)),
    ("price 5 x 3 months", PriceQuote(5, 3)),
    ("price 12 6mo for example.com", PriceQuote(12, 6, order=EXAMPLE)),
    ("price 12 6mo customer:20001", PriceQuote(12, 6, customer_id=20001)),
    ("price 12 6mo for Jane@Example.com", PriceQuote(12, 6, login="jane@example.com")),
    (
        "search customer:jane@example.com customer:20002",
        Search(customer_ids=(20002,), customer_logins=("jane@example.com",)),
    ),
    ("setup jane@example.com", SetupHelp("jane@example.com", "jane", "example.com")),
    ("history example.com", History(EXAMPLE)),
    ("history example.com limit:50", History(EXAMPLE, 50)),
    ("customer jane@Example.com", CustomerLookup(login="jane@example.com")),
    ("customer <mailto:jane@example.com|jane@example.com>", CustomerLookup(login="jane@example.com")),
    ("customer 20101 page:2", CustomerLookup(customer_id=20101, page=2)),
    ("customer Northwind Traders", CustomerLookup(text="Northwind Traders")),
    ("audit", Audit()),
    ("audit example.com limit:5", Audit(EXAMPLE, 5)),
    ("audit example.com reads", Audit(EXAMPLE, 20, reads=True)),
]


@pytest.mark.parametrize(("text", "intent"), PARSES, ids=[text or "(empty)" for text, _ in PARSES])
def test_parses(text, intent):
    assert parse(text) == intent


REFUSED = [
    ("order", "`order` needs a domain or an order id.", "order"),
    ("order a.com b.com", "`order` needs one domain or order id, not 2 words.", "order"),
    ("order localhost", "`localhost` is not a valid domain name.", "order"),
    ("order ²", "`²` is not a valid domain name.", "order"),
    ("search foo", "`search` takes `key:value` filters, not `foo`.", "search"),
    ("search status:gone", "Unknown status `gone`", "search"),
    ("search expiring:soon", "`expiring:` takes days like `30d`, not `soon`.", "search"),
    ("search region:eu", "Unknown region `eu`; use us or in.", "search"),
    ("search page:0", "The page must be a whole number of 1 or more, not `0`.", "search"),
    ("search colour:red", "Unknown option `colour:`", "search"),
    ("price 12", "`price` needs a number of accounts and a tenure, like `12 accounts 6mo`.", "price"),
    ("price 0 6", "The number of accounts must be a whole number of 1 or more, not `0`.", "price"),
    ("price 12 6 weeks", "`price` needs a number of accounts and a tenure", "price"),
    ("price 12 6mo us for example.com", "`us` and an order do not go together", "price"),
    ("price 12 6mo for a b", "`for` takes one domain, order id, login email or `customer:<id>`.", "price"),
    ("setup example.com", "`example.com` is not an email address.", "setup"),
    ("history example.com limit:51", "The limit can be at most 50, not 51.", "history"),
    ("customer ab", "`ab` is too short: `customer` needs a login email", "customer"),
    ("customer", "`customer` needs a login email, a customer id, or at least 3 characters", "customer"),
    ("customer jane@", "`jane@` is not an email address.", "customer"),
    ("audit reads", "`audit ... reads` needs the domain or order id whose readers to list.", "audit"),
    ("add-accounts example.com 0", "must be a whole number of 1 or more", "add-accounts"),
    ("add-accounts example.com 5 discount:-1", "`discount:` takes an amount like `10` or `12.50`", "add-accounts"),
    ("renew example.com 6mo autorenew:maybe", "`autorenew:` takes `on` or `off`, not `maybe`.", "renew"),
    ("delete example.com reason:", "`reason:` needs some words after it.", "delete"),
]


@pytest.mark.parametrize(("text", "message", "subcommand"), REFUSED, ids=[text for text, _, _ in REFUSED])
def test_refused_with_what_was_wrong_and_the_usage_line(text, message, subcommand):
    with pytest.raises(ParseError) as refused:
        parse(text)
    assert message in str(refused.value)
    assert usage_of(refused.value).startswith(f"/email {subcommand}")


def test_changes_parse_to_their_kind_with_params_and_reason():
    change = parse("add-accounts example.com 5 invoice:PayInvoice discount:2.50 reason:new hires")
    assert isinstance(change, Change) and change.kind == "add-accounts" and change.target == EXAMPLE
    assert change.params.count == 5 and change.params.discount == Decimal("2.50")
    assert change.params.invoice_option == "PayInvoice"
    assert change.reason == "new hires"
    assert parse("suspend example.com reason: unpaid invoices").reason == "unpaid invoices"


def test_a_change_missing_its_values_asks_for_them_in_a_form():
    with pytest.raises(MissingValues) as missing:
        parse("renew example.com")
    assert missing.value.target == EXAMPLE and usage_of(missing.value).startswith("/email renew")


FORMS = [
    (
        "add-accounts example.com 5 invoice:PayInvoice discount:2.50",
        {"count": "5", "invoice": "PayInvoice", "discount": "2.50"},
        None,
    ),
    ("add-accounts example.com 5", {"count": "5"}, None),
    ("renew example.com 12mo autorenew:off", {"months": "12", "autorenew": "off"}, None),
    ("remove-accounts example.com 2 reason:downsizing", {"count": "2"}, "downsizing"),
    ("suspend example.com reason:unpaid", {}, "unpaid"),
    ("unsuspend example.com", {}, None),
    ("delete example.com", {}, None),
]


@pytest.mark.parametrize(("text", "values", "reason"), FORMS, ids=[text for text, _, _ in FORMS])
def test_a_form_builds_the_same_change_as_the_typed_command(text, values, reason):
    typed = parse(text)
    assert KINDS[typed.kind].from_fields(EXAMPLE, values, reason) == typed


def test_a_forms_bad_value_is_refused_like_the_typed_one():
    with pytest.raises(ParseError, match="must be a whole number of 1 or more, not `0`"):
        KINDS["add-accounts"].from_fields(EXAMPLE, {"count": "0"}, None)
    with pytest.raises(ParseError, match="needs a reason"):
        KINDS["suspend"].from_fields(EXAMPLE, {}, None)
