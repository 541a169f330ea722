"""LogicBoxes endpoints -> models: cached reads, uncached writes, a breaker per region. Thread-safe."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from bot.logicboxes import wire
from bot.logicboxes.errors import ApiRefused, CustomerNotFound
from bot.logicboxes.meanings import Meaning
from bot.logicboxes.models import (
    ActionPage,
    ActionResult,
    Balance,
    Customer,
    CustomerPage,
    DnsRecord,
    Order,
    PriceTable,
    QueuedAction,
    SearchPage,
)
from bot.logicboxes.paging import read_pages
from bot.logicboxes.resilience import CircuitBreaker, Memo
from bot.logicboxes.transport import ClientConfig, Transport

MAX_RECORDS = 500  # search.json refuses more than 500 rows a page
EXPECTED_DNS_TTL = 86400.0  # the watch keeps an order's required DNS records this long
MAX_PENDING = 50  # pending actions of one order read for its card and before a change
EAQIDS_PER_CALL = 50  # eaqids asked about in one call of the follow-up (and rows asked per page)
MAX_ACTION_PAGES = 20  # a bound on the pages of one group, whatever LogicBoxes answers

PRICE_LISTS = {
    # name -> (call, what the list is, shown when it lacks a product)
    "customer": ("products/customer-price", "customer price list"),
    "cost": ("products/reseller-cost-price", "reseller cost price list"),
    "sub-reseller": ("products/reseller-price", "sub-reseller price list"),
}
"""`reseller-price.json` is what the reseller charges its sub-resellers, never its own cost."""

PRICES, CUSTOMERS, ACTIONS = "prices", "customers", "actions"  # what answers calls that belong to no region


class LogicBoxes:
    """Enterprise Email calls, cached reads, uncached writes."""

    def __init__(self, config: ClientConfig):
        self.config = config
        self.transport = Transport(config)
        self._orders = Memo(4096, config.order_ttl, name="orders")
        self._customers = Memo(4096, config.order_ttl, name="customers")
        self._dns = Memo(4096, config.dns_ttl, name="dns")
        self._expected = Memo(100_000, EXPECTED_DNS_TTL, name="expected_dns")  # the watch's, for a day
        self._prices = Memo(256, config.pricing_ttl, name="prices")
        self.breakers = {
            where: CircuitBreaker(where, config.breaker_failures, config.breaker_reset)
            for where in (*config.regions, PRICES, CUSTOMERS, ACTIONS)
        }

    def _call(self, method: str, path: str, params: list[tuple[str, Any]], where: str) -> Any:
        breaker = self.breakers.get(where) or self.breakers.setdefault(
            where, CircuitBreaker(where, self.config.breaker_failures, self.config.breaker_reset)
        )
        with breaker.guard():
            return self.transport.call(method, path, params, where)

    def _ee(self, method: str, region: str, call: str, params: list[tuple[str, Any]]) -> Any:
        return self._call(method, f"enterpriseemail/{region}/{call}", params, region)

    # ---- reads

    def order_id_for_domain(self, region: str, domain: str, fresh: bool = False) -> int:
        return self._orders.get(
            ("orderid", region, domain),
            lambda: wire.parse_order_id(self._ee("GET", region, "orderid", [("domain-name", domain)]), region),
            fresh,
            region,
        )

    def order_details(self, region: str, order_id: int, fresh: bool = False) -> Order:
        """The order as `region`'s path answers it; Order.region comes from its product key."""
        return self._orders.get(
            ("details", region, order_id),
            lambda: wire.parse_order(self._ee("GET", region, "details", [("order-id", order_id)]), region),
            fresh,
            region,
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
        fresh: bool = False,
    ) -> SearchPage:
        """One page (page-no from 1) of at most 500 rows; cached like orders unless `fresh`."""
        if not 1 <= per_page <= MAX_RECORDS or page < 1:
            raise ValueError(f"search pages hold 1..{MAX_RECORDS} rows and start at 1")
        params: list[tuple[str, Any]] = [("no-of-records", max(per_page, 10)), ("page-no", page)]
        params.append(("order-by", "orderid"))
        params += [("status", status) for status in statuses]
        params += [("customer-id", customer) for customer in customer_ids]
        if expiry_after is not None:
            params.append(("expiry-date-start", int(expiry_after.timestamp())))
        if expiry_before is not None:
            params.append(("expiry-date-end", int(expiry_before.timestamp())))
        return self._orders.get(
            ("search", region, tuple(params)),
            lambda: wire.parse_search(self._ee("GET", region, "search", params), region),
            fresh,
            region,
        )

    def dns_records(self, region: str, order_id: int) -> list[DnsRecord]:
        return self._dns.get(
            (region, order_id),
            lambda: wire.parse_dns(self._ee("GET", region, "dns-record", [("order-id", order_id)]), region),
            where=region,
        )

    def expected_dns(self, region: str, order_id: int) -> list[DnsRecord]:
        """The records an order needs, kept a day for the watch (they change only with the order,
        and then the change feed drops them: forget_order)."""
        return self._expected.get(
            (region, order_id),
            lambda: wire.parse_dns(self._ee("GET", region, "dns-record", [("order-id", order_id)]), region),
            where=region,
        )

    def customer(self, customer_id: int) -> Customer:
        """Name and company (KB 967); cached like orders."""
        return self._customers.get(
            customer_id,
            lambda: wire.parse_customer(
                self._call("GET", "customers/details-by-id", [("customer-id", customer_id)], CUSTOMERS)
            ),
            where=CUSTOMERS,
        )

    def customer_by_login(self, username: str) -> Customer:
        """The customer whose login (username) this email address is (customers/details.json).
        Only an answer that means "not found" or "nothing matched" is CustomerNotFound (the text for
        an unknown login is not recorded); a wrong key or an unlisted IP say what they are."""

        def read() -> Customer:
            try:
                data = self._call("GET", "customers/details", [("username", username)], CUSTOMERS)
            except ApiRefused as exc:
                if exc.meaning in (Meaning.NOT_FOUND, Meaning.NOTHING_MATCHED):
                    raise CustomerNotFound(f"with the login {username}") from None
                raise
            return wire.parse_customer(data)

        return self._customers.get(("login", username.lower()), read, where=CUSTOMERS)

    def find_customers(
        self, *, name: str | None = None, company: str | None = None, page: int = 1, per_page: int = 10
    ) -> CustomerPage:
        """customers/search.json by name or by company (KB 1270): one page of at most 500."""
        if not 1 <= per_page <= MAX_RECORDS or page < 1:
            raise ValueError(f"search pages hold 1..{MAX_RECORDS} rows and start at 1")
        params: list[tuple[str, Any]] = [("no-of-records", max(per_page, 10)), ("page-no", page)]
        params += [("name", name)] if name else []
        params += [("company", company)] if company else []
        return self._customers.get(
            ("search", tuple(params)),
            lambda: wire.parse_customer_search(self._call("GET", "customers/search", params, CUSTOMERS)),
            where=CUSTOMERS,
        )

    def customer_balance(self, customer_id: int) -> Balance:
        """What the customer has available (billing/customer-balance.json, KB 872); cached like orders."""
        return self._customers.get(
            ("balance", customer_id),
            lambda: wire.parse_balance(
                self._call("GET", "billing/customer-balance", [("customer-id", customer_id)], CUSTOMERS)
            ),
            where=CUSTOMERS,
        )

    def price_table(self, region: str, price_list: str = "customer", customer_id: int | None = None) -> PriceTable:
        """Enterprise Email prices of one region from one list: "customer" (with `customer_id`,
        that customer's own price), "cost" (the reseller's cost) or "sub-reseller"."""
        call, name = PRICE_LISTS[price_list]
        params: list[tuple[str, Any]] = [] if customer_id is None else [("customer-id", customer_id)]
        tables = self._prices.get(
            (price_list, customer_id),
            lambda: wire.enterprise_email_tables(self._call("GET", call, params, PRICES)),
            where=PRICES,
        )
        list_name = name if customer_id is None else f"{name} for customer {customer_id}"
        return wire.table_for(tables, f"{wire.PRODUCT_PREFIX}{region}", list_name)

    def actions(
        self,
        finished: bool = False,
        *,
        eaqids: Iterable[str] = (),
        order_ids: Iterable[int] = (),
        statuses: Iterable[str] = (),
        page: int = 1,
        per_page: int = 50,
    ) -> ActionPage:
        """One page of LogicBoxes' action queue (KB 908): pending actions (search-current), or with
        `finished` the archive (search-archived); by eaqid and/or order id. Never cached: it is
        asked exactly when something must be known now."""
        if not 1 <= per_page <= MAX_RECORDS or page < 1:
            raise ValueError(f"action pages hold 1..{MAX_RECORDS} rows and start at 1")
        params: list[tuple[str, Any]] = [("no-of-records", max(per_page, 10)), ("page-no", page)]
        params += [("eaq-id", eaqid) for eaqid in eaqids]
        params += [("order-id", order_id) for order_id in order_ids]
        params += [("action-status", status) for status in statuses]
        call = "actions/search-archived" if finished else "actions/search-current"
        try:
            return wire.parse_actions(self._call("GET", call, params, ACTIONS), ACTIONS)
        except ApiRefused as exc:
            if exc.meaning is Meaning.NOTHING_MATCHED:  # "No records found": an empty page, not an error
                return ActionPage(total=0, actions=[], counted=True)
            raise

    def actions_by_eaqid(self, eaqids: Iterable[str], finished: bool = False) -> list[QueuedAction]:
        """Every action of `eaqids` in one list, every page of it read: asked in groups of
        EAQIDS_PER_CALL (a bounded URL), each group paged until LogicBoxes' count, every eaqid,
        or an empty page, never on a page that holds fewer rows than asked."""
        wanted = list(dict.fromkeys(eaqids))
        found: list[QueuedAction] = []
        for start in range(0, len(wanted), EAQIDS_PER_CALL):
            group = wanted[start : start + EAQIDS_PER_CALL]
            fetch = lambda page_no, size, group=group: self.actions(finished, eaqids=group, page=page_no, per_page=size)
            read, _ = read_pages(
                fetch, EAQIDS_PER_CALL, lambda p: p.actions, lambda p: p.count, len(group), MAX_ACTION_PAGES
            )
            found += [action for page in read for action in page.actions]
        return found

    def pending_actions(self, order_id: int, fresh: bool = False) -> list[QueuedAction]:
        """The order's actions LogicBoxes has not finished, whoever started them; cached with the
        order (ORDER_CACHE_TTL) for its card, asked afresh (`fresh`) before a change."""
        return self._orders.get(
            ("actions", order_id),
            lambda: [a for a in self.actions(order_ids=[order_id], per_page=MAX_PENDING).actions if not a.finished],
            fresh,
            ACTIONS,
        )

    def forget_order(self, order_id: int, domain: str | None = None) -> None:
        """Drop cached reads of one order after a change (this process only)."""
        self._orders.drop(lambda key: order_id in key or (domain is not None and domain in key))
        self._dns.drop(lambda key: order_id in key)
        self._expected.drop(lambda key: order_id in key)

    def forget_all_orders(self) -> None:
        """Drop every cached order read (after changes may have gone unannounced)."""
        self._orders.drop(lambda key: True)
        self._dns.drop(lambda key: True)
        self._expected.drop(lambda key: True)

    # ---- writes (never retried, never cached)

    def delete(self, region: str, order_id: int) -> ActionResult:
        return wire.parse_action(self._ee("POST", region, "delete", [("order-id", order_id)]), region)

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
        return wire.parse_action(self._ee("POST", region, "add-email-account", params), region)

    def renew(
        self,
        region: str,
        order_id: int,
        months: int,
        auto_renew: bool,
        invoice_option: str,
        discount: Decimal | None = None,
    ) -> ActionResult:
        """KB 1774: auto-renew is required by the API, so it is always sent."""
        params: list[tuple[str, Any]] = [
            ("order-id", order_id),
            ("months", months),
            ("auto-renew", "true" if auto_renew else "false"),
            ("invoice-option", invoice_option),
        ]
        if discount is not None:
            params.append(("discount-amount", f"{discount:.2f}"))
        return wire.parse_action(self._ee("POST", region, "renew", params), region)

    def remove_accounts(self, region: str, order_id: int, count: int) -> ActionResult:
        """KB 1776: answered ExecutionStarted, done shortly after."""
        params: list[tuple[str, Any]] = [("order-id", order_id), ("no-of-accounts", count)]
        return wire.parse_action(self._ee("POST", region, "delete-email-account", params), region)

    def suspend(self, region: str, order_id: int, reason: str) -> ActionResult:
        """KB 1077: a generic order call; `region` is the order's, for the breaker and messages."""
        params: list[tuple[str, Any]] = [("order-id", order_id), ("reason", reason)]
        return wire.parse_action(self._call("POST", "orders/suspend", params, region), region)

    def unsuspend(self, region: str, order_id: int) -> ActionResult:
        """KB 1078."""
        return wire.parse_action(self._call("POST", "orders/unsuspend", [("order-id", order_id)], region), region)
