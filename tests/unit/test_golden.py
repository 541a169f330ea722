"""Renderers against golden Block Kit JSON: what Slack is sent for each kind of answer, from fixed
values, kept in tests/golden/ and reviewed in the diff when it changes.

Regenerate after a deliberate change to a card, then read the diff before committing:

    MAILOPS_REGENERATE_GOLDEN=1 python -m pytest tests/unit/test_golden.py
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bot.commands.table import help_for
from bot.logicboxes import Balance, Customer, DnsRecord, Order, OrderSummary, PriceBand, QueuedAction
from bot.render import (
    render_approval_outcome,
    render_approval_request,
    render_audit,
    render_cost,
    render_dns,
    render_error,
    render_history,
    render_order,
    render_quote,
    render_search,
    render_setup,
    with_share,
)
from bot.render.customers import render_balance, render_customer, render_customer_matches
from bot.render.home import render_home
from bot.usecases.customers import CustomerCard, CustomerMatches, HeldOrder
from bot.values.approvals import Approval, AuditEntry
from bot.values.intents import CustomerLookup, Search
from bot.values.results import Cost, PriceFor, Quote, SearchResult, SetupInfo
from bot.values.states import Status

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
REGENERATE = os.environ.get("MAILOPS_REGENERATE_GOLDEN") == "1"

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
AT = NOW.timestamp()
ORDER = Order(
    84372632,
    "example.com",
    "us",
    "Active",
    "enterpriseemailus",
    12,
    datetime(2025, 6, 1, tzinfo=UTC),
    datetime(2027, 6, 1, tzinfo=UTC),
    20001,
    True,
    auto_renew=False,
)
CUSTOMER = Customer(20001, "Jane Doe", "Example Inc")
SUMMARY = OrderSummary(84372632, "example.com", "us", "Active", 20001, None, datetime(2027, 6, 1, tzinfo=UTC))
PENDING = [
    QueuedAction(
        "469072640",
        84372632,
        "Renew",
        "Renewal of Enterprise Email for example.com for 12 months",
        "InvoicePaid",
        "Request will be processed in some time.",
        datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
    )
]
BAND = PriceBand(11, 15, {"add": {6: Decimal("1.350")}, "renew": {6: Decimal("1.485")}})
QUOTE = Quote(12, 6, "add", "us", BAND, Decimal("1.350"), Decimal("97.20"), "USD")
ADD_DETAILS = {
    "status": "Active",
    "accounts": 12,
    "expires": 1811980800,
    "count": 5,
    "invoice_option": "NoInvoice",
    "discount": None,
    "new_accounts": 17,
    "estimate": "40.500",
    "estimate_unit": "1.350",
    "estimate_band": "16-25",
    "estimate_accounts": 5,
    "months_left": 6,
    "estimate_basis": "months left on the order",
    "currency": "USD",
}
ACCEPTED_OUTCOME = {
    "action_status": "InvoicePaid",
    "description": "Request will be processed in some time.",
    "action": "Addition of 5 email accounts for example.com",
    "eaqid": "469072632",
    "invoice_id": None,
    "selling_amount": None,
    "currency": "USD",
    "customer_cost": None,
    "answer_shape": "action",
}


def _approval(status: Status, **changes: Any) -> Approval:
    values: dict[str, Any] = dict(
        id="a1b2c3d4e5f60718",
        kind="add-accounts",
        order_id=84372632,
        domain="example.com",
        region="us",
        details=ADD_DETAILS,
        requester="U0AGENT",
        status=status,
        created_at=AT - 600,
        expires_at=AT + 1200,
        channel="C0SUPPORT",
        message_ts="1764676800.000100",
        reason="new hires",
    )
    values.update(changes)
    return Approval(**values)


def _as_json(rendered: Any) -> dict[str, Any]:
    return rendered.as_kwargs() if hasattr(rendered, "as_kwargs") else rendered.to_dict()


CASES: dict[str, Callable[[], Any]] = {
    "order_card": lambda: with_share(
        render_order(ORDER, NOW, CUSTOMER, PENDING), "order 84372632", check_order=84372632, customer_id=20001
    ),
    "customer_card": lambda: render_customer(
        CustomerCard(
            Customer(20001, "Jane Doe", "Example Inc", "Active", datetime(2017, 11, 8, tzinfo=UTC)),
            CustomerLookup(login="jane@example.com"),
            [
                HeldOrder(SUMMARY, ORDER, PENDING),
                HeldOrder(
                    OrderSummary(84372650, "example.in", "in", "Active", 20001, None, datetime(2027, 1, 5, tzinfo=UTC)),
                    None,
                    "could not be read (timed out)",
                ),
            ],
            12,
        ),
        NOW,
    ),
    "customer_without_orders": lambda: render_customer(
        CustomerCard(Customer(20103, "Customer 3", "Company 3", "Suspended"), CustomerLookup(customer_id=20103), [], 0),
        NOW,
    ),
    "customer_matches": lambda: render_customer_matches(
        CustomerMatches(
            CustomerLookup(text="north"),
            [Customer(20101, "Maria Lopez", "Northwind Traders", "Active"), Customer(20107, "Ops", "Northwind Labs")],
            14,
        )
    ),
    "balance": lambda: render_balance(Balance(Decimal("1250.505"), "$"), "USD"),
    "balance_locked": lambda: render_balance(
        Balance(Decimal("900"), "$", locked=Decimal("350.5"), total=Decimal("1250.5")), "USD"
    ),
    "order_card_pending_unreadable": lambda: render_order(ORDER, NOW, CUSTOMER, "could not be read (timed out)"),
    "search_page": lambda: render_search(
        SearchResult(
            Search(statuses=("Active",), page=2),
            23,
            [OrderSummary(84372640 + n, f"domain{n}.com", "us", "Active", 20001, None, NOW) for n in range(3)],
            unavailable={"in": "timed out"},
            customers={20001: CUSTOMER},
        ),
        NOW,
    ),
    "dns": lambda: render_dns(
        ORDER,
        [
            DnsRecord("MX", "@", "mx1.us.enterprise-email.example", priority=10),
            DnsRecord("TXT", "@", "v=spf1 include:spf.us.enterprise-email.example ~all"),
            DnsRecord("CNAME", "webmail", "webmail.us.enterprise-email.example"),
        ],
    ),
    "quote": lambda: render_quote(QUOTE),
    "quote_own_price": lambda: render_quote(
        Quote(12, 6, "add", "us", BAND, Decimal("1.200"), Decimal("86.40"), "USD", price_for=PriceFor(20001, CUSTOMER))
    ),
    "cost": lambda: render_cost(
        Cost(QUOTE, Quote(12, 6, "add", "us", BAND, Decimal("0.810"), Decimal("58.32"), "USD"))
    ),
    "setup": lambda: render_setup(SetupInfo("jane@example.com", "jane", "example.com", "webmail.example.com", ORDER)),
    "history": lambda: render_history(ORDER, PENDING, more=True),
    "help": lambda: help_for(),
    "error_with_usage": lambda: render_error(
        "`order` needs a domain or an order id.", "/email order <domain | order-id>"
    ),
    "approval_request": lambda: render_approval_request(_approval(Status.PENDING), "<@U0ONCALL> <@U0LEAD>", NOW),
    "approval_accepted": lambda: render_approval_outcome(
        _approval(
            Status.ACCEPTED, decided_by="U0ONCALL", decided_at=AT - 60, accepted_at=AT - 59, outcome=ACCEPTED_OUTCOME
        ),
        NOW,
    ),
    "approval_done": lambda: render_approval_outcome(
        _approval(
            Status.DONE,
            decided_by="U0ONCALL",
            decided_at=AT - 600,
            accepted_at=AT - 599,
            finished_at=AT - 60,
            outcome={**ACCEPTED_OUTCOME, "final_status": "Success", "final_description": "Action completed"},
            confirmation="confirmed: 17 accounts",
        ),
        NOW,
    ),
    "approval_denied": lambda: render_approval_outcome(
        _approval(Status.DENIED, decided_by="U0LEAD", decided_at=AT - 30, outcome={"reason": "ask billing first"}),
        NOW,
    ),
    "audit": lambda: render_audit(
        [
            AuditEntry(AT - 60, "a1b2c3d4e5f60718", "approve", "U0ONCALL", 84372632, "example.com", {}),
            AuditEntry(
                AT - 600,
                "a1b2c3d4e5f60718",
                "request",
                "U0AGENT",
                84372632,
                "example.com",
                {"kind": "add-accounts", "reason": "new hires"},
            ),
        ]
    ),
    "home": lambda: render_home(
        [_approval(Status.PENDING)],
        [_approval(Status.ACCEPTED, id="f0e1d2c3b4a59687", outcome=ACCEPTED_OUTCOME)],
        [OrderSummary(84372633, "acme.com", "us", "Active", 20002, None, datetime(2026, 12, 14, tzinfo=UTC))],
        None,
        NOW,
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_renderer_matches_its_golden_json(name):
    rendered = json.dumps(_as_json(CASES[name]()), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    path = GOLDEN / f"{name}.json"
    if REGENERATE:
        path.write_text(rendered)
    assert path.exists(), f"no golden file for {name}: run MAILOPS_REGENERATE_GOLDEN=1 python -m pytest {__file__}"
    assert rendered == path.read_text(), f"{name} changed: regenerate (see this module's docstring) and review the diff"


def test_every_golden_file_has_a_case():
    assert {path.stem for path in GOLDEN.glob("*.json")} == set(CASES)
