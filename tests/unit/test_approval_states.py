"""The approval state machine and the recorded facts: pure, no sockets."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.changes import KINDS
from bot.changes.base import Context, Facts, add_months
from bot.changes.renew import auto_renew_change, tenure_choice
from bot.logicboxes import Order
from bot.values.states import TRANSITIONS, IllegalTransition, Status, check


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


# ---------------------------------------------------------------- renewals and auto-renew


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
    assert renew.facts(order(auto_renew=True)).to_details()["recurring"] is True
    assert "recurring" not in delete.facts(order(auto_renew=True)).to_details()  # auto-renew does not stop a deletion
    recorded = Facts.from_details(renew.facts(order(auto_renew=True)).to_details())
    assert recorded.changes_since(order(auto_renew=False)) == ["auto-renew on -> off"]
    assert recorded.changes_since(order(auto_renew=True)) == []
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
    return Context(client=None, currency="USD", now=datetime(2026, 12, 1, tzinfo=UTC))  # type: ignore[arg-type]


def test_the_tenure_proposed_is_a_year_when_sold_else_the_longest():
    assert tenure_choice([1, 3, 6, 12]) == 12
    assert tenure_choice([1, 3, 6]) == 6


def test_a_kept_head_catches_a_cut_tail_and_a_rewritten_chain():
    from bot.approvals.auditchain import GENESIS, Head, row_hash, verify

    rows, prev = [], GENESIS
    for n in range(1, 6):
        row = {"id": n, "at": float(n), "action": "note", "actor": "U1", "detail": f'{{"n": {n}}}'}
        row.update(prev_hash=prev, row_hash=row_hash(prev, row))
        rows.append(row)
        prev = row["row_hash"]
    head = Head(5, prev)
    assert verify(rows, head).ok and verify(rows[:3]).ok  # a cut tail still follows...
    cut = verify(rows[:3], head)
    assert not cut.ok and cut.why.endswith("rows 4-5 missing")  # ...but not past the head kept
    assert not verify(rows, Head(5, "f" * 64)).ok
    assert Head.parse(str(head)) == head and verify([], Head(0, GENESIS)).ok
