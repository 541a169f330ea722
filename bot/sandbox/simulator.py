"""A LogicBoxes Enterprise Email simulator: a real HTTP server on loopback.

It serves the recorded answer shapes kept in tests/payloads/logicboxes/ (numbers as strings
and as JSON values, numbered search keys, a bare integer from orderid.json, ERROR JSON with
HTTP 500 and HTTP 400 "Authentication failure", HTML 403 for a caller whose IP is not
whitelisted, the three shapes of a change's answer by invoice option, three price lists) and
can be told to misbehave (slow, hanging, trickling, HTML 5xx pages, JSON errors labelled
text/html, garbage, deep nesting, huge answers). The sandbox console runs on it, and so do the
tests and the benchmark: one fake, one wire format.
"""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

DAY = 86400
BANDS = ["1-5", "6-10", "11-15", "16-25", "26-35", "36-55", "56-65", "66-75", "76-85", "86-100", "101-10000"]
AT_LEAST_ONE = "You must have atleast ONE email account."  # recorded, misspelling included
ACCOUNTS_IN_USE = "Email Account(s) currently in use cannot be deleted through this process."  # KB 1776's words
ACCESS_DENIED = "Access Denied. You are not authorized to perform this action."  # reported publicly
ERROR_PAGE = "<html><head><title>{code}</title></head><body><h1>{code} {text}</h1></body></html>"


@dataclass
class Call:
    method: str
    region: str | None
    name: str
    params: dict[str, list[str]]


@dataclass
class SimOrder:
    order_id: int
    domain: str
    region: str
    status: str = "Active"
    accounts: int = 5
    customer_id: int = 20001
    created: int = field(default_factory=lambda: int(time.time()) - 200 * DAY)
    expires: int = field(default_factory=lambda: int(time.time()) + 165 * DAY)
    allow_deletion: bool = True
    recurring: bool | None = True  # auto-renewal; None: details.json leaves `recurring` out
    in_use: int = 0  # mailboxes in use: delete-email-account removes only the unused ones
    extra: dict[str, Any] = field(default_factory=dict)  # wire fields to override, for odd answers
    records: list[dict[str, str]] | None = None  # dns-record.json's answer; None: the usual five

    def details(self) -> dict[str, Any]:
        return {
            "entityid": str(self.order_id),
            "orderid": str(self.order_id),
            "description": self.domain,
            "domainname": self.domain,
            "currentstatus": self.status,
            "productcategory": "enterpriseemail",
            "productkey": f"enterpriseemail{self.region}",
            "creationtime": str(self.created),
            "endtime": str(self.expires),
            "isImmediateReseller": "true",
            "parentkey": "999999999_999999998_465229",
            "customerid": str(self.customer_id),
            "emailaccounts": self.accounts,  # recorded both as "5" and as 5: serve the JSON number
            "isOrderSuspendedUponExpiry": "false",
            "orderSuspendedByParent": "false",
            "allowdeletion": self.allow_deletion,  # a JSON boolean, as recorded
            "moneybackperiod": 30,
            **({} if self.recurring is None else {"recurring": str(self.recurring).lower()}),  # a string, as recorded
        } | self.extra

    def search_row(self) -> dict[str, str]:
        return {
            "entity.description": self.domain,
            "orders.orderid": str(self.order_id),
            "entity.customerid": str(self.customer_id),
            "orders.creationdt": str(self.created),
            "orders.creationtime": str(self.created),
            "orders.endtime": str(self.expires),
            "entity.currentstatus": self.status,
            "entitytype.entitytypename": "Enterprise Email",
            "entitytype.entitytypekey": f"enterpriseemail{self.region}",
            "hosting_group_info.location": self.region.upper(),
        }

    def dns(self) -> list[dict[str, str]]:
        if self.records is not None:
            return self.records
        mail = f"mx.{self.region}.enterprise-email.example"
        return [
            {"type": "MX", "host": "@", "value": f"mx1.{mail}", "class": "IN", "priority": "10"},
            {"type": "MX", "host": "@", "value": f"mx2.{mail}", "class": "IN", "priority": "20"},
            {"type": "TXT", "host": "@", "value": f"v=spf1 include:spf.{mail} ~all", "class": "IN"},
            {"type": "CNAME", "host": f"webmail.{self.domain}", "value": f"webmail.{mail}", "class": "IN"},
            {"type": "CNAME", "host": "autodiscover", "value": f"autodiscover.{mail}", "class": "IN"},
        ]


def demo_zones() -> dict[str, str]:
    """Live DNS for the demo orders, as `bot.sandbox.dnsserver.ZoneServer` serves it beside the simulator
    (`--sandbox`, the tests): example.com is set up right; the others are broken the ways support
    meets most. initech.com has no zone at all (NXDOMAIN)."""
    us, india = "mx.us.enterprise-email.example.", "mx.in.enterprise-email.example."
    head = "$TTL 300\n@ IN SOA ns1 hostmaster 1 7200 900 1209600 300\n@ IN NS ns1\n"

    def right(mail: str, *, mx: str = "", spf: str = "", dmarc: bool = True, autodiscover: bool = True) -> str:
        lines = [
            mx or f"@ IN MX 10 mx1.{mail}\n@ IN MX 20 mx2.{mail}",
            spf or f'@ IN TXT "v=spf1 include:spf.{mail.rstrip(".")} ~all"',
            f"webmail IN CNAME webmail.{mail}",
            f"autodiscover IN CNAME autodiscover.{mail}" if autodiscover else "",
            '_dmarc IN TXT "v=DMARC1; p=quarantine"' if dmarc else "",
        ]
        return head + "\n".join(line for line in lines if line) + "\n"

    bulk = {f"customer{i:02d}.com.": right(us if i % 2 else india) for i in range(1, 24)}  # set up right
    return {
        **bulk,
        "example.com.": right(us),
        "acme.com.": right(us, mx="@ IN MX 10 mx.oldhost.net.", spf='@ IN TXT "v=spf1 include:_spf.oldhost.net -all"'),
        "example.in.": right(
            india, spf=f'@ IN TXT "v=spf1 include:spf.{india.rstrip(".")} ~all"\n@ IN TXT "v=spf1 a ~all"', dmarc=False
        ),
        "globex.com.": right(us, spf='@ IN TXT "v=spf1 mx ~all"', autodiscover=False),
        "hooli.in.": right(india, mx=f"@ IN MX 10 mx1.{india}\n@ IN MX 20 mx2.{india}\n@ IN MX 5 aspmx.l.google.com."),
    }


def price_table(margin: float = 1.0) -> dict[str, Any]:
    """A price list in the wire's shape; `margin` scales it (the reseller's cost is lowest, then
    what sub-resellers pay, then customers)."""

    def band_prices(index: int, base: float) -> dict[str, Any]:
        unit = base - index * 0.05
        add = {str(m): f"{unit * margin * (1 - (m // 6) * 0.05):.3f}" for m in (1, 3, 6, 12)}
        renew = {str(m): round(unit * margin * 1.1, 3) for m in (1, 3, 6, 12)}  # numbers here, as some accounts do
        return {"add": add, "renew": renew}

    return {
        "enterpriseemailus": {"email_account_ranges": {b: band_prices(i, 1.5) for i, b in enumerate(BANDS)}},
        "enterpriseemailin": {"email_account_ranges": {b: band_prices(i, 1.2) for i, b in enumerate(BANDS)}},
        "domcno": {"addnewdomain": {"1": "9.99"}},
    }


class Simulator:
    """State and behaviour of the fake; `start()` serves it on 127.0.0.1 and a free port."""

    def __init__(self, auth_userid: int = 1, api_key: str = "sandbox-key", delay: float = 0.0):
        self.auth_userid, self.api_key, self.delay = str(auth_userid), api_key, delay
        self.orders: dict[int, SimOrder] = {}
        self.calls: list[Call] = []
        self.faults: dict[tuple[str | None, str], list[str]] = defaultdict(list)
        self.sticky_faults: dict[tuple[str | None, str], str] = {}
        self.whitelisted = True
        self.dns_as_object = False
        self.dns_priorities = True  # False: dns-record.json as documented, without MX priorities
        self.cross_region = False  # answer order reads under either region's path (not recorded either way)
        self.customer_prices = price_table()  # customer-price.json: the generic customer price
        self.own_prices: dict[int, dict[str, Any]] = {}  # customer-price.json?customer-id=: a customer's own
        self.cost_prices = price_table(margin=0.6)  # reseller-cost-price.json: the reseller's own cost
        self.subreseller_prices = price_table(margin=0.8)  # reseller-price.json: what sub-resellers pay
        self.customers: dict[int, dict[str, Any]] = {}
        self.balances: dict[int, dict[str, Any]] = {}  # billing/customer-balance.json, by customer
        self.queue: dict[str, dict[str, str]] = {}  # the action queue, by eaqid
        self._eaqids: dict[int, int] = defaultdict(int)  # actions so far, by order
        self.actions_style = "search"  # how the queue's answers nest (not recorded): search | map | list
        # The open questions at first contact (../shared/logicboxes-api.md), each a switch the tests turn:
        self.empty_queue_error: str | None = None  # Q1: an action list with no rows answers ERROR with this text
        self.finished_stay_current = False  # Q2: finished actions stay in search-current too
        self.page_cap: int | None = None  # Q6: at most this many rows a page, whatever no-of-records asks
        self._effects: dict[str, Callable[[], None]] = {}  # eaqid -> the work its Success does
        self.finish_after: float | None = None  # the sandbox finishes accepted actions after this delay
        self.lock = threading.Lock()
        self.release = threading.Event()  # set it to free calls that are hanging
        self.server: ThreadingHTTPServer | None = None
        self.scheme = "http"

    # ---- set-up helpers

    def add(self, order: SimOrder) -> SimOrder:
        self.orders[order.order_id] = order
        return order

    def add_customer(
        self,
        customer_id: int,
        name: str,
        company: str,
        username: str | None = None,
        status: str = "Active",
        balance: str | None = None,
    ) -> None:
        """A customer as details.json and details-by-id.json answer it, personal data included (the
        bot must not show it); `username` is their login (an email address), `balance` what
        billing/customer-balance.json says they have available."""
        login = username or f"c{customer_id}@mail.example"
        if balance is not None:
            self.balances[customer_id] = {
                "currencysymbol": "$",
                "sellingcurrencybalance": balance,
                "sellingcurrencylockedbalance": "0.00",
                "totalsellingbalance": balance,
                "accountingcurrencybalance": balance,
                "accountingcurrencylockedbalance": "0.00",
            }
        self.customers[customer_id] = {
            "customerid": str(customer_id),
            "username": login,
            "resellerid": "465229",
            "name": name,
            "company": company,
            "useremail": login,
            "telnocc": "1",
            "telno": "5550100",
            "address1": "1 Private Road",
            "city": "Springfield",
            "state": "NA",
            "country": "US",
            "zip": "00000",
            "creationdt": "1500000000",
            "customerstatus": status,
            "langpref": "en",
            "totalreceipts": "0.00",
        }

    def fail(self, region: str | None, name: str, *faults: str, sticky: bool = False) -> None:
        """Queue faults for the next calls: html500, html502, hang, garbage, error, error_html (an ERROR
        JSON labelled text/html), forbidden, reset, trickle (a byte at a time), deep (deeply nested
        JSON), huge (declares 30 MB), denied / denied200 / denied_html ("Access Denied" as an ERROR body
        with HTTP 500 or 200, or in an HTML 403 page), failed (a change whose nested answer says Failed),
        failed_top / failed_top_bare (a change answered `status: Failed` at the top, with or without an
        eaqid), slow (held until `release` is set, then answered for real)."""
        if sticky:
            self.sticky_faults[(region, name)] = faults[0]
        else:
            self.faults[(region, name)].extend(faults)

    def heal(self) -> None:
        self.faults.clear()
        self.sticky_faults.clear()

    def prices_for(self, customer_id: int | None) -> dict[str, Any]:
        """customer-price.json's answer: the customer's own list where one is set, else the generic."""
        return self.own_prices.get(customer_id, self.customer_prices) if customer_id else self.customer_prices

    def renewal_tenures(self, order: SimOrder) -> set[int]:
        """The months this order can be renewed for: what its customer's price list sells in its region."""
        bands = (self.prices_for(order.customer_id).get(f"enterpriseemail{order.region}") or {}).get(
            "email_account_ranges", {}
        )
        return {int(months) for band in bands.values() for months in (band.get("renew") or {})}

    def drop_tenure(self, region: str, action: str, months: int) -> None:
        """Stop selling one tenure in one region, in every price list served (as a reseller may)."""
        for table in (self.customer_prices, self.cost_prices, self.subreseller_prices, *self.own_prices.values()):
            for band in (table.get(f"enterpriseemail{region}") or {}).get("email_account_ranges", {}).values():
                band.get(action, {}).pop(str(months), None)

    # ---- the action queue (actions/search-current.json, search-archived.json)

    def _eaqid(self, order: SimOrder) -> str:
        """An order's next eaqid: its first is 469000000 + the id's last five digits, as before."""
        with self.lock:
            nth = self._eaqids[order.order_id]
            self._eaqids[order.order_id] += 1
        return str(469000000 + order.order_id % 100000 + 100000 * nth)

    def queue_action(
        self, order_id: int, kind: str, description: str, status: str, status_description: str = ""
    ) -> str:
        """Put an action in the queue as anyone may (the control panel, another integration)."""
        eaqid = self._eaqid(self.orders[order_id])
        self._record(
            {
                "entityid": str(order_id),
                "eaqid": eaqid,
                "actiontype": kind,
                "actiontypedesc": description,
                "actionstatus": status,
                "actionstatusdesc": status_description,
            }
        )
        return eaqid

    def queue_foreign_action(
        self, entity_id: int, kind: str, description: str, status: str, entity_type_id: str = "3"
    ) -> str:
        """An action of another product in the account-wide queue (a domain transfer, hosting):
        LogicBoxes lists them beside the email orders' (Q5)."""
        with self.lock:
            eaqid = str(480000000 + len(self.queue))
        self._record(
            {
                "entityid": str(entity_id),
                "eaqid": eaqid,
                "actiontype": kind,
                "actiontypedesc": description,
                "actionstatus": status,
                "actionstatusdesc": "",
            }
        )
        with self.lock:
            self.queue[eaqid]["entitytypeid"] = entity_type_id
        return eaqid

    def finish_action(self, eaqid: str, status: str = "Success", description: str = "") -> None:
        """LogicBoxes finishes a queued action (`Success` or `Failed`), now: tests need no clock.
        Success does the work the action stands for (accounts added, expiry moved...)."""
        now = str(int(time.time()))
        with self.lock:
            row = self.queue[eaqid]
            row.update(actionstatus=status, actionstatusdesc=description or row.get("actionstatusdesc", ""))
            row.update(actionstarted=row.get("actionstarted") or now, actioncompleted=now)
            effect = self._effects.pop(eaqid, None)
        if effect is not None and status.lower() == "success":
            effect()

    def finish_all(self, status: str = "Success") -> list[str]:
        """Finish every pending action (the sandbox does, after its delay); their eaqids."""
        with self.lock:
            pending = [e for e, row in self.queue.items() if row["actionstatus"].lower() not in ("success", "failed")]
        for eaqid in pending:
            self.finish_action(eaqid, status, "Action completed successfully" if status == "Success" else "")
        return pending

    def _later(self, eaqid: str, effect: Callable[[], None]) -> None:
        """What an accepted action does once LogicBoxes finishes it with Success."""
        with self.lock:
            self._effects[eaqid] = effect
        if self.finish_after is not None:  # the sandbox: LogicBoxes gets round to it on its own
            timer = threading.Timer(self.finish_after, self._finish_if_pending, args=(eaqid,))
            timer.daemon = True
            timer.start()

    def _finish_if_pending(self, eaqid: str) -> None:
        with self.lock:
            pending = eaqid in self.queue and self.queue[eaqid]["actionstatus"].lower() not in ("success", "failed")
        if pending:
            self.finish_action(eaqid, "Success", "Action completed successfully")

    def _record(self, action: dict[str, Any]) -> None:
        status = str(action.get("actionstatus") or "PendingExecution")
        now = str(int(time.time()))
        finished = status.lower() in ("success", "failed")
        row = {
            "entityid": str(action.get("entityid") or ""),
            "entitytypeid": "1086",
            "eaqid": str(action["eaqid"]),
            "actiontype": str(action.get("actiontype") or ""),
            "actiontypedesc": str(action.get("actiontypedesc") or ""),
            "actionadded": now,
            "actionstarted": now if finished else "",
            "actioncompleted": now if finished else "",
            "actionstatus": status,
            "actionstatusdesc": str(action.get("actionstatusdesc") or ""),
        }
        with self.lock:
            self.queue[row["eaqid"]] = row

    def _recorded(self, answer: tuple[int, str, str], order: SimOrder) -> tuple[int, str, str]:
        """Every change LogicBoxes answers goes into its action queue: flat, nested under the invoice
        id, or OnlyAdd's short map (whose work waits for the invoice to be paid)."""
        status, _, body = answer
        data = json.loads(body) if status == 200 else None
        if not isinstance(data, dict) or str(data.get("status", "")).lower() == "failed":
            return answer  # refused: nothing queued
        maps = [data] if "eaqid" in data else [v for v in data.values() if isinstance(v, dict) and "eaqid" in v]
        for action in maps:
            if "actionstatus" not in action:  # OnlyAdd: raised, not executed
                action = {
                    **action,
                    "entityid": order.order_id,
                    "actiontype": "AddEmailAccount",
                    "actionstatus": "PendingExecution",
                    "actionstatusdesc": f"Waiting for payment of invoice {action.get('invoiceid')}",
                }
            self._record(action)
        return answer

    def _actions(self, name: str, params: dict[str, list[str]]) -> tuple[int, str, str]:
        per_page, page = int(params["no-of-records"][0]), int(params["page-no"][0])
        if not 10 <= per_page <= 500:
            return _error("{no-of-records=must be between 10 and 500}")
        eaqids, orders = set(params.get("eaq-id", [])), set(params.get("order-id", []))
        statuses = {status.lower() for status in params.get("action-status", [])}
        finished = name == "search-archived"
        with self.lock:
            rows = [
                dict(row)
                for row in self.queue.values()
                if self._listed(row, finished)
                and (not eaqids or row["eaqid"] in eaqids)
                and (not orders or row["entityid"] in orders)
                and (not statuses or row["actionstatus"].lower() in statuses)
            ]
        rows.sort(key=lambda row: (int(row["actionadded"]), int(row["eaqid"])), reverse=True)  # newest first
        if not rows and self.empty_queue_error:
            return _error(self.empty_queue_error)
        per_page = min(per_page, self.page_cap or per_page)
        chosen = rows[(page - 1) * per_page : page * per_page]
        if self.actions_style == "list":
            return _ok(chosen)
        if self.actions_style == "map":
            return _ok({row["eaqid"]: row for row in chosen})
        body: dict[str, Any] = {"recsonpage": str(len(chosen)), "recsindb": str(len(rows))}
        body.update({str(i + 1): row for i, row in enumerate(chosen)})
        return _ok(body)

    def _listed(self, row: dict[str, str], archived: bool) -> bool:
        """Is this action in the archive (finished) or in the current list (pending, and with
        `finished_stay_current` every finished one too)?"""
        done = row["actionstatus"].lower() in ("success", "failed")
        return done if archived else (not done or self.finished_stay_current)

    def count(self, name: str, region: str | None = None, method: str | None = None) -> int:
        return sum(
            1
            for call in list(self.calls)
            if call.name == name and (region is None or call.region == region) and (method in (None, call.method))
        )

    @property
    def base_url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"{self.scheme}://{host}:{port}/api"

    def start(self, tls: ssl.SSLContext | None = None) -> Simulator:
        """Serve on a free loopback port; over HTTPS with `tls` (a server context), as LogicBoxes does."""
        sim = self

        class Handler(_Handler):
            simulator = sim

        self.server = _Server(("127.0.0.1", 0), Handler)
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.scheme = "http" if tls is None else "https"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), name="logicboxes-sim", daemon=True).start()
        return self

    def stop(self) -> None:
        self.release.set()
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    # ---- the API

    def control(self, path: str, params: dict[str, list[str]]) -> tuple[int, str, str]:
        """/__sim/...: steer a simulator running in another process (the benchmark does)."""
        one = {key: values[0] for key, values in params.items()}
        action = path.removeprefix("/__sim/")
        if action == "stats":
            with self.lock:
                names: dict[str, int] = defaultdict(int)
                for call in self.calls:
                    names[call.name] += 1
                return _ok({"calls": len(self.calls), "by_name": names})
        if action == "fail":
            self.fail(one.get("region") or None, one["name"], one["fault"], sticky=one.get("sticky") == "1")
        elif action == "heal":
            self.heal()
        elif action == "release":
            self.release.set()
        elif action == "hold":
            self.release.clear()
        else:
            return 404, "text/plain", "unknown control"
        return _ok({"ok": True})

    def handle(self, method: str, path: str, params: dict[str, list[str]]) -> tuple[int, str, str]:
        """Return (status, content type, body) for one call."""
        parts = path.strip("/").split("/")  # api, enterpriseemail, us, details.json | api, products, x.json
        region = parts[2] if len(parts) == 4 and parts[1] == "enterpriseemail" else None
        name = parts[-1].removesuffix(".json")
        area = parts[1] if len(parts) == 3 else "enterpriseemail"
        with self.lock:
            self.calls.append(Call(method, region, name, params))
            queued = self.faults.get((region, name))
            fault = queued.pop(0) if queued else self.sticky_faults.get((region, name))
        if self.delay:
            time.sleep(self.delay)
        if not self.whitelisted or fault == "forbidden":
            return 403, "text/html", ERROR_PAGE.format(code=403, text="Forbidden")
        if fault == "slow":  # hold the call until released, then answer it for real
            self.release.wait(60)
        elif fault and fault not in ("failed", "failed_top", "failed_top_bare"):
            return self._fault(fault)
        one = lambda key: (params.get(key) or [""])[0]
        if one("auth-userid") != self.auth_userid or one("api-key") != self.api_key:
            return _error("Authentication failure", status=400)
        try:
            if area == "actions":
                return self._actions(name, params) if method == "GET" else _error(f"{name} needs GET")
            if area in ("products", "customers", "billing"):
                return self._route_other(method, area, name, one, params)
            if area == "orders":
                answer = self._route_orders(method, name, one)
            else:
                answer = self._route(method, region, name, params, one, fault)
            order = self.orders.get(int(one("order-id"))) if one("order-id").isdigit() else None
            return self._recorded(answer, order) if method == "POST" and order is not None else answer
        except (ValueError, KeyError) as exc:
            return _error(f"{{{exc}=invalid}}")

    def _fault(self, fault: str) -> tuple[int, str, str]:
        if fault == "hang":
            self.release.wait(60)
            return 504, "text/html", ERROR_PAGE.format(code=504, text="Gateway Timeout")
        if fault == "reset":
            return 0, "", ""
        if fault == "garbage":
            return 200, "text/plain", "<<<not json"
        if fault == "error":
            return _error("Internal error, please try later")
        if fault == "error_html":  # real LogicBoxes labels some JSON errors text/html
            return (
                500,
                "text/html;charset=UTF-8",
                json.dumps({"status": "Error", "message": "Internal error, please try later"}),
            )
        if fault.startswith("denied"):  # "Access Denied": its status and format are not recorded, so any
            if fault == "denied_html":
                return 403, "text/html", ERROR_PAGE.format(code=403, text=ACCESS_DENIED)
            return _error(ACCESS_DENIED, status=int(fault.removeprefix("denied") or 500))
        if fault == "trickle":
            return 200, "trickle", json.dumps({"recsonpage": "0", "recsindb": "0", "padding": "x" * 400})
        if fault == "deep":
            return 200, "application/json", "[" * 100_000 + "]" * 100_000
        if fault == "huge":
            return 200, "huge", ""
        code = int(fault.removeprefix("html"))
        return code, "text/html", ERROR_PAGE.format(code=code, text="Server Error")

    def _route_other(self, method: str, area: str, name: str, one, params) -> tuple[int, str, str]:
        if method != "GET":
            return _error(f"{name} needs GET")
        if area == "products" and name == "customer-price":
            customer = one("customer-id")
            if customer and (not customer.isascii() or not customer.isdigit()):
                return _error("{customer-id=invalid}")
            return _ok(self.prices_for(int(customer) if customer else None))
        if area == "products" and name == "reseller-cost-price":
            return _ok(self.cost_prices)
        if area == "products" and name == "reseller-price":
            return _ok(self.subreseller_prices)
        if area == "customers" and name == "details-by-id":
            customer_id = one("customer-id")
            details = self.customers.get(int(customer_id)) if customer_id.isascii() and customer_id.isdigit() else None
            if details is None:
                return _error(f"No Entity found for Entityid {customer_id}")
            return _ok(details)
        if area == "customers" and name == "details":
            wanted = one("username").lower()
            found = [c for c in self.customers.values() if c["username"].lower() == wanted]
            return _ok(found[0]) if found else _error(f"Invalid username {one('username')}")
        if area == "customers" and name == "search":
            return self._customer_search(params)
        if area == "billing" and name == "customer-balance":
            customer_id = one("customer-id")
            known = customer_id.isascii() and customer_id.isdigit() and int(customer_id) in self.customers
            if not known:
                return _error(f"No Entity found for Entityid {customer_id}")
            return _ok(self.balances.get(int(customer_id)) or {"currencysymbol": "$", "sellingcurrencybalance": "0.00"})
        return _error(f"Unknown call {area}/{name}")

    def _customer_search(self, params: dict[str, list[str]]) -> tuple[int, str, str]:
        """customers/search.json (KB 1270): no-of-records 10..500 and page-no are required; name and
        company match as the control panel's search does here (any part, any case: not recorded),
        customer-id and username exactly. Rows as recorded: numbered keys, dotted field names."""
        one = lambda key: (params.get(key) or [""])[0]
        size, page = one("no-of-records"), one("page-no")
        if not (size.isdigit() and 10 <= int(size) <= 500 and page.isdigit() and int(page) >= 1):
            return _error("{no-of-records=required: 10 to 500, page-no=required}")
        name, company, login = one("name").lower(), one("company").lower(), one("username").lower()
        ids = set(params.get("customer-id", []))
        rows = [
            c
            for customer_id, c in sorted(self.customers.items())
            if (not name or name in c["name"].lower())
            and (not company or company in c["company"].lower())
            and (not login or login == c["username"].lower())
            and (not ids or str(customer_id) in ids)
        ]
        served = min(int(size), self.page_cap or int(size))
        start = (int(page) - 1) * served
        answer: dict[str, Any] = {"recsonpage": str(len(rows[start : start + served])), "recsindb": str(len(rows))}
        for index, c in enumerate(rows[start : start + served], 1):
            answer[str(index)] = {
                "customer.customerid": c["customerid"],
                "customer.username": c["username"],
                "customer.name": c["name"],
                "customer.company": c["company"],
                "customer.customerstatus": c["customerstatus"],
                "customer.city": c["city"],
                "customer.country": c["country"],
                "customer.telnocc": c["telnocc"],
                "customer.telno": c["telno"],
                "customer.totalreceipts": c["totalreceipts"],
                "customer.websitecount": "0",
                "customer.resellerid": c["resellerid"],
            }
        return _ok(answer)

    def _route_orders(self, method: str, name: str, one) -> tuple[int, str, str]:
        """orders/suspend.json and orders/unsuspend.json: generic order calls, any region's order."""
        order_id = one("order-id")
        order = self.orders.get(int(order_id)) if order_id.isascii() and order_id.isdigit() else None
        if order is None:
            return _error(f"No Entity found for Entityid {order_id}")
        if method != "POST":
            return _error(f"{name} needs POST")
        if name == "suspend":
            if not one("reason"):
                return _error("{reason=Reason is required}")
            order.status = "Suspended"
            return _ok(self._action(order, "Suspend", f"Suspension of {order.domain} for {one('reason')}"))
        if name == "unsuspend":
            if order.status != "Suspended":
                return _error(f"Order {order.order_id} is not suspended")
            order.status = "Active"
            return _ok(self._action(order, "UnSuspend", f"Unsuspension of {order.domain}"))
        return _error(f"Unknown call orders/{name}")

    def _route(self, method, region, name, params, one, fault=None) -> tuple[int, str, str]:
        if region is None:
            return _error(f"Unknown call {name}")
        if name == "search":
            return self._search(region, params)
        if name == "orderid":
            domain = one("domain-name").lower()
            for order in self.orders.values():
                if (order.region == region or self.cross_region) and order.domain == domain:
                    return 200, "application/json", str(order.order_id)
            return _error(f"Website doesn't exist for {domain}")
        order = self._order(region, one("order-id"))
        if order is None:
            return _error(f"No Entity found for Entityid {one('order-id')}")
        if name == "details":
            return _ok(order.details())
        if name == "dns-record":
            records = order.dns()
            if not self.dns_priorities:  # as documented: type, host, value, class
                records = [{k: v for k, v in r.items() if k != "priority"} for r in records]
            return _ok({str(i + 1): r for i, r in enumerate(records)} if self.dns_as_object else records)
        if method != "POST":
            return _error(f"{name} needs POST")
        if fault in ("failed_top", "failed_top_bare"):  # Q3: failure in the top-level status, no actionstatus
            return _ok(top_level_failed(order, name, with_eaqid=fault == "failed_top", eaqid=self._eaqid(order)))
        if name == "delete":
            return self._delete(order)
        if name == "renew":
            if one("auto-renew") not in ("true", "false"):
                return _error("{auto-renew=auto-renew is required}")
            return self._renew(order, int(one("months")), one("invoice-option"), one("auto-renew") == "true")
        if name == "delete-email-account":
            return self._remove(order, int(one("no-of-accounts")))
        if name == "add-email-account":
            if fault == "failed":
                return _ok(failed_action(order, one("invoice-option"), self._eaqid(order)))
            return self._add(order, int(one("no-of-accounts")), one("invoice-option"), one("discount-amount"))
        return _error(f"Unknown call {name}")

    def _order(self, region: str, order_id: str) -> SimOrder | None:
        order = self.orders.get(int(order_id)) if order_id.isascii() and order_id.isdigit() else None
        return order if order and (order.region == region or self.cross_region) else None

    def _search(self, region: str, params: dict[str, list[str]]) -> tuple[int, str, str]:
        per_page, page = int(params["no-of-records"][0]), int(params["page-no"][0])
        if not 10 <= per_page <= 500:
            return _error("{no-of-records=must be between 10 and 500}")
        statuses = {s.lower() for s in params.get("status", [])}
        customers = set(params.get("customer-id", []))
        start = int(params.get("expiry-date-start", ["0"])[0])
        end = int(params.get("expiry-date-end", [str(2**40)])[0])
        rows = sorted(
            (
                o
                for o in self.orders.values()
                if o.region == region
                and (not statuses or o.status.lower() in statuses)
                and (not customers or str(o.customer_id) in customers)
                and start <= o.expires <= end
            ),
            key=lambda o: o.order_id,
        )
        per_page = min(per_page, self.page_cap or per_page)
        chosen = rows[(page - 1) * per_page : page * per_page]
        body: dict[str, Any] = {"recsonpage": str(len(chosen)), "recsindb": str(len(rows))}
        body.update({str(i + 1): o.search_row() for i, o in enumerate(chosen)})
        return _ok(body)

    def _delete(self, order: SimOrder) -> tuple[int, str, str]:
        if order.status == "Deleted":
            return _error(f"Order {order.order_id} is already deleted")
        order.status = "Deleted"
        return _ok(self._action(order, "Delete", "Order deleted"))

    def _add(self, order: SimOrder, count: int, invoice: str, discount: str) -> tuple[int, str, str]:
        """The answer's shape follows the invoice option, as recorded (tests/payloads/logicboxes/)."""
        if invoice not in ("NoInvoice", "PayInvoice", "KeepInvoice", "OnlyAdd"):
            return _error("{invoice-option=invalid}")
        invoice_id = str(78000000 + order.order_id % 100000)
        amount = f"{count * 1.5 * 6:.3f}"
        eaqid = self._eaqid(order)
        self._later(eaqid, lambda: setattr(order, "accounts", order.accounts + count))
        if invoice == "OnlyAdd":  # a short map, no action fields
            return _ok(
                {"customercost": amount, "eaqid": eaqid, "customerid": str(order.customer_id), "invoiceid": invoice_id}
            )
        action = self._action(order, "AddEmailAccount", f"Addition of {count} email accounts for {order.domain}")
        action["eaqid"] = eaqid
        if invoice == "NoInvoice":  # the flat action map, accepted and not yet done (recorded)
            action.update(actionstatus="InvoicePaid", actionstatusdesc="Request will be processed in some time.")
            return _ok(action)
        action.update(  # PayInvoice, KeepInvoice: nested one level under the invoice id
            actionstatus="InvoicePaid" if invoice == "PayInvoice" else "PendingExecution",
            actionstatusdesc="Invoice paid" if invoice == "PayInvoice" else "Invoice kept open for payment",
            invoiceid=invoice_id,
            sellingcurrencysymbol="USD",
            sellingamount=f"-{amount}",
            unutilisedsellingamount=f"-{amount}",
            customerid=str(order.customer_id),
        )
        return _ok({invoice_id: action})

    def _renew(self, order: SimOrder, months: int, invoice: str, auto_renew: bool) -> tuple[int, str, str]:
        if invoice not in ("NoInvoice", "PayInvoice", "KeepInvoice", "OnlyAdd"):
            return _error("{invoice-option=invalid}")
        if months not in self.renewal_tenures(order):
            return _error("{months=Invalid tenure}")
        action = self._action(order, "Renew", f"Renewal of Enterprise Email for {order.domain} for {months} months")

        def renewed() -> None:
            order.expires += round(months * 30.4375 * DAY)
            order.recurring = auto_renew  # renew.json *sets* auto-renewal (KB 1774)

        self._later(action["eaqid"], renewed)
        action.update(  # accepted, provisioned later (recorded)
            actionstatus="InvoicePaid",
            actionstatusdesc="Your Order will be processed by our automatic provisioning system in the next "
            "5-10 minutes.",
        )
        if invoice == "NoInvoice":
            return _ok(action)
        invoice_id = str(78000000 + order.order_id % 100000)
        amount = f"{order.accounts * 1.65 * months:.3f}"
        action.update(
            actionstatus="InvoicePaid" if invoice == "PayInvoice" else "PendingExecution",
            invoiceid=invoice_id,
            sellingcurrencysymbol="USD",
            sellingamount=f"-{amount}",
            customerid=str(order.customer_id),
        )
        return _ok({invoice_id: action})

    def _remove(self, order: SimOrder, count: int) -> tuple[int, str, str]:
        """KB 1776: the deletion is queued (ExecutionStarted) and done when LogicBoxes finishes it."""
        if count >= order.accounts:
            return _error(AT_LEAST_ONE)
        if order.accounts - count < order.in_use:
            return _error(ACCOUNTS_IN_USE)
        action = self._action(order, "DeleteEmailAccount", f"Deletion of {count} Email Accounts for {order.domain}")
        self._later(action["eaqid"], lambda: setattr(order, "accounts", order.accounts - count))
        action.update(
            actionstatus="ExecutionStarted",
            actionstatusdesc="Your email account deletion request will be processed shortly.",
        )
        return _ok(action)

    def _action(self, order: SimOrder, kind: str, desc: str) -> dict[str, str]:
        return {
            "description": order.domain,
            "entityid": str(order.order_id),
            "eaqid": self._eaqid(order),
            "actiontype": kind,
            "actiontypedesc": desc,
            "actionstatus": "Success",
            "actionstatusdesc": "Action completed successfully",
        }


def top_level_failed(order: SimOrder, call: str, with_eaqid: bool, eaqid: str) -> dict[str, Any]:
    """A change refused as public clients read it (WWW-LogicBoxes, ClientExec): `status: Failed` at
    the top, the reason in actionstatusdesc, no actionstatus (invented shape, labelled so)."""
    answer: dict[str, Any] = {
        "status": "Failed",
        "description": order.domain,
        "entityid": str(order.order_id),
        "actiontypedesc": f"{call} of {order.domain}",
        "actionstatusdesc": "Insufficient funds in the customer's account",
    }
    if with_eaqid:
        answer["eaqid"] = eaqid
    else:
        del answer["actionstatusdesc"]  # only actiontypedesc and a message to go on
        answer["message"] = "The action could not be completed"
    return answer


def failed_action(order: SimOrder, invoice: str, eaqid: str) -> dict[str, Any]:
    """A change LogicBoxes refused inside a 200 answer, nested under the invoice id."""
    invoice_id = str(78000000 + order.order_id % 100000)
    return {
        invoice_id: {
            "description": order.domain,
            "entityid": str(order.order_id),
            "actiontype": "AddEmailAccount",
            "actionstatus": "Failed",
            "actionstatusdesc": "Insufficient funds in the customer's account",
            "invoiceid": invoice_id,
            "eaqid": eaqid,
        }
    }


def _ok(body: Any) -> tuple[int, str, str]:
    return 200, "application/json", json.dumps(body)


def _error(message: str, status: int = 500) -> tuple[int, str, str]:
    return status, "application/json", json.dumps({"status": "ERROR", "message": message})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024  # the default backlog of 5 drops SYNs under a burst: 1 s retransmits


class _Handler(BaseHTTPRequestHandler):
    simulator: Simulator
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        # headers and body go out in two writes: without this, Nagle + delayed ACK add 40 ms
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        self._serve("GET", parse_qs(urlsplit(self.path).query, keep_blank_values=True))

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        params = parse_qs(urlsplit(self.path).query, keep_blank_values=True)
        for key, values in parse_qs(self.rfile.read(length).decode(), keep_blank_values=True).items():
            params.setdefault(key, []).extend(values)
        self._serve("POST", params)

    def _serve(self, method: str, params: dict[str, list[str]]) -> None:
        path = urlsplit(self.path).path
        if path.startswith("/__sim/"):
            status, ctype, body = self.simulator.control(path, params)
        else:
            status, ctype, body = self.simulator.handle(method, path, params)
        if status == 0:  # a dropped connection, as a flaky proxy does
            self.close_connection = True
            return
        data = body.encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json" if ctype in ("trickle", "huge") else ctype)
            self.send_header("Content-Length", str(30_000_000 if ctype == "huge" else len(data)))
            self.end_headers()
            if ctype == "huge":
                self.wfile.write(b"[" + b"0," * 1000)
                self.close_connection = True
            elif ctype == "trickle":  # every byte well within a read timeout, the whole far beyond any deadline
                for byte in data:
                    if self.simulator.release.wait(0.2):
                        break
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                self.close_connection = True
            else:
                self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout): nothing to tell it

    def log_message(self, format: str, *args: Any) -> None:  # quiet: it would print api keys
        pass


def demo() -> Simulator:
    """The sandbox's demo book: orders in both regions, in every interesting state."""
    now = int(time.time())
    sim = Simulator()
    demo_orders = [
        SimOrder(84372632, "example.com", "us", accounts=12, customer_id=20001),
        SimOrder(84372633, "acme.com", "us", accounts=40, customer_id=20002, expires=now + 12 * DAY, recurring=False),
        SimOrder(84372634, "globex.com", "us", "Suspended", 3, 20003, expires=now - 4 * DAY),
        SimOrder(84372635, "initech.com", "us", "Pending Delete Restorable", 8, 20003, allow_deletion=False),
        SimOrder(84372636, "example.in", "in", accounts=25, customer_id=20004, expires=now + 25 * DAY),
        SimOrder(84372637, "xn--bcher-kva.com", "in", accounts=2, customer_id=20005, recurring=None),
        SimOrder(84372638, "hooli.in", "in", "InActive", 1, 20004),
    ]
    for order in demo_orders:
        sim.add(order)
    people = {
        20001: ("Jane Doe", "Example Inc"),
        20002: ("Wile E. Coyote", "Acme Corporation"),
        20003: ("Hank Scorpio", "Globex"),
        20004: ("Priya Raman", "Example India Pvt Ltd"),
        20005: ("Jürgen Bücher", "N A"),
    }
    people.update({20100 + i: (f"Customer {i}", f"Company {i}") for i in range(4)})
    people[20101] = ("Maria Lopez", "Northwind Traders")  # orders in both regions, and money on account
    logins = {  # their own addresses: the message shortcut and `/email customer` find them by these
        20001: "jane@example.com",
        20002: "wile@example.in",  # a login at another customer's domain: both are shown
        20101: "maria@northwind.example",  # a domain without an order: the customer is shown
    }
    for customer_id, (name, company) in people.items():
        balance = {20001: "310.25", 20101: "1250.50"}.get(customer_id)
        sim.add_customer(customer_id, name, company, logins.get(customer_id), balance=balance)
    sim.own_prices[20002] = price_table(margin=0.9)  # Acme negotiated 10% off
    for i in range(1, 24):
        sim.add(
            SimOrder(
                84380000 + i,
                f"customer{i:02d}.com",
                "us" if i % 2 else "in",
                customer_id=20100 + i % 3,  # each in both regions; 20103 holds no order
                expires=now + (i * 9) * DAY,
                accounts=i,
            )
        )
    # a renewal someone started in the control panel, still being processed: on the card, in history
    sim.queue_action(
        84380007,
        "Renew",
        "Renewal of Enterprise Email for customer07.com for 12 months",
        "InvoicePaid",
        "Your Order will be processed by our automatic provisioning system in the next 5-10 minutes.",
    )
    return sim


def main(argv: list[str] | None = None) -> None:
    """`python -m bot.simulator`: serve the demo book until interrupted, e.g. to try a real Slack app
    against it (RESELLER_API_URL=<printed URL>, RESELLER_AUTH_USERID=1, RESELLER_API_KEY=sandbox-key)."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bot.simulator", description=main.__doc__)
    parser.add_argument("--delay", type=float, default=0.0, help="seconds before each answer")
    parser.add_argument("--extra-orders", type=int, default=0, help="add benchNNN.com orders in us")
    parser.add_argument("--api-key", default="sandbox-key")
    parser.add_argument(
        "--finish-after", type=float, default=None, help="finish accepted changes after this many seconds"
    )
    args = parser.parse_args(argv)
    sim = demo()
    sim.api_key, sim.delay, sim.finish_after = args.api_key, args.delay, args.finish_after
    for i in range(args.extra_orders):
        sim.add(SimOrder(90000000 + i, f"bench{i}.com", "us", accounts=5))
    sim.start()
    print(sim.base_url, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        sim.stop()


if __name__ == "__main__":
    main()
