"""Read-only use cases: plain Python over the LogicBoxes client, no Slack objects.

Finding an order means asking every configured region (in parallel) and remembering the
answer; "not found" is said only when every region answered.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from cachetools import TTLCache

from bot.dns.check import Report, compare
from bot.dns.live import LiveDns
from bot.logicboxes import (
    MAX_RECORDS,
    ApiRefused,
    AuthenticationFailed,
    BreakerOpen,
    CannotConnect,
    Customer,
    CustomerNotFound,
    DnsRecord,
    LogicBoxes,
    LogicBoxesError,
    NotWhitelisted,
    Order,
    OrderNotFound,
    OrderSummary,
    PriceBand,
    PriceTable,
    QueuedAction,
    SearchPage,
    UpstreamTimeout,
    UpstreamUnavailable,
    is_not_found,
)
from bot.logicboxes.paging import read_pages
from bot.money import PRICE_UNIT, quote_total
from bot.telemetry import trace
from bot.values.intents import PAGE_SIZE, PriceQuote, Search, SetupHelp, Target
from bot.values.results import Cost, PriceFor, Quote, SearchResult, SetupInfo, UserError

log = logging.getLogger(__name__)
T = TypeVar("T")
K = TypeVar("K")


def short_reason(exc: LogicBoxesError) -> str:
    """A few words for "us unavailable (...)"."""
    if isinstance(exc, BreakerOpen):
        return f"not responding; retrying in {max(1, round(exc.retry_in or 1))}s"
    if isinstance(exc, UpstreamTimeout):
        return "timed out"
    if isinstance(exc, CannotConnect):
        return f"{exc.why}; is this server's IP whitelisted?"
    if isinstance(exc, UpstreamUnavailable):
        return exc.why
    if isinstance(exc, NotWhitelisted):
        return "IP not whitelisted"
    if isinstance(exc, ApiRefused):
        return exc.api_message
    return str(exc)


def _everywhere(regions: list[str], exc: LogicBoxesError) -> LogicBoxesError:
    """The same failure in every region, said once for all of them."""
    where = ", ".join(regions)
    if isinstance(exc, UpstreamTimeout):
        return UpstreamTimeout(where)
    if isinstance(exc, AuthenticationFailed):
        return AuthenticationFailed(exc.api_message, where, exc.http_status)
    if isinstance(exc, NotWhitelisted):
        return NotWhitelisted(where)
    if isinstance(exc, CannotConnect):
        return CannotConnect(where, exc.reason, exc.sent)
    if isinstance(exc, UpstreamUnavailable) and not isinstance(exc, BreakerOpen):
        return UpstreamUnavailable(where, exc.why)
    return exc


HISTORY_PAGE = 50  # actions read per page for /email history
HISTORY_PAGES = 2  # pages read of each list (pending, finished) before "older actions not shown"


class MailService:
    def __init__(
        self,
        client: LogicBoxes,
        regions: Sequence[str],
        currency: str = "USD",
        region_cache_ttl: float = 3600,
        probe_threads: int = 16,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        live_dns: LiveDns | None = None,
    ):
        self.live_dns = live_dns or LiveDns()
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

    def find_order(self, target: Target, fresh: bool = False, prefetch: Callable[[int], None] | None = None) -> Order:
        """The order, from whichever region holds it; raises OrderNotFound or the upstream error.
        `prefetch` is told the order id as soon as a region knows it, before its details are read."""
        key = target.domain or target.order_id
        with self._region_lock:
            known = self._region_of.get(key)
        if known in self.regions:
            try:
                order = self._lookup(known, target, fresh, prefetch)
                trace.current().touched.append((order.order_id, order.customer_id))
                return order
            except LogicBoxesError as exc:
                if not is_not_found(exc):
                    raise
                with self._region_lock:
                    self._region_of.pop(key, None)  # moved or deleted: ask everyone again
        found, failures = self._ask_regions(self.regions, lambda region: self._lookup(region, target, fresh, prefetch))
        if found:
            order = found[0][1]
            trace.current().touched.append((order.order_id, order.customer_id))  # for the access log
            with self._region_lock:  # the order's own region (its product key), not the path that answered
                self._region_of[order.domain] = order.region
                self._region_of[order.order_id] = order.region
            return order
        raise self._not_found(str(target), failures)

    def _lookup(self, region: str, target: Target, fresh: bool, prefetch: Callable[[int], None] | None = None) -> Order:
        order_id = target.order_id
        if target.domain is not None:
            order_id = self.client.order_id_for_domain(region, target.domain, fresh)
        assert order_id is not None
        if prefetch is not None and target.domain is not None:  # this region holds the domain: its id is real
            prefetch(order_id)
        return self.client.order_details(region, order_id, fresh)

    def _ask_regions(
        self, regions: Sequence[str], call: Callable[[str], T]
    ) -> tuple[list[tuple[str, T]], dict[str, LogicBoxesError]]:
        """Call `call(region)` for each region in parallel, within the command's deadline."""
        return self.in_parallel(regions, call)

    def in_parallel(
        self, keys: Sequence[K], call: Callable[[K], T]
    ) -> tuple[list[tuple[K, T]], dict[K, LogicBoxesError]]:
        """Call `call(key)` for each key in parallel, within the command's deadline: the first on
        this thread, the others on the probe pool, which every command shares (so its size, not the
        number of commands times regions, bounds the threads)."""
        futures = {key: self._probes.submit(trace.bind(call), key) for key in keys[1:]}
        found: list[tuple[K, T]] = []
        failures: dict[K, LogicBoxesError] = {}
        if keys:
            try:
                found.append((keys[0], call(keys[0])))
            except LogicBoxesError as exc:
                failures[keys[0]] = exc
        remaining = trace.current().remaining()
        wait(futures.values(), timeout=None if remaining is None else max(remaining, 0.01))
        for key, future in futures.items():
            if not future.done():
                failures[key] = UpstreamTimeout(str(key))
                continue
            exc = future.exception()
            if exc is None:
                found.append((key, future.result()))
            elif isinstance(exc, LogicBoxesError):
                failures[key] = exc
            else:
                raise exc
        return found, failures

    def order_card(self, target: Target) -> tuple[Order, Customer | None, list[QueuedAction] | str]:
        """An order with its customer and the actions LogicBoxes has not finished, whoever started
        them. The pending actions are asked as soon as the order id is known, beside the order's
        details (cached with the order), so the card takes no longer; if they cannot be read the
        card says so, never a failed lookup."""
        early: dict[int, Future] = {}
        lock = threading.Lock()

        def prefetch(order_id: int) -> None:
            with lock:
                if order_id not in early:
                    early[order_id] = self._probes.submit(trace.bind(self.client.pending_actions), order_id)

        if target.order_id is not None:  # the queue is the account's, not a region's: ask at once
            prefetch(target.order_id)
        order = self.find_order(target, prefetch=prefetch)
        prefetch(order.order_id)  # known already unless the order was found another way
        customer = self.customer(order.customer_id)
        remaining = trace.current().remaining()
        done, _ = wait([early[order.order_id]], timeout=None if remaining is None else max(remaining, 0.01))
        if not done:
            return order, customer, "could not be read (timed out)"
        try:
            return order, customer, early[order.order_id].result()
        except LogicBoxesError as exc:
            log.info("order %s shown without its pending actions: %s", order.order_id, exc)
            return order, customer, f"could not be read ({short_reason(exc)})"

    def history(self, target: Target, limit: int) -> tuple[Order, list[QueuedAction], bool]:
        """The order's actions at LogicBoxes, pending and finished, newest first: at most `limit`,
        from a bounded number of pages of each list; True when older ones were left unread."""
        order = self.find_order(target)
        per_page = min(max(limit, 10), HISTORY_PAGE)
        by_eaqid: dict[str, QueuedAction] = {}
        more = False
        for finished in (False, True):  # the archive last: a finished row also left in the current list
            fetch = lambda page_no, size, finished=finished: self.client.actions(
                finished, order_ids=[order.order_id], page=page_no, per_page=size
            )
            read, complete = read_pages(
                fetch, per_page, lambda p: p.actions, lambda p: p.count, max_pages=HISTORY_PAGES
            )
            # the queue is account-wide: only this order's actions, whatever the filter did
            by_eaqid |= {a.eaqid: a for page in read for a in page.actions if a.order_id == order.order_id}
            more = more or not complete  # stopped at the bound with pages left
        actions = sorted(
            by_eaqid.values(), key=lambda a: (a.added.timestamp() if a.added else 0, a.eaqid), reverse=True
        )
        return order, actions[:limit], more or len(actions) > limit

    # ---- customers

    def customers(self, customer_ids: Sequence[int | None]) -> dict[int, Customer]:
        """Names and companies of these customers, asked in parallel; a customer LogicBoxes cannot
        give now is left out (the id is shown alone), never a reason to fail the answer."""
        wanted = list(dict.fromkeys(cid for cid in customer_ids if cid))
        found, failures = self.in_parallel(wanted, self.client.customer)
        for customer_id, exc in failures.items():
            log.info("customer %s left unnamed: %s", customer_id, exc)
        return dict(found)

    def customer(self, customer_id: int | None) -> Customer | None:
        return self.customers([customer_id]).get(customer_id) if customer_id else None

    def _not_found(self, target: str, failures: dict[str, LogicBoxesError]) -> LogicBoxesError:
        missing = [region for region, exc in failures.items() if is_not_found(exc)]
        broken = {region: exc for region, exc in failures.items() if region not in missing}
        if broken and not missing and len({(type(e), short_reason(e)) for e in broken.values()}) == 1:
            return _everywhere(list(broken), next(iter(broken.values())))  # whitelisting, outage: say that
        return OrderNotFound(target, missing, {region: short_reason(exc) for region, exc in broken.items()})

    # ---- search

    def search(self, query: Search) -> SearchResult:
        if query.customer_logins:  # `customer:<login>`: searched by the customer's id, shown by it too
            ids = tuple(self.client.customer_by_login(login).customer_id for login in query.customer_logins)
            query = replace(query, customer_ids=tuple(dict.fromkeys((*query.customer_ids, *ids))), customer_logins=())
        regions = [query.region] if query.region else self.regions
        if query.region and query.region not in self.regions:
            raise UserError(f"Region `{query.region}` is not configured here; use {', '.join(self.regions)}.")
        now = self.now()
        expiry_before = now + timedelta(days=query.expiring_days) if query.expiring_days else None
        filters = dict(
            statuses=query.statuses,
            customer_ids=query.customer_ids,
            expiry_after=now if expiry_before else None,
            expiry_before=expiry_before,
        )
        start = (query.page - 1) * PAGE_SIZE
        if len(regions) == 1:  # one order book: LogicBoxes pages it for us, however deep
            found, failures = self._ask_regions(
                regions, lambda region: self.client.search(region, page=query.page, per_page=PAGE_SIZE, **filters)
            )
            rows = [o for _, page in found for o in page.orders]
        else:  # merged by order id: the first `start + PAGE_SIZE` of each book, fetched in pages of at most 500
            found, failures = self._ask_regions(regions, lambda region: self._first(region, start + PAGE_SIZE, filters))
            rows = sorted((o for _, page in found for o in page.orders), key=lambda o: o.order_id)[start:]
        if not found:
            raise next(iter(failures.values()))
        total = sum(page.total for _, page in found)
        if start and start >= total:
            last = max(1, -(-total // PAGE_SIZE))
            raise UserError(
                f"Page {query.page} is past the end: {total} orders match, {PAGE_SIZE} per page "
                f"(the last page is {last})."
            )
        rows = rows[:PAGE_SIZE]
        return SearchResult(
            query,
            total,
            rows,
            {r: short_reason(e) for r, e in failures.items()},
            self.customers([o.customer_id for o in rows]),
        )

    def _first(self, region: str, count: int, filters: dict) -> SearchPage:
        """The first `count` rows of one region's search, in pages of at most 500 (or what LogicBoxes serves)."""
        size = min(max(count, 10), MAX_RECORDS)
        read, _ = read_pages(
            lambda page_no, per_page: self.client.search(region, page=page_no, per_page=per_page, **filters),
            size,
            lambda page: page.orders,
            lambda page: page.total,
            wanted=count,
        )
        orders = [o for page in read for o in page.orders]
        return SearchPage(read[-1].total if read else 0, orders[:count])

    def expiring(self, days: int, per_page: int = 100) -> tuple[list[OrderSummary], dict[str, str]]:
        """Every order expiring in the next `days` days, all regions, paged through; and regions that failed."""
        now = self.now()
        window = {"expiry_after": now, "expiry_before": now + timedelta(days=days)}

        def all_pages(region: str) -> list[OrderSummary]:
            fetch = lambda page_no, size: self.client.search(region, page=page_no, per_page=size, **window)
            read, _ = read_pages(fetch, per_page, lambda p: p.orders, lambda p: p.total)
            return [o for page in read for o in page.orders]

        found, failures = self._ask_regions(self.regions, all_pages)
        if not found and failures:
            raise next(iter(failures.values()))
        orders = sorted((o for _, rows in found for o in rows), key=lambda o: (o.expires or now, o.order_id))
        return orders, {region: short_reason(exc) for region, exc in failures.items()}

    def price_band(self, order: Order) -> PriceBand | None:
        """The band of the customer's own price list the order's accounts fall in; None when the
        list cannot be read now (a form shows the order without it)."""
        try:
            return self.client.price_table(order.region, "customer", order.customer_id).band_for(order.accounts)
        except LogicBoxesError:
            return None

    # ---- dns and setup

    def dns(self, target: Target) -> tuple[Order, list[DnsRecord]]:
        order = self.find_order(target)
        return order, self.client.dns_records(order.region, order.order_id)

    def check(self, target: Target) -> tuple[Order, Report]:
        """The order's required records against live DNS (bot.dns.check); LogicBoxes' failures and
        the DNS check's own (DnsCheckError) are raised for the caller to show."""
        order, records = self.dns(target)
        if not records:
            raise UserError(f"LogicBoxes lists no DNS records for {order.domain}: there is nothing to check against.")
        return order, compare(order.domain, records, self.live_dns.observe(order.domain, records))

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

    def quote(self, request: PriceQuote) -> Quote:
        """A quote from the customer price list: with `for <order>` or `customer:<id>`, that
        customer's own price (in the order's region)."""
        price_for = self._price_for(request)
        region = price_for.order.region if price_for.order else request.region or self.default_region
        if region not in self.regions:
            raise UserError(f"Region `{region}` is not configured here; use {', '.join(self.regions)}.")
        table = self.client.price_table(region, "customer", price_for.customer_id)
        return self._priced(request, table, price_for)

    def cost(self, quote: Quote) -> Cost:
        """The reseller's own cost for the same quote, from the cost price list (never the
        sub-reseller list); PriceListMissing or UserError when that list cannot price it."""
        table = self.client.price_table(quote.region, "cost")
        request = PriceQuote(quote.accounts, quote.months, quote.action, quote.region)
        try:
            reseller = self._priced(request, table, PriceFor())
        except UserError as exc:
            raise UserError(f"The reseller cost price list cannot price this: {exc}") from None
        return Cost(quote, reseller)

    def _price_for(self, request: PriceQuote) -> PriceFor:
        if request.order is not None:
            order = self.find_order(request.order)
            if order.customer_id is None:
                raise UserError(f"LogicBoxes names no customer for order {order.order_id}, so there is no own price.")
            return PriceFor(order.customer_id, self.customer(order.customer_id), order)
        if request.customer_id is not None:
            return PriceFor(request.customer_id, self.customer(request.customer_id))
        if request.login is not None:  # the login's customer first, else the customer of its domain's order
            try:
                customer = self.client.customer_by_login(request.login)
                return PriceFor(customer.customer_id, customer)
            except CustomerNotFound:
                domain = request.login.rsplit("@", 1)[1]
                try:
                    return self._price_for(replace(request, login=None, order=Target(domain=domain)))
                except OrderNotFound:
                    raise UserError(
                        f"No customer has the login {request.login}, and {domain} holds no Enterprise Email "
                        "order: there is no own price to quote. Quote without `for`, or name the customer."
                    ) from None
        return PriceFor()

    def _priced(self, request: PriceQuote, table: PriceTable, price_for: PriceFor) -> Quote:
        region = table.region
        band = table.band_for(request.accounts)
        if band is None:
            bands = ", ".join(band.label for band in table.bands) or "none"
            raise UserError(f"No price band holds {request.accounts} accounts in {region}; bands: {bands}.")
        prices = band.prices.get(request.action, {})
        if request.months not in prices:
            allowed = ", ".join(str(m) for m in table.tenures(request.action)) or "none"
            raise UserError(
                f"No {request.action} price for {request.months} months in {region}; tenures (months): {allowed}."
            )
        unit = prices[request.months]
        total = quote_total(unit, request.accounts, request.months)
        return Quote(
            request.accounts,
            request.months,
            request.action,
            region,
            band,
            unit,
            total,
            self.currency,
            PRICE_UNIT,
            price_for,
        )
