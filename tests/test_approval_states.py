"""The approval state machine and the recorded facts: pure, no sockets."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.approval_states import TRANSITIONS, IllegalTransition, Status, check
from bot.changes import KINDS
from bot.changes.base import Facts, add_months
from bot.logicboxes import Order


def test_only_the_documented_moves():
    check(Status.PENDING, Status.EXECUTING)
    check(Status.EXECUTING, Status.UNKNOWN)
    for final in (s for s in Status if s.final):
        assert final not in TRANSITIONS
        for target in Status:
            with pytest.raises(IllegalTransition):
                check(final, target)  # a final state is never left
    with pytest.raises(IllegalTransition):
        check(Status.PENDING, Status.DONE)  # nothing is done without running


def order(**changes) -> Order:
    values = dict(
        order_id=1,
        domain="example.com",
        region="us",
        status="Active",
        product="enterpriseemailus",
        accounts=12,
        created=None,
        expires=datetime(2026, 12, 1, tzinfo=UTC),
        customer_id=1,
        allow_deletion=True,
    )
    return Order(**(values | changes))


def test_facts_compare_only_what_was_recorded():
    recorded = Facts.of(order())
    assert recorded.changes_since(order()) == []
    assert recorded.changes_since(order(accounts=17)) == ["12 -> 17 accounts"]
    assert recorded.changes_since(order(status="Suspended", expires=datetime(2027, 12, 1, tzinfo=UTC))) == [
        "status Active -> Suspended",
        "expiry 2026-12-01 -> 2027-12-01",
    ]
    legacy = Facts.from_details({"status": "Active", "accounts": 12})  # 0.1.0 recorded no expiry
    assert legacy.changes_since(order(expires=datetime(2030, 1, 1, tzinfo=UTC))) == []


def test_add_months_keeps_the_day_or_the_months_last():
    assert add_months(datetime(2026, 1, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)
    assert add_months(datetime(2026, 11, 15, tzinfo=UTC), 12) == datetime(2027, 11, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "kind", "reason"),
    [
        ("renew example.com 1 year reason: paid in full", "renew", "paid in full"),
        ("remove-accounts 84372632 2", "remove-accounts", None),
        ("suspend example.com reason:abuse", "suspend", "abuse"),
        ("unsuspend example.com", "unsuspend", None),
        ("add-accounts example.com 5 invoice:onlyadd reason:new hires", "add-accounts", "new hires"),
    ],
)
def test_each_kind_parses_its_words(text, kind, reason):
    name, *args = text.split()
    change = KINDS[name].parse(args)
    assert change.kind == kind and change.reason == reason
