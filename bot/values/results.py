"""What the read use cases answer, as plain values the renderers take, and the error a request
that cannot be served as asked raises."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from bot.logicboxes import Customer, Order, OrderSummary, PriceBand
from bot.money import PRICE_UNIT
from bot.values.intents import PAGE_SIZE, Search


class UserError(Exception):
    """A request that cannot be served as asked; the message says why and what is allowed."""

    def __init__(self, message: str, usage: str | None = None):
        super().__init__(message)
        self.usage = usage


class Paged:
    """A page of PAGE_SIZE rows of `total`, the page its query asked for (a search, a customer's card)."""

    query: Any
    total: int

    @property
    def first(self) -> int:
        return (self.query.page - 1) * PAGE_SIZE + 1

    @property
    def has_next(self) -> bool:
        return self.query.page * PAGE_SIZE < self.total


@dataclass(frozen=True)
class SearchResult(Paged):
    query: Search
    total: int
    orders: list[OrderSummary]
    unavailable: dict[str, str] = field(default_factory=dict)
    customers: dict[int, Customer] = field(default_factory=dict)


@dataclass(frozen=True)
class PriceFor:
    """Whose price a quote uses: the generic customer price list, or one customer's own price
    (named by id, or through an order of theirs)."""

    customer_id: int | None = None
    customer: Customer | None = None
    order: Order | None = None


@dataclass(frozen=True)
class Quote:
    accounts: int
    months: int
    action: str
    region: str
    band: PriceBand
    unit_price: Decimal
    total: Decimal
    currency: str
    unit: str = PRICE_UNIT
    price_for: PriceFor = field(default_factory=PriceFor)


@dataclass(frozen=True)
class Cost:
    """What the reseller pays LogicBoxes for the same quote (its cost price list), and the margin."""

    quote: Quote
    reseller: Quote

    @property
    def margin(self) -> Decimal:
        return self.quote.total - self.reseller.total


@dataclass(frozen=True)
class SetupInfo:
    email: str
    username: str
    domain: str
    server: str
    order: Order
