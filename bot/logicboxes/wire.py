"""Pure parse functions over decoded JSON: LogicBoxes' wire format -> models or typed errors.

No I/O here, so each function is unit-tested against the recorded answers in
tests/payloads/logicboxes/. What the wire does that callers must never see: numbers and
booleans as strings *or* JSON values, epoch seconds as strings, numbered keys for rows, a bare
integer body, errors in three spellings, and change answers in three shapes.
Every parser returns a value or raises a LogicBoxesError, whatever it is given.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.logicboxes.errors import BadResponse, PriceListMissing
from bot.logicboxes.models import (
    ActionPage,
    ActionResult,
    Balance,
    Customer,
    CustomerPage,
    DnsRecord,
    Order,
    OrderSummary,
    PriceBand,
    PriceTable,
    QueuedAction,
    SearchPage,
)

PRODUCT_PREFIX = "enterpriseemail"
MAX_NESTING = 8  # how deep a change answer is searched for `actionstatus: Failed`

# ---------------------------------------------------------------- scalars


def as_int(value: Any) -> int | None:
    """An int from 84334750 or "84334750"; None for anything else (booleans included)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d{1,30}\s*", value):
        return int(value)
    return None


def as_bool(value: Any) -> bool:
    """true / "true" / "True" / 1 / "1" are true; anything else, missing included, is false."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value == 1
    return isinstance(value, str) and value.strip().lower() in ("true", "1", "yes")


def as_flag(value: Any) -> bool | None:
    """A yes/no LogicBoxes may leave out: true / "true" / 1 -> True, false / "false" / 0 -> False,
    anything else (missing, "", "maybe") -> None, so that "not given" is never read as "off"."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return True if value == 1 else False if value == 0 else None
    if isinstance(value, str):
        return {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}.get(
            value.strip().lower()
        )
    return None


def as_epoch(value: Any) -> datetime | None:
    seconds = as_int(value)
    try:
        return datetime.fromtimestamp(seconds, UTC) if seconds else None
    except (OverflowError, OSError, ValueError):  # out of range: show "unknown" rather than fail the card
        return None


def as_decimal(value: Any) -> Decimal | None:
    """Exact money from "-90.540" or 90.54 (via its repr, never through binary float arithmetic)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def as_text(value: Any) -> str | None:
    """A short string field; numbers become their text, anything else (lists, maps) is "not given"."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float | str):
        text = str(value).strip()
        return text or None
    return None


def region_of(product_key: Any, fallback: str) -> str:
    """enterpriseemailus -> us. An order's region is its product key, not the path that answered."""
    key = as_text(product_key) or ""
    if key.lower().startswith(PRODUCT_PREFIX) and key[len(PRODUCT_PREFIX) :].isalpha():
        return key[len(PRODUCT_PREFIX) :].lower()
    return fallback


# ---------------------------------------------------------------- errors


def error_message(data: Any) -> str | None:
    """The API's message when `data` is an ERROR answer ({"status": "ERROR"|"Error"|"error",
    "message"|"error": ...}), else None. Only the top level counts: a nested `status: error`
    (a sub-service refused inside a successful answer) is part of an answer."""
    if not isinstance(data, dict) or str(data.get("status", "")).strip().lower() != "error":
        return None
    message = data.get("message") or data.get("error") or "no reason given"
    return str(message) if not isinstance(message, dict | list) else _flatten(message)


def _flatten(value: Any, depth: int = 3) -> str:
    """A validation error given as a map or list, as one line (bounded: the answer is untrusted)."""
    if depth == 0 and isinstance(value, dict | list):
        return "…"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_flatten(v, depth - 1)}" for k, v in list(value.items())[:10])
    if isinstance(value, list):
        return "; ".join(_flatten(v, depth - 1) for v in value[:10])
    return str(value)[:500]


# ---------------------------------------------------------------- reads


def parse_order_id(data: Any, where: str) -> int:
    """orderid.json answers a bare integer (84372632), sometimes as a string."""
    order_id = as_int(data)
    if order_id is None or order_id <= 0:
        raise BadResponse(where, "order id is not a number")
    return order_id


def parse_order(data: Any, where: str) -> Order:
    if not isinstance(data, dict):
        raise BadResponse(where, "order details are not an object")
    order_id = as_int(data.get("entityid")) or as_int(data.get("orderid"))
    if not order_id:
        raise BadResponse(where, "order details without an order id")
    region = region_of(data.get("productkey"), where)
    return Order(
        order_id=order_id,
        domain=as_text(data.get("domainname")) or as_text(data.get("description")) or "",
        region=region,
        status=as_text(data.get("currentstatus")) or "Unknown",
        product=as_text(data.get("productkey")) or f"{PRODUCT_PREFIX}{region}",
        accounts=as_int(data.get("emailaccounts")) or 0,
        created=as_epoch(data.get("creationtime")),
        expires=as_epoch(data.get("endtime")),
        customer_id=as_int(data.get("customerid")),
        allow_deletion=as_bool(data.get("allowdeletion")),
        suspended_upon_expiry=as_bool(data.get("isOrderSuspendedUponExpiry")),
        suspended_by_parent=as_bool(data.get("orderSuspendedByParent")),
        auto_renew=as_flag(data.get("recurring")),
    )


def parse_search(data: Any, where: str) -> SearchPage:
    """Rows under numbered keys "1", "2"... with dotted field names; recsindb is the total."""
    if not isinstance(data, dict):
        raise BadResponse(where, "search answer is not an object")
    keys = sorted((k for k in data if isinstance(k, str) and k.isascii() and k.isdigit() and len(k) < 10), key=int)
    orders = [
        OrderSummary(
            order_id=as_int(row.get("orders.orderid")) or 0,
            domain=as_text(row.get("entity.description")) or "",
            region=region_of(row.get("entitytype.entitytypekey"), where),
            status=as_text(row.get("entity.currentstatus")) or "Unknown",
            customer_id=as_int(row.get("entity.customerid")),
            created=as_epoch(row.get("orders.creationtime") or row.get("orders.creationdt")),
            expires=as_epoch(row.get("orders.endtime")),
        )
        for row in (data[key] for key in keys)
        if isinstance(row, dict)
    ]
    total = as_int(data.get("recsindb"))
    return SearchPage(total=max(total if total is not None else 0, len(orders)), orders=orders)


def parse_dns(data: Any, where: str) -> list[DnsRecord]:
    """No recorded answer exists: accept a JSON array of records or an object keyed by index."""
    rows = list(data.values()) if isinstance(data, dict) else data
    if not isinstance(rows, list):
        raise BadResponse(where, "DNS records are neither a list nor an object")
    return [
        DnsRecord(
            type=(as_text(row.get("type")) or as_text(row.get("recordtype")) or "").upper(),
            host=as_text(row.get("host")) or as_text(row.get("hostname")) or "@",
            value=as_text(row.get("value")) or "",
            record_class=as_text(row.get("class")) or "IN",
            priority=as_int(row.get("priority")),
            ttl=as_int(row.get("ttl")),
        )
        for row in rows
        if isinstance(row, dict)
    ]


def parse_actions(data: Any, where: str = "actions") -> ActionPage:
    """actions/search-current.json and search-archived.json. Their nesting is not recorded
    publicly, so three are accepted: the search style (recsonpage, recsindb, rows under "1",
    "2"...), a map keyed by eaqid, and a plain list. Field names may carry a table prefix
    ("action.eaqid"); rows that are not objects, or name no eaqid, are left out."""
    if isinstance(data, list):
        rows: list[tuple[str | None, Any]] = [(None, row) for row in data]
    elif isinstance(data, dict):
        numbered = sorted(
            (k for k in data if isinstance(k, str) and k.isascii() and k.isdigit() and len(k) < 10), key=int
        )
        searchy = "recsonpage" in data or "recsindb" in data
        if searchy or (numbered and all(_row(data[k]).get("eaqid") is None for k in numbered)):
            rows = [(None, data[k]) for k in numbered]
        else:
            rows = [(k, v) for k, v in data.items() if isinstance(k, str)]
    else:
        raise BadResponse(where, "action queue answer is neither an object nor a list")
    actions = []
    for key, raw in rows:
        row = _row(raw)
        eaqid = as_text(row.get("eaqid")) or (key if key and key.isdigit() else None)
        if not row or eaqid is None:
            continue
        actions.append(
            QueuedAction(
                eaqid=eaqid,
                order_id=as_int(row.get("entityid")),
                kind=as_text(row.get("actiontype")),
                description=as_text(row.get("actiontypedesc")),
                status=as_text(row.get("actionstatus")),
                status_description=as_text(row.get("actionstatusdesc")),
                added=as_epoch(row.get("actionadded")),
                started=as_epoch(row.get("actionstarted")),
                completed=as_epoch(row.get("actioncompleted")),
                entity_type=as_text(row.get("entitytypeid")),
            )
        )
    total = as_int(data.get("recsindb")) if isinstance(data, dict) else None
    return ActionPage(total=max(total or 0, len(actions)), actions=actions, counted=total is not None)


def _row(raw: Any) -> dict[str, Any]:
    """An action's fields with any "table." prefix dropped; {} for anything that is not an object."""
    if not isinstance(raw, dict):
        return {}
    return {str(k).rsplit(".", 1)[-1].lower(): v for k, v in raw.items()}


def parse_customer(data: Any, where: str = "customers") -> Customer:
    """customers/details.json and details-by-id.json (the same flat map): the id, name, company,
    status and creation date are kept; the login, address, phone and email never are."""
    customer_id = as_int(data.get("customerid")) if isinstance(data, dict) else None
    if not isinstance(data, dict) or not customer_id:
        raise BadResponse(where, "customer details without a customer id")
    return Customer(
        customer_id,
        as_text(data.get("name")) or "",
        as_text(data.get("company")) or "",
        as_text(data.get("customerstatus")),
        as_epoch(data.get("creationdt")),
    )


def parse_customer_search(data: Any, where: str = "customers") -> CustomerPage:
    """customers/search.json: rows under "1", "2"... with dotted keys (`customer.customerid`...);
    recsindb is the total. Rows without an id are skipped; personal fields are not read."""
    if not isinstance(data, dict):
        raise BadResponse(where, "customer search answer is not an object")
    keys = sorted((k for k in data if isinstance(k, str) and k.isascii() and k.isdigit() and len(k) < 10), key=int)
    customers = []
    for row in (data[key] for key in keys):
        customer_id = as_int(row.get("customer.customerid")) if isinstance(row, dict) else None
        if customer_id:
            customers.append(
                Customer(
                    customer_id,
                    as_text(row.get("customer.name")) or "",
                    as_text(row.get("customer.company")) or "",
                    as_text(row.get("customer.customerstatus")),
                )
            )
    total = as_int(data.get("recsindb"))
    return CustomerPage(total=max(total if total is not None else 0, len(customers)), customers=customers)


def parse_balance(data: Any, where: str = "customers") -> Balance:
    """billing/customer-balance.json (documented, not recorded; KB 872): sellingcurrencybalance is
    available, sellingcurrencylockedbalance locked, totalsellingbalance the total, each kept as
    given (Q8: one module computes available = total - locked; KB 872 says otherwise)."""
    if not isinstance(data, dict):
        raise BadResponse(where, "customer balance is not an object")
    available, locked, total = (
        as_decimal(data.get(key))
        for key in ("sellingcurrencybalance", "sellingcurrencylockedbalance", "totalsellingbalance")
    )
    if available is None and total is None:
        raise BadResponse(where, "customer balance without sellingcurrencybalance or totalsellingbalance")
    return Balance(available, as_text(data.get("currencysymbol")), locked, total)


_BAND = re.compile(r"\s*(\d{1,9})\s*-\s*(\d{1,9})\s*")


def enterprise_email_tables(data: Any, where: str = "prices") -> dict[str, PriceTable]:
    """Every Enterprise Email product key of a price list -> its bands; the rest of the (large)
    map is dropped, so a cached list costs little memory."""
    if not isinstance(data, dict):
        raise BadResponse(where, "price list is not an object")
    return {
        key: _price_table(key, product)
        for key, product in data.items()
        if isinstance(key, str) and key.startswith(PRODUCT_PREFIX) and isinstance(product, dict)
    }


def parse_prices(data: Any, product_key: str, price_list: str = "price list") -> PriceTable:
    """One product's bands from a price list; PriceListMissing when the list lacks the product."""
    return table_for(enterprise_email_tables(data), product_key, price_list)


def table_for(tables: dict[str, PriceTable], product_key: str, price_list: str) -> PriceTable:
    """One product's table from a list's tables, or PriceListMissing: never another list's guess."""
    if product_key not in tables:
        raise PriceListMissing(price_list, product_key)
    return tables[product_key]


def _price_table(product_key: str, product: dict[str, Any]) -> PriceTable:
    ranges = product.get("email_account_ranges")
    bands = []
    for band_label, actions in ranges.items() if isinstance(ranges, dict) else ():
        match = _BAND.fullmatch(band_label) if isinstance(band_label, str) else None
        if not match or not isinstance(actions, dict):
            continue
        prices = {
            action: {
                int(months): price
                for months, raw in table.items()
                if isinstance(months, str) and months.isascii() and months.isdigit() and 0 < int(months) <= 120
                if (price := as_decimal(raw)) is not None and price >= 0
            }
            for action, table in actions.items()
            if isinstance(action, str) and isinstance(table, dict)
        }
        bands.append(PriceBand(int(match[1]), int(match[2]), prices))
    return PriceTable(product_key, sorted(bands, key=lambda band: band.low))


# ---------------------------------------------------------------- changes

_ACTION_FIELDS = ("actionstatus", "actiontype", "actiontypedesc", "actionstatusdesc")


def parse_action(data: Any, where: str) -> ActionResult:
    """A change's answer, whatever its shape:

    - NoInvoice (and delete, suspend...): the flat action map;
    - PayInvoice / KeepInvoice: the action map nested one level under the invoice id;
    - OnlyAdd: a short map {customercost, eaqid, customerid, invoiceid} without action fields.

    `actionstatus: Failed` anywhere in the answer, nested or not, is a failure, and so is a top-level
    `status: Failed` (public clients read failure there, Q3), with or without an eaqid. A field that is
    missing or malformed is None ("not given"); only a body that is not an object is unreadable.
    """
    if not isinstance(data, dict):
        raise BadResponse(where, "the answer to a change is not an object")
    return replace(_parse_action(data), raw=data)


def _parse_action(data: dict[str, Any]) -> ActionResult:
    if str(data.get("status", "")).strip().lower() == "failed":  # Q3: public clients read failure here
        reason = as_text(data.get("actionstatusdesc")) or as_text(data.get("actiontypedesc"))
        return ActionResult(
            failed=True,
            status=as_text(data.get("actionstatus")) or "Failed",
            description=reason or as_text(data.get("message")),
            action=as_text(data.get("actiontypedesc")) or as_text(data.get("actiontype")),
            eaqid=as_text(data.get("eaqid")),
            invoice_id=as_text(data.get("invoiceid")),
            shape="failed-status",
        )
    failed_map = _failed_map(data, MAX_NESTING)
    failed = failed_map is not None
    if any(field in data for field in _ACTION_FIELDS):
        return _action_map(data, failed_map, "action")
    nested = [(key, value) for key, value in data.items() if isinstance(value, dict) and _looks_like_action(value)]
    if nested:
        key, inner = nested[0]
        result = _action_map(inner, failed_map, "invoice")
        if result.invoice_id is None and isinstance(key, str) and key.isascii() and key.isdigit():
            result = replace(result, invoice_id=key)
        return result
    if "customercost" in data or "invoiceid" in data:
        return ActionResult(
            failed=failed,
            eaqid=as_text(data.get("eaqid")),
            invoice_id=as_text(data.get("invoiceid")),
            customer_cost=as_decimal(data.get("customercost")),
            currency=as_text(data.get("sellingcurrencysymbol")),
            shape="only-add",
        )
    return ActionResult(failed=failed, eaqid=as_text(data.get("eaqid")), shape="unknown")


def _looks_like_action(value: dict[str, Any]) -> bool:
    return any(field in value for field in (*_ACTION_FIELDS, "eaqid", "sellingamount"))


def _action_map(data: dict[str, Any], failed_map: dict[str, Any] | None, shape: str) -> ActionResult:
    source = failed_map if failed_map is not None else data  # a failed map's description is the reason
    return ActionResult(
        failed=failed_map is not None,
        status=as_text(source.get("actionstatus")) or as_text(data.get("actionstatus")),
        description=as_text(source.get("actionstatusdesc")) or as_text(data.get("actionstatusdesc")),
        action=as_text(data.get("actiontypedesc")) or as_text(data.get("actiontype")),
        eaqid=as_text(data.get("eaqid")) or as_text(source.get("eaqid")),
        invoice_id=as_text(data.get("invoiceid")),
        selling_amount=as_decimal(data.get("sellingamount")),
        currency=as_text(data.get("sellingcurrencysymbol")),
        customer_cost=as_decimal(data.get("customercost")),
        shape=shape,
    )


def _failed_map(data: Any, depth: int) -> dict[str, Any] | None:
    """The first map (breadth-first, at most `depth` levels) whose actionstatus is Failed."""
    level = [data]
    for _ in range(depth):
        next_level = []
        for item in level:
            if isinstance(item, dict):
                if str(item.get("actionstatus", "")).strip().lower() == "failed":
                    return item
                next_level += [v for v in item.values() if isinstance(v, dict | list)]
            elif isinstance(item, list):
                next_level += [v for v in item if isinstance(v, dict | list)]
        level = next_level
        if not level:
            break
    return None
