"""What LogicBoxes answers, as small frozen dataclasses: the rest of the bot reads attributes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Order:
    order_id: int
    domain: str
    region: str  # from the order's productkey, never from the path that answered
    status: str
    product: str
    accounts: int
    created: datetime | None
    expires: datetime | None
    customer_id: int | None
    allow_deletion: bool
    suspended_upon_expiry: bool = False
    suspended_by_parent: bool = False
    auto_renew: bool | None = None  # details.json `recurring`; None: LogicBoxes did not say


@dataclass(frozen=True)
class OrderSummary:
    order_id: int
    domain: str
    region: str
    status: str
    customer_id: int | None
    created: datetime | None
    expires: datetime | None


@dataclass(frozen=True)
class SearchPage:
    total: int  # every matching order in the region (recsindb), not just this page
    orders: list[OrderSummary]


@dataclass(frozen=True)
class DnsRecord:
    type: str
    host: str
    value: str
    record_class: str = "IN"
    priority: int | None = None
    ttl: int | None = None


@dataclass(frozen=True)
class CustomerPage:
    """One page of customers/search.json: `total` is every match (recsindb), not just this page."""

    total: int
    customers: list[Customer]


@dataclass(frozen=True)
class Balance:
    """billing/customer-balance.json, in the customer's selling currency (documented, not recorded),
    each amount under LogicBoxes' own name (KB 872) and as given, never computed from the others:
    available (sellingcurrencybalance), locked (sellingcurrencylockedbalance), total
    (totalsellingbalance). `symbol` is LogicBoxes' currencysymbol when it gives one."""

    available: Decimal | None
    symbol: str | None = None
    locked: Decimal | None = None
    total: Decimal | None = None


@dataclass(frozen=True)
class Customer:
    """Who a customer is to support and sales. Address, phone and email are never kept."""

    customer_id: int
    name: str
    company: str
    status: str | None = None  # customerstatus: Active, Suspended, Deleted
    since: datetime | None = None  # creationdt: a customer since

    @property
    def display(self) -> str:
        """ "Jane Doe, Acme Ltd", or whichever of the two LogicBoxes gave."""
        company = "" if self.company.strip().upper() in ("", "N A", "NA", "N/A") else self.company.strip()
        return ", ".join(part for part in (self.name.strip(), company) if part)


@dataclass(frozen=True)
class PriceBand:
    low: int
    high: int
    prices: dict[str, dict[int, Decimal]]  # action ("add"/"renew") -> months -> unit price

    @property
    def label(self) -> str:
        return f"{self.low}-{self.high}"


@dataclass(frozen=True)
class PriceTable:
    product_key: str
    bands: list[PriceBand]

    @property
    def region(self) -> str:
        return self.product_key.removeprefix("enterpriseemail")

    def band_for(self, accounts: int) -> PriceBand | None:
        return next((band for band in self.bands if band.low <= accounts <= band.high), None)

    def tenures(self, action: str) -> list[int]:
        return sorted({months for band in self.bands for months in band.prices.get(action, {})})


@dataclass(frozen=True)
class ActionResult:
    """What LogicBoxes said about a change. Every field may be missing or malformed on the wire:
    None means "not given", and the outcome is still recorded and shown."""

    failed: bool
    status: str | None = None  # actionstatus: InvoicePaid, ExecutionStarted, Success, Failed...
    description: str | None = None  # actionstatusdesc
    action: str | None = None  # actiontypedesc, else actiontype
    eaqid: str | None = None
    invoice_id: str | None = None
    selling_amount: Decimal | None = None  # negative when the customer's account was debited
    currency: str | None = None  # sellingcurrencysymbol: a code (GBP) or a symbol (£)
    customer_cost: Decimal | None = None  # OnlyAdd: what the invoice will ask of the customer
    shape: str = "action"  # action | invoice (nested under the invoice id) | only-add | unknown
    raw: Any = field(default=None, compare=False, repr=False)  # the answer as decoded, kept for the audit log

    @property
    def done(self) -> bool:
        """Only `Success` is done; InvoicePaid, ExecutionStarted, PendingExecution and statuses not
        seen yet mean LogicBoxes accepted the work and will run it later (and it may still fail)."""
        return (self.status or "").strip().lower() == "success" and not self.failed


_PAYMENT = re.compile(r"payment|fund|unpaid|balance", re.IGNORECASE)


def speaks_of_payment(*said: str | None) -> bool:
    """Does LogicBoxes' status or description of an unfinished action speak of payment or funds?
    One rule for the action queue and for a change's own answer."""
    return bool(_PAYMENT.search(" ".join(text or "" for text in said)))


@dataclass(frozen=True)
class QueuedAction:
    """One entry of LogicBoxes' action queue (actions/search-current.json, search-archived.json):
    every change to an order, whoever started it (the bot, the control panel, an integration)."""

    eaqid: str
    order_id: int | None = None  # entityid
    kind: str | None = None  # actiontype: Renew, AddEmailAccount...
    description: str | None = None  # actiontypedesc
    status: str | None = None  # actionstatus: only Success is done and Failed failed
    status_description: str | None = None  # actionstatusdesc
    added: datetime | None = None
    started: datetime | None = None
    completed: datetime | None = None
    entity_type: str | None = None  # entitytypeid: which product the action is about (the queue is account-wide)

    @property
    def done(self) -> bool:
        return (self.status or "").strip().lower() == "success"

    @property
    def failed(self) -> bool:
        return (self.status or "").strip().lower() == "failed"

    @property
    def finished(self) -> bool:
        """Not pending: Success, Failed, or LogicBoxes set `actioncompleted` (finished rows may stay
        in search-current for a while: a public client reads a failed transfer's reason there)."""
        return self.done or self.failed or self.completed is not None

    @property
    def waiting_for_payment(self) -> bool:
        """Unfinished, and its status or description speaks of payment or funds (an unpaid
        invoice holds it). A Failed action is failed, whatever its description says."""
        return not self.finished and speaks_of_payment(self.status, self.status_description)


def describe_action(action: QueuedAction) -> str:
    """ "Renewal of ... (InvoicePaid since 2026-12-01)", "... waiting for payment (...)": how a
    pending action is named to people (plain text: the caller escapes it)."""
    what = action.description or action.kind or f"action {action.eaqid}"
    since = f" since {action.added:%Y-%m-%d %H:%M} UTC" if action.added else ""
    if action.waiting_for_payment:
        return f"{what}, waiting for payment ({action.status_description or action.status}){since}"
    return f"{what} ({action.status or 'status not given'}{since})"


@dataclass(frozen=True)
class ActionPage:
    total: int  # every matching action (recsindb where given), not just this page
    actions: list[QueuedAction]
    counted: bool = False  # LogicBoxes gave recsindb: `total` is its count, not this page's length

    @property
    def count(self) -> int | None:
        """LogicBoxes' own count of the matching actions, when it gave one (paging stops there)."""
        return self.total if self.counted else None
