"""Unit tests of the change kinds' pure parts: what a request records and says (no sockets)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.changes import KINDS
from bot.changes.base import Facts
from bot.changes.renew import auto_renew_change, tenure_choice
from bot.logicboxes import Order


def order(**fields) -> Order:
    values = dict(
        order_id=1,
        domain="example.com",
        region="us",
        status="Active",
        product="enterpriseemailus",
        accounts=5,
        created=None,
        expires=datetime(2027, 1, 1, tzinfo=UTC),
        customer_id=7,
        allow_deletion=True,
        auto_renew=True,
    )
    return Order(**(values | fields))


@pytest.mark.parametrize(
    ("details", "said"),
    [
        ({"recurring": True, "auto_renew_asked": None, "auto_renew": True}, "auto-renew stays on"),
        ({"recurring": False, "auto_renew_asked": None, "auto_renew": False}, "auto-renew stays off"),
        ({"recurring": True, "auto_renew_asked": False, "auto_renew": False}, "auto-renew turns off"),
        ({"recurring": False, "auto_renew_asked": True, "auto_renew": True}, "auto-renew turns on"),
        (
            {"auto_renew_asked": True, "auto_renew": True},
            "auto-renew set on (LogicBoxes did not say whether it is on now)",
        ),
        ({"auto_renew": False}, "auto-renew off"),  # a request 0.1.0 wrote: what it said it would send
    ],
)
def test_what_a_renewal_does_to_auto_renew(details, said):
    assert auto_renew_change(details) == said


def test_only_a_renewal_records_auto_renew_and_a_change_of_it_is_stale():
    renew, delete = KINDS["renew"], KINDS["delete"]
    assert renew.facts(order()).to_details()["recurring"] is True
    assert "recurring" not in delete.facts(order()).to_details()  # auto-renew does not stop a deletion
    recorded = Facts.from_details(renew.facts(order()).to_details())
    assert recorded.changes_since(order(auto_renew=False)) == ["auto-renew on -> off"]
    assert recorded.changes_since(order()) == []
    unknown = Facts.from_details(renew.facts(order(auto_renew=None)).to_details())
    assert unknown.changes_since(order(auto_renew=False)) == []  # nothing was recorded to compare


def test_a_renewal_decides_what_it_sends_at_request_time():
    renew = KINDS["renew"]
    change = renew.parse(["example.com", "12mo"])
    assert change.params.auto_renew is None  # not asked: keep
    details = {**renew.params_to_details(change.params)}
    details |= renew.request_details(order(auto_renew=False), change.params, _ctx())
    assert details["auto_renew"] is False and renew.params_from_details(details).auto_renew is False
    asked = renew.parse(["example.com", "12mo", "autorenew:on"])
    assert renew.request_details(order(auto_renew=False), asked.params, _ctx())["auto_renew"] is True


def _ctx():
    from bot.changes.base import Context

    return Context(client=None, currency="USD", now=datetime(2026, 12, 1, tzinfo=UTC))  # type: ignore[arg-type]


def test_the_tenure_proposed_is_a_year_when_sold_else_the_longest():
    assert tenure_choice([1, 3, 6, 12]) == 12
    assert tenure_choice([1, 3, 6]) == 6
