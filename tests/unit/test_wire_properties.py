"""Property tests: whatever LogicBoxes sends, every parser returns a value or raises a typed
LogicBoxesError, never another exception (which would crash a card after money had moved)."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.logicboxes import LogicBoxesError, wire
from bot.logicboxes.transport import Transport, _Retryable
from tests.support import PAYLOADS

RECORDED = sorted((PAYLOADS / "logicboxes").glob("*.json"))

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20)
keys = st.sampled_from(
    [
        "1",
        "2",
        "status",
        "message",
        "error",
        "actionstatus",
        "actionstatusdesc",
        "sellingamount",
        "invoiceid",
        "eaqid",
        "customercost",
        "entityid",
        "orderid",
        "productkey",
        "emailaccounts",
        "endtime",
        "customerid",
        "recsindb",
        "email_account_ranges",
        "enterpriseemailus",
        "1-5",
        "add",
        "12",
        "type",
        "host",
        "value",
        "name",
        "company",
        "priority",
        "orders.orderid",
        "entity.description",
        "customer.customerid",
        "customer.name",
        "customerstatus",
        "creationdt",
        "sellingcurrencybalance",
        "currencysymbol",
    ]
) | st.text(max_size=8)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=6),
    max_leaves=30,
)

PARSERS = [
    lambda data: wire.parse_order_id(data, "us"),
    lambda data: wire.parse_order(data, "us"),
    lambda data: wire.parse_search(data, "us"),
    lambda data: wire.parse_dns(data, "us"),
    lambda data: wire.parse_customer(data),
    lambda data: wire.parse_customer_search(data),
    lambda data: wire.parse_balance(data),
    lambda data: wire.parse_prices(data, "enterpriseemailus"),
    lambda data: wire.parse_action(data, "us"),
    lambda data: wire.error_message(data),
]


def survives(data) -> None:
    for parse in PARSERS:
        try:
            parse(data)
        except LogicBoxesError:
            pass


@given(json_values)
@settings(max_examples=300, deadline=None)
def test_parsers_survive_arbitrary_json(data):
    survives(data)


@given(st.sampled_from(RECORDED), st.data())
@settings(max_examples=200, deadline=None)
def test_transport_survives_truncated_recorded_answers(path, data):
    body = path.read_bytes()
    cut = data.draw(st.integers(0, len(body)))
    status = data.draw(st.sampled_from([200, 400, 403, 500, 502]))
    try:
        survives(Transport._decode(status, body[:cut], "us"))
    except (LogicBoxesError, _Retryable):
        pass


@given(st.binary(max_size=200), st.sampled_from([200, 400, 500]))
@settings(max_examples=200, deadline=None)
def test_transport_survives_arbitrary_bytes(body, status):
    try:
        Transport._decode(status, body, "us")
    except (LogicBoxesError, _Retryable):
        pass


@given(st.integers(1, 200_000), st.sampled_from(["[", '{"a":']))
@settings(max_examples=20, deadline=None)
def test_deeply_nested_bodies(depth, opener):
    closer = "]" if opener == "[" else "}"
    try:
        survives(Transport._decode(200, (opener * depth + "1" + closer * depth).encode(), "us"))
    except (LogicBoxesError, _Retryable):
        pass


def test_huge_answers_still_parse_or_fail_typed():
    rows = {str(i): {"orders.orderid": str(i), "entity.description": f"d{i}.com"} for i in range(1, 20_001)}
    page = wire.parse_search(json.loads(json.dumps({"recsindb": "20000", **rows})), "us")
    assert len(page.orders) == 20_000 and page.orders[-1].order_id == 20_000
