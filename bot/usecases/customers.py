"""A customer and everything they hold: found by login, id, or name or company; their Enterprise
Email orders from every region on one card, each read in full (accounts, auto-renew, pending
actions) in parallel and only for the page shown. Plain Python over MailService and the client."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from bot.logicboxes import (
    Balance,
    Customer,
    CustomerNotFound,
    LogicBoxesError,
    Order,
    OrderSummary,
    QueuedAction,
    is_not_found,
)
from bot.logicboxes.paging import read_pages
from bot.telemetry import trace
from bot.usecases.service import MailService, short_reason
from bot.values.intents import CustomerLookup, Search, Target
from bot.values.results import Paged, SearchResult

log = logging.getLogger(__name__)

MAX_MATCHES = 10  # customers offered as buttons when a name or company matches several
COUNT_PAGE_SIZE = 100  # rows per page when counting who matches a name or company
COUNT_PAGES = 5  # pages of each search read to count them; past that the count is "at least"


@dataclass(frozen=True)
class HeldOrder:
    """One of the customer's orders: the search row, and its details and pending actions where
    LogicBoxes gave them within the deadline (None, or why not)."""

    summary: OrderSummary
    order: Order | None = None
    pending: list[QueuedAction] | str | None = None


@dataclass(frozen=True)
class CustomerCard(Paged):
    customer: Customer
    query: CustomerLookup
    orders: list[HeldOrder]  # this page
    total: int  # every order the customer holds, in the regions that answered
    unavailable: dict[str, str] = field(default_factory=dict)

    @property
    def accounts(self) -> int:
        """Accounts of the orders shown whose details were read."""
        return sum(held.order.accounts for held in self.orders if held.order is not None)

    @property
    def next_expiry(self) -> OrderSummary | None:
        """The order shown that expires first."""
        dated = [held.summary for held in self.orders if held.summary.expires is not None]
        return min(dated, key=lambda summary: summary.expires) if dated else None


@dataclass(frozen=True)
class CustomerMatches:
    """Several customers matched a name or company: the first MAX_MATCHES, and how many in all."""

    query: CustomerLookup
    customers: list[Customer]
    total: int
    exact: bool = True  # False: at least `total` (not every page was read)


class Customers:
    def __init__(self, mail: MailService):
        self.mail, self.client = mail, mail.client

    def lookup(self, query: CustomerLookup) -> CustomerCard | CustomerMatches:
        """The customer's card, or the customers a name or company matches when there are several;
        CustomerNotFound when there is none."""
        if query.login is not None:
            return self.card(self.client.customer_by_login(query.login), query)
        if query.customer_id is not None:
            return self.card(self.by_id(query.customer_id), query)
        matches = self.matching(query)
        if len(matches.customers) == 1 and matches.total == 1:
            return self.card(self.by_id(matches.customers[0].customer_id), query)
        return matches

    def by_id(self, customer_id: int) -> Customer:
        try:
            return self.client.customer(customer_id)
        except LogicBoxesError as exc:
            if is_not_found(exc):
                raise CustomerNotFound(f"with the id {customer_id}") from None
            raise

    def matching(self, query: CustomerLookup) -> CustomerMatches:
        """Customers whose name or whose company holds the text: both searches at once, merged by
        id. A customer matching both is counted once: every page of both is read (up to
        COUNT_PAGES each), and past that the count is "at least" what is known."""
        text = query.text or ""
        searches = {"name": text, "company": text}
        found, failures = self.mail.in_parallel(list(searches), lambda key: self._every_page(key, text))
        if not found:
            raise next(iter(failures.values()))
        merged = list({c.customer_id: c for _, (rows, _, _) in found for c in rows}.values())
        exact = not failures and all(complete for _, (_, _, complete) in found)
        total = len(merged) if exact else max(len(merged), *(total for _, (_, total, _) in found))
        if not merged:
            raise CustomerNotFound(f"whose name or company contains “{text}”")
        for customer in merged[:MAX_MATCHES]:
            trace.current().touched.append((None, customer.customer_id))
        return CustomerMatches(query, merged[:MAX_MATCHES], total, exact)

    def _every_page(self, key: str, text: str) -> tuple[list[Customer], int, bool]:
        """One search's customers, every page up to COUNT_PAGES: (customers, LogicBoxes' count, all read)."""
        fetch = lambda page_no, size: self.client.find_customers(**{key: text}, page=page_no, per_page=size)
        read, complete = read_pages(
            fetch, COUNT_PAGE_SIZE, lambda p: p.customers, lambda p: p.total, max_pages=COUNT_PAGES
        )
        rows = [c for page in read for c in page.customers]
        return rows, read[-1].total, complete

    def card(self, customer: Customer, query: CustomerLookup) -> CustomerCard:
        """The customer and one page of their orders, both regions merged; each order shown is
        read in full (details, pending actions) in parallel within the command's deadline."""
        trace.current().touched.append((None, customer.customer_id))
        result: SearchResult = self.mail.search(Search(customer_ids=(customer.customer_id,), page=query.page))
        shown = result.orders
        reads = {"details": self._details, "pending": self._pending}  # both of every order at once: one wait
        found, failed = self.mail.in_parallel(
            [(summary, read) for summary in shown for read in reads], lambda key: reads[key[1]](key[0])
        )
        answers = dict(found)
        for (summary, read), exc in failed.items():
            log.info("order %s shown without its %s: %s", summary.order_id, read, exc)
        held = [
            HeldOrder(summary, answers.get((summary, "details")), self._pending_text(summary, answers, failed))
            for summary in shown
        ]
        for summary in shown:
            trace.current().touched.append((summary.order_id, customer.customer_id))
        return CustomerCard(customer, query, held, result.total, result.unavailable)

    def _details(self, summary: OrderSummary) -> Order:
        return self.client.order_details(summary.region, summary.order_id)

    def _pending(self, summary: OrderSummary) -> list[QueuedAction]:
        return self.client.pending_actions(summary.order_id)

    @staticmethod
    def _pending_text(summary: OrderSummary, answers: dict, failed: dict) -> list[QueuedAction] | str | None:
        """The order's pending actions, or why they could not be read (None: not asked)."""
        if (summary, "pending") in answers:
            return answers[(summary, "pending")]
        exc = failed.get((summary, "pending"))
        return f"could not be read ({short_reason(exc)})" if exc is not None else None

    def by_login(self, login: str) -> Customer | None:
        """The customer whose login this address is; None when it is nobody's."""
        try:
            return self.client.customer_by_login(login)
        except CustomerNotFound:
            return None

    def mentioned(
        self, targets: list[Target], logins: list[str], limit: int
    ) -> tuple[list[Target | Customer], list[str]]:
        """What a message names, as the cards to show, at most `limit`, and the names of the rest:
        each order, and the customer whose login an address is when the address's domain holds no
        order or another customer's order (a domain without an order then shows the customer only)."""
        cards: list[Target | Customer] = []
        rest: list[str] = []
        for target in targets:
            if len(cards) >= limit:
                rest.append(str(target))
                continue
            at_domain = [login for login in logins if target.domain and login.rsplit("@", 1)[1] == target.domain]
            owner = self._owner(target) if at_domain else None
            customers = [c for c in map(self.by_login, at_domain) if c is not None and c.customer_id != owner]
            customers = list({c.customer_id: c for c in customers}.values())
            if owner is not None or not customers:
                cards.append(target)
            for customer in customers:
                if len(cards) >= limit:
                    rest.append(f"customer {customer.customer_id}")
                else:
                    cards.append(customer)
        return cards, rest

    def _owner(self, target: Target) -> int | None:
        """The customer id of the order `target` names; None when it has none or cannot be read now."""
        try:
            return self.mail.find_order(target).customer_id
        except LogicBoxesError:
            return None

    def balance(self, customer_id: int) -> Balance:
        return self.client.customer_balance(customer_id)
