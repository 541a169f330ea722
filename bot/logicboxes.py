"""LogicBoxes HTTP client: the only module that speaks HTTP to LogicBoxes.

It builds URLs, adds auth, applies timeouts, retries and a per-region circuit breaker, and
turns the wire format (numbers as strings, numbered keys, bare-integer bodies, three error
shapes, HTML error pages) into small dataclasses or typed exceptions. Callers never see a
status code, a raw dict or the API key.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Hashable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

import requests
from cachetools import TTLCache
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError
from urllib3.util.retry import Retry

from bot import trace
from bot.logs import event, protect, redact

log = logging.getLogger(__name__)
T = TypeVar("T")

WHITELIST_FIX = (
    "add this server's public IP address under Settings > API in the reseller control panel "
    "(up to 3 addresses; it can take an hour to apply)"
)


# ---------------------------------------------------------------- errors


class LogicBoxesError(Exception):
    """Base of every failure; str(exc) is one plain sentence fit to show a Slack user."""

    counts_as_outage = False


def describe_unavailable(unavailable: dict[str, str]) -> str:
    """ "us unavailable (timed out); in unavailable (...)": how every message names regions that failed."""
    return "; ".join(f"{region} unavailable ({why})" for region, why in unavailable.items())


class OrderNotFound(LogicBoxesError):
    """No region holds the order. `unavailable` names regions that could not be asked."""

    def __init__(self, target: str, searched: Iterable[str], unavailable: dict[str, str] | None = None):
        self.target = target
        self.searched = list(searched)
        self.unavailable = dict(unavailable or {})
        down = describe_unavailable(self.unavailable)
        if self.unavailable and self.searched:
            text = f"No Enterprise Email order for {target} in {', '.join(self.searched)}; {down}. Try again shortly."
        elif self.unavailable:
            text = f"Could not look up {target}: {down}. Try again shortly."
        else:
            text = f"No Enterprise Email order for {target} in {', '.join(self.searched)}."
        super().__init__(text)


class ApiRefused(LogicBoxesError):
    """LogicBoxes answered, and the answer was an error: its own message is shown."""

    def __init__(self, message: str, region: str | None = None):
        self.api_message = message
        where = f" ({region})" if region else ""
        super().__init__(f"LogicBoxes{where} refused the request: {message}")


class NotWhitelisted(LogicBoxesError):
    def __init__(self) -> None:
        super().__init__(
            "LogicBoxes refused this server's IP address (HTTP 403, IP not whitelisted): " + WHITELIST_FIX + "."
        )


class UpstreamTimeout(LogicBoxesError):
    counts_as_outage = True

    def __init__(self, region: str | None, seconds: float | None = None):
        self.region = region
        after = f" after {seconds:g}s" if seconds else ""
        super().__init__(f"LogicBoxes {region or 'pricing'} timed out{after}; try again in a minute.")


class UpstreamUnavailable(LogicBoxesError):
    counts_as_outage = True

    def __init__(self, region: str | None, why: str, retry_in: float | None = None):
        self.region = region
        self.why = why
        self.retry_in = retry_in
        super().__init__(f"LogicBoxes {region or 'pricing'} is unavailable: {why}.")


class BreakerOpen(UpstreamUnavailable):
    """Answered at once while a region keeps failing, instead of hammering it."""

    counts_as_outage = False

    def __init__(self, region: str | None, retry_in: float):
        super().__init__(region, "not responding", retry_in)
        Exception.__init__(self, f"LogicBoxes {region} is not responding; retrying in {max(1, round(retry_in))}s.")


class BadResponse(LogicBoxesError):
    def __init__(self, region: str | None, what: str):
        super().__init__(f"LogicBoxes {region or 'pricing'} sent an unreadable answer ({what}).")


_NOT_FOUND = re.compile(r"doesn't exist|does not exist|no entity found|not found|invalid order", re.IGNORECASE)


def is_not_found(exc: LogicBoxesError) -> bool:
    return isinstance(exc, ApiRefused) and bool(_NOT_FOUND.search(exc.api_message))


# ---------------------------------------------------------------- values


@dataclass(frozen=True)
class Order:
    order_id: int
    domain: str
    region: str
    status: str
    product: str
    accounts: int
    created: datetime | None
    expires: datetime | None
    customer_id: int | None
    allow_deletion: bool
    suspended_upon_expiry: bool = False
    suspended_by_parent: bool = False


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
    total: int
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
class PriceBand:
    low: int
    high: int
    prices: dict[str, dict[int, Decimal]]  # action ("add"/"renew") -> months -> unit price

    @property
    def label(self) -> str:
        return f"{self.low}-{self.high}"


@dataclass(frozen=True)
class PriceTable:
    region: str
    bands: list[PriceBand]

    def band_for(self, accounts: int) -> PriceBand | None:
        return next((band for band in self.bands if band.low <= accounts <= band.high), None)

    def tenures(self, action: str) -> list[int]:
        return sorted({months for band in self.bands for months in band.prices.get(action, {})})


@dataclass(frozen=True)
class ActionResult:
    """What LogicBoxes said about a change; every field the wire may omit is optional."""

    status: str
    description: str = ""
    eaqid: str | None = None
    action: str = ""
    invoice_id: str | None = None
    amount: Decimal | None = None
    currency_symbol: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------- wire parsing


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _bool(value: Any) -> bool:
    return value is True or str(value).strip().lower() == "true"


def _epoch(value: Any) -> datetime | None:
    seconds = _int(value)
    try:
        return datetime.fromtimestamp(seconds, UTC) if seconds else None
    except (OverflowError, OSError, ValueError):  # out of range: show "unknown" rather than fail the card
        return None


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, TypeError):
        return None


def parse_order(data: Any, region: str) -> Order:
    if not isinstance(data, dict) or _int(data.get("entityid") or data.get("orderid")) is None:
        raise BadResponse(region, "order details without an order id")
    return Order(
        order_id=_int(data.get("entityid") or data.get("orderid")) or 0,
        domain=str(data.get("domainname") or data.get("description") or ""),
        region=region,
        status=str(data.get("currentstatus") or "Unknown"),
        product=str(data.get("productkey") or f"enterpriseemail{region}"),
        accounts=_int(data.get("emailaccounts")) or 0,
        created=_epoch(data.get("creationtime")),
        expires=_epoch(data.get("endtime")),
        customer_id=_int(data.get("customerid")),
        allow_deletion=_bool(data.get("allowdeletion")),
        suspended_upon_expiry=_bool(data.get("isOrderSuspendedUponExpiry")),
        suspended_by_parent=_bool(data.get("orderSuspendedByParent")),
    )


def parse_search(data: Any, region: str) -> SearchPage:
    if not isinstance(data, dict):
        raise BadResponse(region, "search answer is not an object")
    rows = [data[key] for key in sorted((k for k in data if k.isdigit()), key=int)]
    orders = [
        OrderSummary(
            order_id=_int(row.get("orders.orderid")) or 0,
            domain=str(row.get("entity.description") or ""),
            region=region,
            status=str(row.get("entity.currentstatus") or "Unknown"),
            customer_id=_int(row.get("entity.customerid")),
            created=_epoch(row.get("orders.creationtime") or row.get("orders.creationdt")),
            expires=_epoch(row.get("orders.endtime")),
        )
        for row in rows
        if isinstance(row, dict)
    ]
    return SearchPage(total=_int(data.get("recsindb")) or len(orders), orders=orders)


def parse_dns(data: Any, region: str) -> list[DnsRecord]:
    rows = list(data.values()) if isinstance(data, dict) else data
    if not isinstance(rows, list):
        raise BadResponse(region, "DNS records are neither a list nor an object")
    records = []
    for row in rows:
        if not isinstance(row, dict):
            continue
        records.append(
            DnsRecord(
                type=str(row.get("type") or row.get("recordtype") or "").upper(),
                host=str(row.get("host") or row.get("hostname") or "@"),
                value=str(row.get("value") or ""),
                record_class=str(row.get("class") or "IN"),
                priority=_int(row.get("priority")),
                ttl=_int(row.get("ttl")),
            )
        )
    return records


def parse_prices(data: Any, region: str) -> PriceTable:
    product = data.get(f"enterpriseemail{region}") if isinstance(data, dict) else None
    ranges = product.get("email_account_ranges") if isinstance(product, dict) else None
    if not isinstance(ranges, dict):
        raise BadResponse(None, f"no Enterprise Email prices for {region}")
    bands = []
    for label, actions in ranges.items():
        match = re.fullmatch(r"\s*(\d+)\s*-\s*(\d+)\s*", label)
        if not match or not isinstance(actions, dict):
            continue
        prices = {
            action: {
                int(months): price
                for months, raw in table.items()
                if str(months).isdigit() and (price := _decimal(raw)) is not None
            }
            for action, table in actions.items()
            if isinstance(table, dict)
        }
        bands.append(PriceBand(int(match[1]), int(match[2]), prices))
    return PriceTable(region=region, bands=sorted(bands, key=lambda band: band.low))


def parse_action(data: Any, region: str) -> ActionResult:
    if not isinstance(data, dict):
        raise BadResponse(region, "action answer is not an object")
    amount = _decimal(data.get("sellingamount")) if data.get("sellingamount") not in (None, "") else None
    return ActionResult(
        status=str(data.get("actionstatus") or data.get("status") or "Unknown"),
        description=str(data.get("actionstatusdesc") or data.get("description") or ""),
        eaqid=str(data["eaqid"]) if data.get("eaqid") is not None else None,
        action=str(data.get("actiontypedesc") or data.get("actiontype") or ""),
        invoice_id=str(data["invoiceid"]) if data.get("invoiceid") else None,
        amount=abs(amount) if amount is not None else None,
        currency_symbol=data.get("sellingcurrencysymbol"),
        raw=data,
    )


# ---------------------------------------------------------------- caching


_MISSING = object()


class Memo:
    """A cachetools TTLCache with single flight.

    Concurrent misses for one key share one upstream call and its outcome, errors included.
    (cachetools' own `condition=` makes each waiter re-run the call after a failure, which
    under an outage turns 50 waiting agents into 50 slow calls in a row.)
    """

    def __init__(self, maxsize: int, ttl: float, timer: Callable[[], float] = time.monotonic):
        self._cache: TTLCache = TTLCache(maxsize, ttl, timer) if ttl > 0 else TTLCache(1, 1e-9, timer)
        self._lock = threading.Lock()
        self._flights: dict[Hashable, Future] = {}

    def get(self, key: Hashable, compute: Callable[[], T], fresh: bool = False) -> T:
        with self._lock:
            cached = _MISSING if fresh else self._cache.get(key, _MISSING)  # one look: it may expire meanwhile
            if cached is not _MISSING:
                trace.current().cache_hits += 1
                return cached
            flight = None if fresh else self._flights.get(key)
            if flight is None:
                leader: Future = Future()
                if not fresh:
                    self._flights[key] = leader
        if flight is not None:
            remaining = trace.current().remaining()
            try:
                return flight.result(timeout=None if remaining is None else max(remaining, 0.01))
            except TimeoutError:
                raise UpstreamTimeout(None) from None
        try:
            value = compute()
        except BaseException as exc:
            leader.set_exception(exc)
            raise
        finally:
            if not fresh:
                with self._lock:
                    self._flights.pop(key, None)
        with self._lock:
            self._cache[key] = value
        leader.set_result(value)
        return value

    def drop(self, predicate: Callable[[Hashable], bool]) -> None:
        with self._lock:
            for key in [key for key in list(self._cache.keys()) if predicate(key)]:
                self._cache.pop(key, None)


# ---------------------------------------------------------------- circuit breaker


class CircuitBreaker:
    """Stops calling a region that keeps failing, then lets one trial call through."""

    def __init__(self, region: str, failures: int, reset: float, clock: Callable[[], float] = time.monotonic):
        self.region, self.failures, self.reset, self.clock = region, failures, reset, clock
        self._lock = threading.Lock()
        self._count = 0
        self._opened_at: float | None = None
        self._trial_running = False

    def before_call(self) -> None:
        with self._lock:
            if self._opened_at is None:
                return
            wait = self._opened_at + self.reset - self.clock()
            if wait > 0 or self._trial_running:
                raise BreakerOpen(self.region, max(wait, 1.0))
            self._trial_running = True  # half-open: this one call decides

    def record(self, ok: bool) -> None:
        with self._lock:
            self._trial_running = False
            if ok:
                self._count, self._opened_at = 0, None
                return
            self._count += 1
            if self._count >= self.failures or self._opened_at is not None:
                self._opened_at = self.clock()

    @property
    def is_open(self) -> bool:
        return self._opened_at is not None


# ---------------------------------------------------------------- client


class _RetryGatewayPages(Retry):
    """urllib3 Retry that retries a 5xx only when it is an HTML error page.

    LogicBoxes answers "Website doesn't exist" as JSON with HTTP 500: that is an answer, and
    retrying it only makes the user wait. Returning the response ends the retries.
    """

    def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):
        content_type = response.headers.get("Content-Type", "") if response is not None else ""
        if response is not None and response.status not in (502, 503, 504) and "html" not in content_type:
            raise MaxRetryError(_pool, url, None)  # with raise_on_status=False the response is returned
        return super().increment(method, url, response, error, _pool, _stacktrace)


@dataclass(frozen=True)
class ClientConfig:
    base_url: str
    auth_userid: int
    api_key: str
    connect_timeout: float = 3.05
    read_timeout: float = 10.0
    retries: int = 2
    order_ttl: float = 60
    dns_ttl: float = 600
    pricing_ttl: float = 3600
    breaker_failures: int = 3
    breaker_reset: float = 30.0
    regions: tuple[str, ...] = ("us", "in")


class LogicBoxes:
    """Enterprise Email calls, cached reads, uncached writes. Thread-safe."""

    def __init__(self, config: ClientConfig):
        self.config = config
        protect("urllib3.connectionpool")  # it logs request URLs, api-key included, at debug level
        self._base = config.base_url.rstrip("/")
        self._reads = self._session(
            _RetryGatewayPages(
                total=config.retries,
                connect=config.retries,
                read=False,  # a read timeout means LogicBoxes is busy: asking again doubles the wait
                status=config.retries,
                other=0,
                backoff_factor=0.2,
                backoff_max=2,
                status_forcelist=(500, 502, 503, 504),
                allowed_methods=frozenset({"GET"}),
                raise_on_status=False,
                respect_retry_after_header=False,
            )
        )
        self._writes = self._session(Retry(0, read=False, redirect=0, raise_on_status=False))
        self._orders = Memo(4096, config.order_ttl)
        self._dns = Memo(4096, config.dns_ttl)
        self._prices = Memo(8, config.pricing_ttl)
        self.breakers = {
            region: CircuitBreaker(region, config.breaker_failures, config.breaker_reset)
            for region in (*config.regions, None)
        }

    @staticmethod
    def _session(retry: Retry) -> requests.Session:
        session = requests.Session()
        adapter = HTTPAdapter(max_retries=retry, pool_connections=4, pool_maxsize=64)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        session.headers["User-Agent"] = "mailops-slack-bot"
        return session

    # ---- reads

    def order_id_for_domain(self, region: str, domain: str, fresh: bool = False) -> int:
        def call() -> int:
            data = self._call("GET", region, "orderid", [("domain-name", domain)])
            order_id = _int(data)
            if order_id is None:
                raise BadResponse(region, "order id is not a number")
            return order_id

        return self._orders.get(("orderid", region, domain), call, fresh)

    def order_details(self, region: str, order_id: int, fresh: bool = False) -> Order:
        return self._orders.get(
            ("details", region, order_id),
            lambda: parse_order(self._call("GET", region, "details", [("order-id", order_id)]), region),
            fresh,
        )

    def search(
        self,
        region: str,
        *,
        page: int = 1,
        per_page: int = 10,
        statuses: Iterable[str] = (),
        customer_ids: Iterable[int] = (),
        expiry_before: datetime | None = None,
        expiry_after: datetime | None = None,
    ) -> SearchPage:
        params: list[tuple[str, Any]] = [("no-of-records", per_page), ("page-no", page), ("order-by", "orderid")]
        params += [("status", status) for status in statuses]
        params += [("customer-id", customer) for customer in customer_ids]
        if expiry_after is not None:
            params.append(("expiry-date-start", int(expiry_after.timestamp())))
        if expiry_before is not None:
            params.append(("expiry-date-end", int(expiry_before.timestamp())))
        key = ("search", region, tuple(params))
        return self._orders.get(key, lambda: parse_search(self._call("GET", region, "search", params), region))

    def dns_records(self, region: str, order_id: int) -> list[DnsRecord]:
        return self._dns.get(
            (region, order_id),
            lambda: parse_dns(self._call("GET", region, "dns-record", [("order-id", order_id)]), region),
        )

    def price_table(self, region: str, kind: str = "customer") -> PriceTable:
        """Prices for one region; `kind` is "customer" (what the customer pays) or "reseller"."""
        raw = self._prices.get(kind, lambda: self._call("GET", None, f"{kind}-price", []))
        return parse_prices(raw, region)

    def forget_order(self, order_id: int, domain: str | None = None) -> None:
        """Drop cached reads of one order after a change (this process only)."""
        self._orders.drop(lambda key: order_id in key or (domain is not None and domain in key))
        self._dns.drop(lambda key: order_id in key)

    # ---- writes (never retried, never cached)

    def delete(self, region: str, order_id: int) -> ActionResult:
        return parse_action(self._call("POST", region, "delete", [("order-id", order_id)]), region)

    def add_accounts(
        self, region: str, order_id: int, count: int, invoice_option: str, discount: Decimal | None = None
    ) -> ActionResult:
        params: list[tuple[str, Any]] = [
            ("order-id", order_id),
            ("no-of-accounts", count),
            ("invoice-option", invoice_option),
        ]
        if discount is not None:
            params.append(("discount-amount", f"{discount:.2f}"))
        return parse_action(self._call("POST", region, "add-email-account", params), region)

    # ---- transport

    def url(self, region: str | None, call: str) -> str:
        path = f"enterpriseemail/{region}/{call}.json" if region else f"products/{call}.json"
        return f"{self._base}/{path}"

    def _call(self, method: str, region: str | None, call: str, params: list[tuple[str, Any]]) -> Any:
        breaker = self.breakers.get(region) or self.breakers[None]
        breaker.before_call()
        command = trace.current()
        remaining = command.remaining()
        if remaining is not None and remaining <= 0:
            raise UpstreamTimeout(region)
        read_timeout = self.config.read_timeout if remaining is None else min(self.config.read_timeout, remaining)
        auth = [("auth-userid", self.config.auth_userid), ("api-key", self.config.api_key)]
        session = self._reads if method == "GET" else self._writes
        payload = {"params": auth + params} if method == "GET" else {"data": auth + params}
        started = time.monotonic()
        status = "-"
        try:
            response = session.request(
                method, self.url(region, call), timeout=(self.config.connect_timeout, read_timeout), **payload
            )
            status = str(response.status_code)
            result = self._decode(response, region)
        except LogicBoxesError as exc:
            breaker.record(not exc.counts_as_outage)
            status = status if status != "-" else type(exc).__name__
            raise
        except requests.exceptions.ReadTimeout:
            breaker.record(False)
            status = "timeout"
            raise UpstreamTimeout(region, round(read_timeout, 1)) from None
        except requests.exceptions.RequestException as exc:
            # str(exc) holds the URL with the api-key: never pass it on
            breaker.record(False)
            status = "unreachable"
            raise UpstreamUnavailable(region, _connection_reason(exc)) from None
        else:
            breaker.record(True)
            return result
        finally:
            command.upstream_calls += 1
            command.upstream_status = status
            event(
                log,
                "upstream",
                method=method,
                call=f"{region or 'products'}/{call}",
                status=status,
                ms=round((time.monotonic() - started) * 1000),
            )

    @staticmethod
    def _decode(response: requests.Response, region: str | None) -> Any:
        if response.status_code == 403:
            raise NotWhitelisted()
        try:
            data = response.json()
        except ValueError:
            if response.status_code >= 500:
                raise UpstreamUnavailable(region, f"HTTP {response.status_code} error page") from None
            raise BadResponse(region, f"HTTP {response.status_code}, not JSON") from None
        if isinstance(data, dict):
            if str(data.get("status", "")).lower() == "error":
                message = data.get("message") or data.get("error") or "no reason given"
                raise ApiRefused(redact(str(message)), region)
            if str(data.get("actionstatus", "")).lower() == "failed":
                raise ApiRefused(redact(str(data.get("actionstatusdesc") or "action failed")), region)
        if response.status_code >= 400:
            raise UpstreamUnavailable(region, f"HTTP {response.status_code}")
        return data


def _connection_reason(exc: requests.exceptions.RequestException) -> str:
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "connection timed out"
    if isinstance(exc, requests.exceptions.RetryError):
        return "kept answering with errors"
    if isinstance(exc, requests.exceptions.SSLError):
        return "TLS handshake failed"
    if isinstance(exc, requests.exceptions.ConnectionError):
        return "could not connect"
    return "request failed"
