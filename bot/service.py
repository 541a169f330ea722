"""Read-only use cases: plain Python over the LogicBoxes client, no Slack objects.

Finding an order means asking every configured region (in parallel) and remembering the
answer; "not found" is said only when every region answered.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TypeVar

from cachetools import TTLCache

from bot import trace
from bot.commands import PAGE_SIZE, PriceQuote, Search, SetupHelp, Target
from bot.logicboxes import (
    BreakerOpen,
    DnsRecord,
    LogicBoxes,
    LogicBoxesError,
    NotWhitelisted,
    Order,
    OrderNotFound,
    OrderSummary,
    PriceBand,
    UpstreamTimeout,
    UpstreamUnavailable,
    is_not_found,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

PRICE_UNIT = "per account per month"
"""The price table's unit. The API docs do not say; the control panel sells per account per
month. This constant and `quote_total` are the only places that assume it."""


def quote_total(unit_price: Decimal, accounts: int, months: int) -> Decimal:
    """Total before rounding: unit price x accounts x months (see PRICE_UNIT)."""
    return unit_price * accounts * months


class UserError(Exception):
    """A request that cannot be served as asked; the message says why and what is allowed."""

    def __init__(self, message: str, usage: str | None = None):
        super().__init__(message)
        self.usage = usage


@dataclass(frozen=True)
class SearchResult:
    query: Search
    total: int
    orders: list[OrderSummary]
    unavailable: dict[str, str] = field(default_factory=dict)

    @property
    def first(self) -> int:
        return (self.query.page - 1) * PAGE_SIZE + 1

    @property
    def has_next(self) -> bool:
        return self.query.page * PAGE_SIZE < self.total


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


@dataclass(frozen=True)
class Cost:
    """What the reseller pays LogicBoxes for the same quote, and the margin."""

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


def short_reason(exc: LogicBoxesError) -> str:
    """A few words for "us unavailable (...)"."""
    if isinstance(exc, BreakerOpen):
        return f"not responding; retrying in {max(1, round(exc.retry_in or 1))}s"
    if isinstance(exc, UpstreamTimeout):
        return "timed out"
    if isinstance(exc, UpstreamUnavailable):
        return exc.why
    if isinstance(exc, NotWhitelisted):
        return "IP not whitelisted"
    return str(exc)


def _everywhere(regions: list[str], exc: LogicBoxesError) -> LogicBoxesError:
    """The same failure in every region, said once for all of them."""
    where = ", ".join(regions)
    if isinstance(exc, UpstreamTimeout):
        return UpstreamTimeout(where)
    if isinstance(exc, UpstreamUnavailable) and not isinstance(exc, BreakerOpen):
        return UpstreamUnavailable(where, exc.why)
    return exc


class MailService:
    def __init__(
        self,
        client: LogicBoxes,
        regions: Sequence[str],
        currency: str = "USD",
        region_cache_ttl: float = 3600,
        probe_threads: int = 16,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ):
        self.client = client
        self.regions = list(regions)
        self.currency = currency
        self.now = now
        # domain or order id -> region; cachetools caches are not thread-safe, hence the lock
        self._region_of: TTLCache = TTLCache(20000, region_cache_ttl) if region_cache_ttl > 0 else TTLCache(1, 1e-9)
        self._region_lock = threading.Lock()
        self._probes = ThreadPoolExecutor(probe_threads, thread_name_prefix="mailops-probe")

    @property
    def default_region(self) -> str:
        return self.regions[0]

    # ---- orders

    def find_order(self, target: Target, fresh: bool = False) -> Order:
        """The order, from whichever region holds it; raises OrderNotFound or the upstream error."""
        key = target.domain or target.order_id
        with self._region_lock:
            known = self._region_of.get(key)
        if known in self.regions:
            try:
                return self._lookup(known, target, fresh)
            except LogicBoxesError as exc:
                if not is_not_found(exc):
                    raise
                with self._region_lock:
                    self._region_of.pop(key, None)  # moved or deleted: ask everyone again
        found, failures = self._ask_regions(self.regions, lambda region: self._lookup(region, target, fresh))
        if found:
            region, order = found[0]
            with self._region_lock:
                self._region_of[order.domain] = region
                self._region_of[order.order_id] = region
            return order
        raise self._not_found(str(target), failures)

    def _lookup(self, region: str, target: Target, fresh: bool) -> Order:
        order_id = target.order_id
        if target.domain is not None:
            order_id = self.client.order_id_for_domain(region, target.domain, fresh)
        assert order_id is not None
        return self.client.order_details(region, order_id, fresh)

    def _ask_regions(
        self, regions: Sequence[str], call: Callable[[str], T]
    ) -> tuple[list[tuple[str, T]], dict[str, LogicBoxesError]]:
        """Call `call(region)` for each region in parallel, within the command's deadline."""
        futures = {region: self._probes.submit(trace.bind(call), region) for region in regions}
        remaining = trace.current().remaining()
        wait(futures.values(), timeout=None if remaining is None else max(remaining, 0.01))
        found: list[tuple[str, T]] = []
        failures: dict[str, LogicBoxesError] = {}
        for region, future in futures.items():
            if not future.done():
                failures[region] = UpstreamTimeout(region)
                continue
            exc = future.exception()
            if exc is None:
                found.append((region, future.result()))
            elif isinstance(exc, LogicBoxesError):
                failures[region] = exc
            else:
                raise exc
        return found, failures

    def _not_found(self, target: str, failures: dict[str, LogicBoxesError]) -> LogicBoxesError:
        missing = [region for region, exc in failures.items() if is_not_found(exc)]
        broken = {region: exc for region, exc in failures.items() if region not in missing}
        if broken and not missing and len({(type(e), short_reason(e)) for e in broken.values()}) == 1:
            return _everywhere(list(broken), next(iter(broken.values())))  # whitelisting, outage: say that
        return OrderNotFound(target, missing, {region: short_reason(exc) for region, exc in broken.items()})

    # ---- search

    def search(self, query: Search) -> SearchResult:
        regions = [query.region] if query.region else self.regions
        if query.region and query.region not in self.regions:
            raise UserError(f"Region `{query.region}` is not configured here; use {', '.join(self.regions)}.")
        wanted = query.page * PAGE_SIZE  # merged paging: the first `wanted` of each region, sorted
        now = self.now()
        expiry_before = now + timedelta(days=query.expiring_days) if query.expiring_days else None
        found, failures = self._ask_regions(
            regions,
            lambda region: self.client.search(
                region,
                per_page=max(wanted, 10),
                statuses=query.statuses,
                customer_ids=query.customer_ids,
                expiry_after=now if expiry_before else None,
                expiry_before=expiry_before,
            ),
        )
        if not found:
            raise next(iter(failures.values()))
        rows = sorted((o for _, page in found for o in page.orders), key=lambda o: o.order_id)
        total = sum(page.total for _, page in found)
        start = (query.page - 1) * PAGE_SIZE
        if start and start >= total:
            raise UserError(f"Page {query.page} is past the end: {total} orders match, {PAGE_SIZE} per page.")
        return SearchResult(
            query, total, rows[start : start + PAGE_SIZE], {r: short_reason(e) for r, e in failures.items()}
        )

    def expiring(self, days: int, per_page: int = 100) -> tuple[list[OrderSummary], dict[str, str]]:
        """Every order expiring in the next `days` days, all regions, paged through; and regions that failed."""
        now = self.now()
        window = {"expiry_after": now, "expiry_before": now + timedelta(days=days)}

        def all_pages(region: str) -> list[OrderSummary]:
            orders: list[OrderSummary] = []
            page = 1
            while True:
                result = self.client.search(region, page=page, per_page=per_page, **window)
                orders += result.orders
                if not result.orders or len(orders) >= result.total:
                    return orders
                page += 1

        found, failures = self._ask_regions(self.regions, all_pages)
        if not found and failures:
            raise next(iter(failures.values()))
        orders = sorted((o for _, rows in found for o in rows), key=lambda o: (o.expires or now, o.order_id))
        return orders, {region: short_reason(exc) for region, exc in failures.items()}

    # ---- dns and setup

    def dns(self, target: Target) -> tuple[Order, list[DnsRecord]]:
        order = self.find_order(target)
        return order, self.client.dns_records(order.region, order.order_id)

    def setup(self, request: SetupHelp) -> SetupInfo:
        try:
            order = self.find_order(Target(domain=request.domain))
        except OrderNotFound as exc:
            raise UserError(
                f"{request.email}: no Enterprise Email order for {request.domain}"
                + (f" ({'; '.join(f'{r} unavailable' for r in exc.unavailable)})" if exc.unavailable else "")
                + ", so there are no settings to show."
            ) from None
        return SetupInfo(request.email, request.username, request.domain, self._webmail_host(order), order)

    def _webmail_host(self, order: Order) -> str:
        """The order's `webmail.` host from its DNS records, else the documented default."""
        default = f"webmail.{order.domain}"
        try:
            records = self.client.dns_records(order.region, order.order_id)
        except LogicBoxesError:
            return default
        for record in records:
            host = record.host.rstrip(".").lower()
            if host == "webmail":
                return default
            if host.startswith("webmail.") and host.endswith(order.domain):
                return host
        return default

    # ---- prices

    def quote(self, request: PriceQuote, kind: str = "customer") -> Quote:
        region = request.region or self.default_region
        if region not in self.regions:
            raise UserError(f"Region `{region}` is not configured here; use {', '.join(self.regions)}.")
        table = self.client.price_table(region, kind)
        band = table.band_for(request.accounts)
        if band is None:
            bands = ", ".join(band.label for band in table.bands)
            raise UserError(f"No price band holds {request.accounts} accounts in {region}; bands: {bands}.")
        prices = band.prices.get(request.action, {})
        if request.months not in prices:
            allowed = ", ".join(str(m) for m in table.tenures(request.action)) or "none"
            raise UserError(
                f"No {request.action} price for {request.months} months in {region}; tenures (months): {allowed}."
            )
        unit = prices[request.months]
        total = quote_total(unit, request.accounts, request.months)
        return Quote(request.accounts, request.months, request.action, region, band, unit, total, self.currency)

    def cost(self, request: PriceQuote) -> Cost:
        return Cost(self.quote(request), self.quote(request, kind="reseller"))
