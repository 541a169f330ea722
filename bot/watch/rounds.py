"""One round of the watch: every Active order's mail DNS, the orders about to lapse with auto-renew
off (or not given), and LogicBoxes' failed and long-pending actions, each problem recorded (bot.watch.records)
so that it is alerted once, confirmed over rounds where DNS can flap, and resolved when it goes.

A resolver that fails or times out is never the customer's problem: the order counts as not
checked, and only when most of a round could not be checked is that an (operational) alert. The
round keeps its place in the database as it goes, so an instance that takes the lease over from
one that died resumes it where it stopped."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.dns.check import State, compare
from bot.dns.live import DnsCheckError, DomainMissing, LiveDns
from bot.logicboxes import (
    MAX_RECORDS,
    ActionPage,
    LogicBoxesError,
    Order,
    OrderNotFound,
    OrderSummary,
    QueuedAction,
    SearchPage,
    describe_action,
    is_not_found,
)
from bot.logicboxes.paging import read_pages
from bot.telemetry import metrics
from bot.usecases.service import MailService
from bot.values.intents import Target
from bot.watch.alerts import DUE, OPEN, SUMMARY, SUSPECT, Alert
from bot.watch.records import WatchRecords

log = logging.getLogger(__name__)

CHUNK = 100  # orders checked between two saves of the round's place
LOOK_BACK = 86400.0  # the first round also alerts failures of the last 24 hours
ACTION_PAGES = 20  # pages of the action queue read per round, each list (a bound, whatever a page holds)
MAX_BOOK_PAGES = 2000  # pages of the order search read per region (a bound, whatever a page holds)
FAILED_KEPT = 7 * 86400.0  # a failed action's alert closes itself after a week
MOSTLY_UNCHECKED = 0.5  # more than this share of a round unchecked: one operational alert
OUTAGE_KEY = "outage:dns"
GONE = "gone"  # LogicBoxes says there is no such order (deleted and purged)


@dataclass(frozen=True)
class Settings:
    grace_days: float = 7.0
    confirm_rounds: int = 2
    expiry_days: int = 14
    stuck_after: float = 86400.0
    concurrency: int = 4
    dns_concurrency: int = 16


@dataclass(frozen=True)
class RoundReport:
    number: int
    started: float
    finished: float
    orders: int
    checked: int
    unchecked: int
    opened: list[str]
    resolved: list[str]


def _day(when: datetime | None) -> str:
    return f"{when:%Y-%m-%d}" if when else "unknown"


def _id(order: OrderSummary | int) -> int:
    return order if isinstance(order, int) else order.order_id


def _eaqids(alerts: list[Alert]) -> list[str]:
    return [str(alert.detail["eaqid"]) for alert in alerts if alert.detail.get("eaqid")]


class Watch:
    def __init__(
        self,
        mail: MailService,
        records: WatchRecords,
        live: LiveDns,
        settings: Settings = Settings(),
        clock: Callable[[], float] = time.time,
        request_of: Callable[[str], dict[str, Any] | None] = lambda eaqid: None,
    ):
        self.mail, self.client, self.records, self.live = mail, mail.client, records, live
        self.settings, self.clock = settings, clock
        self.request_of = request_of  # the bot's own request behind an action, if it made it
        self._calls = threading.Semaphore(settings.concurrency)  # LogicBoxes calls at once
        self._ours: dict[int, bool] = {}  # entity id -> an order of a product mailops manages (never changes)

    # ---- the round

    def round(self) -> RoundReport:
        """Run a round, or finish the one an instance left unfinished."""
        now = self.clock()
        place = self.records.round()
        if not place.get("running"):
            place = {
                "number": int(place.get("number", 0)) + 1,
                "started": now,
                "running": True,
                "after": 0,
                "checked": 0,
                "unchecked": 0,
                "since": place.get("since", now - LOOK_BACK),  # failures count from the first round, less a day
                "opened": [],
                "resolved": [],
            }
            self.records.save_round(place)
            self.live.forget()
        first = place["number"] == 1
        post = SUMMARY if first else DUE  # the first round's problems go out in one summary
        book = self._book()
        self._ours.update((order.order_id, True) for order in book)
        self._mail(book, place, post, now)
        self._expiring(book, place, post, now)
        self._actions(place, post, now)
        finished = self.clock()
        place.update(running=False, finished=finished, orders=len(book), run_now=False)
        self.records.save_round(place)
        return RoundReport(
            place["number"],
            place["started"],
            finished,
            len(book),
            place["checked"],
            place["unchecked"],
            place["opened"],
            place["resolved"],
        )

    def _book(self) -> list[OrderSummary]:
        """Every Active order of every region, by order id (pages of 500, or what LogicBoxes serves)."""
        orders: dict[int, OrderSummary] = {}
        for region in self.mail.regions:

            def fetch(page_no: int, size: int, region: str = region) -> SearchPage:
                with self._calls:
                    return self.client.search(region, page=page_no, per_page=size, statuses=("Active",), fresh=True)

            read, _ = read_pages(fetch, MAX_RECORDS, lambda p: p.orders, lambda p: p.total, max_pages=MAX_BOOK_PAGES)
            orders.update((o.order_id, o) for page in read for o in page.orders)
        return [orders[key] for key in sorted(orders)]

    # ---- mail not reaching Enterprise Email

    def _mail(self, book: list[OrderSummary], place: dict[str, Any], post: str, now: float) -> None:
        muted = self.records.muted()
        grace = now - self.settings.grace_days * 86400
        watched = [o for o in book if o.domain not in muted and (o.created is None or o.created.timestamp() <= grace)]
        # open problems of orders no longer watched (deleted, suspended, muted, in their grace): gone
        watched_ids = {o.order_id for o in watched}
        for alert in self.records.all(SUSPECT, OPEN, kind="mail"):
            if alert.order_id not in watched_ids:
                self._good(alert.key, place, now, confirm=1)
        remaining = [o for o in watched if o.order_id > place["after"]]
        with ThreadPoolExecutor(self.settings.dns_concurrency, thread_name_prefix="mailops-watch-dns") as pool:
            for start in range(0, len(remaining), CHUNK):
                chunk = remaining[start : start + CHUNK]
                for order, found in zip(chunk, pool.map(self._check_mail, chunk), strict=True):
                    result = "unchecked" if found is None else "ok" if found is True else "bad"
                    metrics.WATCH_ORDERS_CHECKED.labels(result).inc()
                    if found is None:
                        place["unchecked"] += 1
                        continue
                    place["checked"] += 1
                    if found is True:
                        self._good(f"mail:{order.order_id}", place, now, self.settings.confirm_rounds)
                    else:
                        self._bad(found, place, now, self.settings.confirm_rounds, post)
                place["after"] = chunk[-1].order_id
                self.records.save_round(place)
        total = len(watched)
        if total and place["unchecked"] / total > MOSTLY_UNCHECKED:
            summary = f"DNS could not be checked for {place['unchecked']} of {total} orders this round"
            self._bad(Alert(OUTAGE_KEY, "outage", None, None, summary, {}), place, now, 1, DUE)
        else:
            self._good(OUTAGE_KEY, place, now, confirm=1)

    def _check_mail(self, order: OrderSummary) -> Alert | bool | None:
        """True: mail reaches Enterprise Email; an Alert: it does not; None: not checked now."""
        try:
            with self._calls:
                required = self.client.expected_dns(order.region, order.order_id)
        except LogicBoxesError as exc:
            log.info("watch: order %s not checked, its records could not be read: %s", order.order_id, exc)
            return None
        if not any(record.type == "MX" for record in required):
            return True  # nothing to compare mail with
        key = f"mail:{order.order_id}"
        try:
            report = compare(order.domain, required, self.live.observe(order.domain, required))
        except DomainMissing:
            return Alert(key, "mail", order.order_id, order.domain, f"{order.domain} no longer exists in DNS", {})
        except DnsCheckError as exc:
            log.info("watch: %s not checked: %s", order.domain, exc)
            return None
        mx = [finding for finding in report.findings if finding.kind == "MX"]
        elsewhere = [f for f in mx if not f.required]  # a host that is not Enterprise Email's: moved or split
        arriving = [f for f in mx if f.required and f.state is not State.MISSING]
        if arriving and not elsewhere:  # a missing backup MX or another priority still delivers: not this alert
            return True
        fix = {
            "add": [asdict(record) for record in report.add if record.type == "MX"],
            "remove": [asdict(record) for record in report.remove if record.type == "MX"],
        }
        return Alert(key, "mail", order.order_id, order.domain, report.verdict, fix)

    # ---- about to lapse, auto-renew off

    def _expiring(self, book: list[OrderSummary], place: dict[str, Any], post: str, now: float) -> None:
        """Orders in the window with auto-renew off are alerted; an open alert changes only on
        what a fresh read of its order shows: resolved once the expiry moved past the window,
        auto-renew was turned on or the order was deleted; "expired ... without renewal" once it
        lapsed. An order that cannot be read now leaves its alert as it is."""
        horizon = datetime.fromtimestamp(now, UTC) + timedelta(days=self.settings.expiry_days)
        soon = [o for o in book if o.expires is not None and now < o.expires.timestamp() and o.expires <= horizon]
        alerted = self.records.all(SUSPECT, OPEN, kind="expiry")
        by_id = {o.order_id: o for o in book}
        soon_ids = {o.order_id for o in soon}
        to_read = soon + [
            by_id.get(a.order_id) or a.order_id
            for a in alerted
            if a.order_id is not None and a.order_id not in soon_ids
        ]
        with ThreadPoolExecutor(self.settings.concurrency, thread_name_prefix="mailops-watch-lb") as pool:
            read = dict(zip([_id(o) for o in to_read], pool.map(self._fresh_details, to_read), strict=True))
        found: set[str] = set()
        for summary in soon:
            order = read.get(summary.order_id)
            # auto-renew off, or not given (Q7: `recurring` is recorded for Business Email only)
            if isinstance(order, Order) and order.auto_renew is not True and order.status != "Deleted":
                key = f"expiry:{order.order_id}:{int(order.expires.timestamp()) if order.expires else 0}"
                days = (order.expires.date() - datetime.fromtimestamp(now, UTC).date()).days if order.expires else 0
                how = (
                    "with auto-renew off"
                    if order.auto_renew is False
                    else "and LogicBoxes does not say whether it renews"
                )
                text = f"{order.domain} expires on {_day(order.expires)} (in {days} days) {how}"
                detail = {"region": order.region, "expires": int(order.expires.timestamp()) if order.expires else 0}
                self._bad(Alert(key, "expiry", order.order_id, order.domain, text, detail), place, now, 1, post)
                found.add(key)
        for alert in alerted:
            if alert.key not in found:
                self._expiry_moved(alert, read.get(alert.order_id), place, now)

    def _expiry_moved(self, alert: Alert, order: Order | str | None, place: dict[str, Any], now: float) -> None:
        """An expiry alert this round did not find again: why, from its order as read just now."""
        if order is None:
            return  # not read now: no evidence either way
        if order == GONE or (isinstance(order, Order) and order.status == "Deleted"):
            self._good(alert.key, place, now, confirm=1, why=" (the order was deleted)")
            return
        assert isinstance(order, Order)
        alerted_expiry = int(alert.key.rsplit(":", 1)[-1] or 0)
        expires = int(order.expires.timestamp()) if order.expires else 0
        if order.auto_renew is True:
            self._good(alert.key, place, now, confirm=1, why=" (auto-renew was turned on)")
        elif expires > alerted_expiry:
            self._good(alert.key, place, now, confirm=1, why=f" (renewed: it now expires on {_day(order.expires)})")
        elif expires and expires <= now:
            text = f"{order.domain} expired on {_day(order.expires)} without renewal"
            self.records.changed(alert.key, "expiry", text, {**alert.detail, "lapsed": True})
        # else: still in the window, as it was (a suspect one simply stays)

    def _fresh_details(self, order: OrderSummary | int) -> Order | str | None:
        """The order read now; GONE when LogicBoxes says no such order; None when it cannot be read."""
        try:
            with self._calls:
                if isinstance(order, OrderSummary):
                    return self.client.order_details(order.region, order.order_id, fresh=True)
                return self.mail.find_order(Target(order_id=order), fresh=True)
        except OrderNotFound as exc:  # no region holds it; unless a region could not be asked
            return None if exc.unavailable else GONE
        except LogicBoxesError as exc:
            if is_not_found(exc):
                return GONE
            log.info("watch: order %s not read: %s", _id(order), exc)
            return None

    # ---- LogicBoxes' own actions

    def _actions(self, place: dict[str, Any], post: str, now: float) -> None:
        """Failed actions since the first round (less a day) and long-pending ones are alerted. A
        list that cannot be read changes nothing: no alert opened or closed from it. A stuck
        alert closes as LogicBoxes finished its action: resolved on Success; on Failed it becomes
        that failure, with LogicBoxes' reason (never a second alert for the same action)."""
        since = float(place["since"])
        failed = self._queue(finished=True, statuses=("Failed",))
        for action in failed or []:
            completed = action.completed.timestamp() if action.completed else now
            if completed < since or self.records.get(f"stuck:{action.eaqid}") is not None:
                continue
            if not self._concerns_us(action):  # a domain transfer, hosting...: the queue is account-wide
                continue
            alert = Alert(f"failed:{action.eaqid}", "failed", action.order_id, None, *self._failure(action))
            if self.records.get(alert.key) is None:
                self._bad(alert, place, now, 1, post)
        for alert in self.records.all(OPEN, kind="failed"):
            if now - (alert.opened_at or now) > FAILED_KEPT:
                self._good(alert.key, place, now, confirm=1)
        current = self._queue(finished=False)
        if current is None:
            return
        pending = {a.eaqid: a for a in current if not a.finished}
        stuck_before = now - self.settings.stuck_after
        for action in pending.values():
            if action.added is not None and action.added.timestamp() < stuck_before and self._concerns_us(action):
                text = f"Pending at LogicBoxes since {_day(action.added)}: {describe_action(action)}"
                alert = Alert(f"stuck:{action.eaqid}", "stuck", action.order_id, None, text, {"eaqid": action.eaqid})
                self._bad(alert, place, now, 1, post)
        left = [a for a in self.records.all(SUSPECT, OPEN, kind="stuck") if a.detail.get("eaqid") not in pending]
        if not left:
            return
        finished = {a.eaqid: a for a in current if a.finished}
        try:
            with self._calls:
                finished |= {a.eaqid: a for a in self.client.actions_by_eaqid(_eaqids(left), finished=True)}
        except LogicBoxesError as exc:
            log.info("watch: the finished actions could not be read: %s", exc)
            return
        for alert in left:
            action = finished.get(str(alert.detail.get("eaqid")))
            if action is None:
                continue  # in neither list: no evidence of how it ended, so it stays as it is
            if action.done:
                self._good(alert.key, place, now, confirm=1, why=" (LogicBoxes completed it)")
            elif alert.state == OPEN:
                self.records.changed(alert.key, "failed", *self._failure(action))
            else:
                self._good(alert.key, place, now, confirm=1)  # suspect: it becomes a failed alert next round

    def _concerns_us(self, action: QueuedAction) -> bool:
        """Is this action about an order of a product mailops manages? The action queue is
        account-wide (domains, hosting, every product): known from the round's book, the bot's own
        requests, or one read of the order (remembered: an entity's product never changes). When
        that read fails it is not alerted this round; a later round asks again."""
        if action.order_id is None:
            return False
        known = self._ours.get(action.order_id)
        if known is not None:
            return known
        if self._request(action.eaqid):
            self._ours[action.order_id] = True
            return True
        found = self._fresh_details(action.order_id)
        if found is None:
            return False
        self._ours[action.order_id] = found != GONE
        return self._ours[action.order_id]

    def _failure(self, action: QueuedAction) -> tuple[str, dict[str, Any]]:
        """What a failed action's alert says, with LogicBoxes' reason and the bot's request behind it."""
        detail = {"eaqid": action.eaqid, "said": action.status_description or "", **self._request(action.eaqid)}
        return f"LogicBoxes failed: {describe_action(action)}", detail

    def _request(self, eaqid: str) -> dict[str, Any]:
        """Where the bot's own request for this action was posted: the alert links to it."""
        try:
            row = self.request_of(eaqid)
        except Exception as exc:  # the link is a courtesy: the alert goes out without it
            log.info("watch: the request behind action %s not found (%s)", eaqid, type(exc).__name__)
            return {}
        if not row or not row.get("channel") or not row.get("message_ts"):
            return {}
        return {"request_channel": row["channel"], "request_ts": row["message_ts"], "request_id": row["id"]}

    def _queue(self, finished: bool, statuses: Iterable[str] = ()) -> list[QueuedAction] | None:
        """One list of the action queue, up to ACTION_PAGES pages; None when it could not be read."""

        def fetch(page_no: int, size: int) -> ActionPage:
            with self._calls:
                return self.client.actions(finished, statuses=statuses, page=page_no, per_page=size)

        try:
            read, _ = read_pages(fetch, MAX_RECORDS, lambda p: p.actions, lambda p: p.count, max_pages=ACTION_PAGES)
            return [action for page in read for action in page.actions]
        except LogicBoxesError as exc:
            log.info("watch: the action queue could not be read: %s", exc)
            return None

    # ---- recording

    def _bad(self, alert: Alert, place: dict[str, Any], now: float, confirm: int, post: str) -> None:
        before = self.records.get(alert.key)
        after = self.records.bad(alert, now, confirm, post)
        if after.state == OPEN and (before is None or before.state != OPEN):
            place["opened"].append(alert.key)

    def _good(self, key: str, place: dict[str, Any], now: float, confirm: int, why: str = "") -> None:
        after = self.records.good(key, now, confirm, why)
        if after is not None and after.resolved_at == now:
            place["resolved"].append(key)
