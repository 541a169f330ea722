"""What people ask for, as plain frozen values: one type per subcommand, built by the text parser
(bot.commands.text), by forms and by workflow steps alike, and read by the use cases. No parsing
here and no imports from the rest of the bot, so every layer may depend on these."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PAGE_SIZE = 10  # orders per page of a search


@dataclass(frozen=True)
class Target:
    """An order named by domain or by order id."""

    domain: str | None = None
    order_id: int | None = None

    def __str__(self) -> str:
        return self.domain or str(self.order_id)


@dataclass(frozen=True)
class Change:
    """A change someone asks for: which kind (bot.changes.KINDS), which order, the kind's own
    parameters, and why. Stored requests keep the kind's name."""

    kind: str
    target: Target
    params: Any
    reason: str | None = None


@dataclass(frozen=True)
class Help:
    unknown: str | None = None


@dataclass(frozen=True)
class OrderLookup:
    target: Target


@dataclass(frozen=True)
class DnsLookup:
    target: Target


@dataclass(frozen=True)
class DnsCheck:
    target: Target


@dataclass(frozen=True)
class Search:
    statuses: tuple[str, ...] = ()
    customer_ids: tuple[int, ...] = ()
    customer_logins: tuple[str, ...] = ()  # `customer:<login email>`: the use case finds their ids
    expiring_days: int | None = None
    region: str | None = None
    page: int = 1

    def to_text(self, page: int | None = None) -> str:
        """The command text that reproduces this search (carried by the Next page button)."""
        parts = ["search"]
        parts += [f"status:{status.lower().replace(' ', '-')}" for status in self.statuses]
        parts += [f"customer:{customer}" for customer in (*self.customer_ids, *self.customer_logins)]
        if self.expiring_days is not None:
            parts.append(f"expiring:{self.expiring_days}d")
        if self.region:
            parts.append(f"region:{self.region}")
        parts.append(f"page:{page or self.page}")
        return " ".join(parts)


@dataclass(frozen=True)
class PriceQuote:
    accounts: int
    months: int
    action: str = "add"
    region: str | None = None
    order: Target | None = None  # quote with this order's customer's own price, in its region
    customer_id: int | None = None  # quote with this customer's own price
    login: str | None = None  # ... with the price of the customer whose login this is, else of its domain's order


@dataclass(frozen=True)
class SetupHelp:
    email: str
    username: str
    domain: str


@dataclass(frozen=True)
class History:
    target: Target
    limit: int = 10


@dataclass(frozen=True)
class Audit:
    target: Target | None = None
    limit: int = 20
    reads: bool = False  # who looked at this customer's orders (the access log), not the approvals


@dataclass(frozen=True)
class CustomerLookup:
    """A customer and all their orders: by login (an email address), by id, or by name or company."""

    login: str | None = None
    customer_id: int | None = None
    text: str | None = None  # part of a name or company, 3 characters at least
    page: int = 1

    def __str__(self) -> str:
        return self.login or (f"customer {self.customer_id}" if self.customer_id else f"“{self.text}”")

    def to_text(self, page: int | None = None) -> str:
        """The command text that reproduces this lookup (carried by Share and Next page)."""
        what = self.login or (str(self.customer_id) if self.customer_id else self.text or "")
        wanted = page or self.page
        return f"customer {what}" + (f" page:{wanted}" if wanted != 1 else "")


@dataclass(frozen=True)
class WatchCommand:
    """`watch` (the last round and the open problems), `watch run`, `watch unmute <domain>`."""

    action: str = "status"  # status | run | unmute
    domain: str | None = None


Intent = (
    Help
    | OrderLookup
    | DnsLookup
    | DnsCheck
    | Search
    | PriceQuote
    | SetupHelp
    | History
    | CustomerLookup
    | Change
    | Audit
    | WatchCommand
)
