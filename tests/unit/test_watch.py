"""The watch as plain Python: its records' state machine and lease on an in-memory database, and
rounds over the simulator's book in this process with live DNS replaced by answers the test sets
(no resolver, no sockets), under a clock the test moves."""

from __future__ import annotations

import shutil

import pytest

from bot.approvals.store import Store
from bot.dns.check import Observed
from bot.dns.live import DomainMissing, ResolverFailed
from bot.sandbox.simulator import DAY, SimOrder, Simulator
from bot.usecases.service import MailService
from bot.watch.alerts import CLOSED, DUE, OPEN, POSTED, RESOLVE, RESOLVED, SUMMARY, UPDATE, Alert
from bot.watch.records import WatchRecords
from bot.watch.rounds import Settings, Watch
from tests.support import FakeClock, in_process_client

US = "mx.us.enterprise-email.example"
RIGHT = [(10, f"mx1.{US}"), (20, f"mx2.{US}")]


class FakeDns:
    """Live DNS as the test says: MX rows by domain; a domain missing from `mx` does not exist;
    one in `failing` makes the resolver fail."""

    def __init__(self) -> None:
        self.mx: dict[str, list[tuple[int, str]]] = {}
        self.failing: set[str] = set()
        self.asked: list[str] = []

    def forget(self) -> None:
        pass

    def observe(self, domain, required):
        self.asked.append(domain)
        if domain in self.failing:
            raise ResolverFailed("127.0.0.1", "did not answer in time", domain, "MX")
        if domain not in self.mx:
            raise DomainMissing(domain)
        return Observed(mx=self.mx[domain])


@pytest.fixture
def records(tmp_path, migrated_sqlite) -> WatchRecords:
    shutil.copyfile(migrated_sqlite, tmp_path / "watch.db")  # at the schema's head already
    return WatchRecords(Store(f"sqlite:///{tmp_path}/watch.db").engine)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sim() -> Simulator:
    return Simulator()


@pytest.fixture
def dns() -> FakeDns:
    return FakeDns()


def make_watch(sim, records, dns, clock, **settings) -> Watch:
    service = MailService(in_process_client(sim), ["us", "in"], probe_threads=2)
    return Watch(service, records, dns, Settings(**{"confirm_rounds": 2, **settings}), clock)


def add(sim, dns, n: int, mx=RIGHT, **fields) -> SimOrder:
    order = sim.add(SimOrder(84600000 + n, f"u{n:03d}.com", "us", **fields))
    if mx is not None:
        dns.mx[order.domain] = mx
    return order


# ---------------------------------------------------------------- records


def test_a_problem_opens_after_the_confirm_rounds_and_resolves_after_as_many_good_ones(records, clock):
    problem = Alert("mail:1", "mail", 1, "a.com", "Mail for a.com does not reach Enterprise Email")
    assert records.bad(problem, clock(), confirm=2, post=DUE).state == "suspect"
    opened = records.bad(problem, clock(), confirm=2, post=DUE)
    assert opened.state == OPEN and opened.post == DUE and opened.bad_rounds == 2
    records.posted("mail:1", POSTED, "C0ALERTS", "1.1")
    assert records.good("mail:1", clock(), confirm=2).state == OPEN
    resolved = records.good("mail:1", clock(), confirm=2)
    assert resolved.state == RESOLVED and resolved.post == RESOLVE  # its message is to be updated


def test_a_suspect_problem_that_goes_away_is_forgotten_and_one_never_posted_closes_quietly(records, clock):
    problem = Alert("mail:1", "mail", 1, "a.com", "bad")
    records.bad(problem, clock(), confirm=2, post=DUE)
    assert records.good("mail:1", clock(), confirm=2) is None and records.get("mail:1") is None
    records.bad(problem, clock(), confirm=1, post=SUMMARY)
    assert records.good("mail:1", clock(), confirm=1).post == CLOSED  # in no message yet: nothing to update


def test_a_resolved_problem_that_returns_is_a_new_one(records, clock):
    problem = Alert("mail:1", "mail", 1, "a.com", "bad")
    records.bad(problem, clock(), confirm=1, post=DUE)
    records.posted("mail:1", POSTED, "C0ALERTS", "1.1")
    records.good("mail:1", clock(), confirm=1)
    clock.advance(3600)
    again = records.bad(problem, clock(), confirm=1, post=DUE)
    assert again.state == OPEN and again.post == DUE and again.ts is None and again.first_seen == clock()


def test_the_lease_is_one_holders_until_it_lapses_or_is_released(records, clock):
    assert records.take_lease("a", clock(), ttl=60)
    assert not records.take_lease("b", clock(), ttl=60)
    assert records.take_lease("a", clock() + 30, ttl=60)  # renewed by its holder
    assert not records.take_lease("b", clock() + 80, ttl=60)
    assert records.take_lease("b", clock() + 91, ttl=60)  # lapsed: taken over
    records.release_lease("b")
    assert records.lease_holder(clock() + 92) is None and records.take_lease("a", clock() + 92, ttl=60)


# ---------------------------------------------------------------- rounds


def test_a_round_checks_each_active_order_past_its_grace_and_alerts_only_what_is_wrong(sim, records, dns, clock):
    add(sim, dns, 1)
    moved = add(sim, dns, 2, mx=[(10, "mx.oldhost.net")])
    add(sim, dns, 3, mx=[(10, f"mx1.{US}")])  # the backup MX missing: mail still arrives
    add(sim, dns, 4, mx=[(10, "mx.oldhost.net")], created=int(clock()) - 2 * DAY)  # in its grace days
    add(sim, dns, 5, mx=[(10, "mx.oldhost.net")], status="Suspended")
    gone = add(sim, dns, 6, mx=None)
    watch = make_watch(sim, records, dns, clock, confirm_rounds=1)
    report = watch.round()
    assert report.checked == 4 and report.unchecked == 0
    assert sorted(report.opened) == sorted([f"mail:{moved.order_id}", f"mail:{gone.order_id}"])
    assert "mx.oldhost.net" in records.get(f"mail:{moved.order_id}").summary
    assert records.get(f"mail:{moved.order_id}").post == SUMMARY  # the first round's: one summary
    assert records.get(f"mail:{gone.order_id}").summary == "u006.com no longer exists in DNS"


def test_a_failing_resolver_leaves_the_order_unchecked_and_most_unchecked_is_one_operational_alert(
    sim, records, dns, clock
):
    for n in range(4):
        add(sim, dns, n, mx=[(10, "mx.oldhost.net")])
    dns.failing = {"u000.com", "u001.com", "u002.com"}
    watch = make_watch(sim, records, dns, clock, confirm_rounds=1)
    report = watch.round()
    assert (report.checked, report.unchecked) == (1, 3)
    assert report.opened == ["mail:84600003", "outage:dns"]
    assert records.get("mail:84600000") is None  # never the customer's problem
    dns.failing = set()
    report = watch.round()
    assert "outage:dns" in report.resolved


def test_expiring_with_auto_renew_off_once_per_order_and_expiry(sim, records, dns, clock):
    now = int(clock())
    off = add(sim, dns, 1, expires=now + 5 * DAY, recurring=False)
    add(sim, dns, 2, expires=now + 5 * DAY, recurring=True)
    add(sim, dns, 3, expires=now + 40 * DAY, recurring=False)  # beyond EXPIRY_WARNING_DAYS
    watch = make_watch(sim, records, dns, clock)
    (opened,) = watch.round().opened
    assert opened == f"expiry:{off.order_id}:{off.expires}"
    assert watch.round().opened == []  # once
    off.expires += 365 * DAY  # renewed
    assert watch.round().resolved == [opened]


def test_an_unfinished_round_is_resumed_where_it_stopped(sim, records, dns, clock):
    for n in range(250):
        add(sim, dns, n)
    watch = make_watch(sim, records, dns, clock)
    records.save_round(
        {
            "number": 4,
            "started": 1.0,
            "running": True,
            "after": 84600149,
            "checked": 150,
            "unchecked": 0,
            "since": 0.0,
            "opened": [],
            "resolved": [],
        }
    )  # as an instance that died after its second chunk left it
    report = watch.round()
    assert report.number == 4 and report.started == 1.0 and report.checked == 250
    assert sorted(dns.asked) == [f"u{n:03d}.com" for n in range(150, 250)]  # the rest, each once (in any order)
    assert records.round()["running"] is False


def test_failed_actions_since_the_first_round_less_a_day_and_long_pending_ones(sim, records, dns, clock):
    order = add(sim, dns, 1)
    old = sim.queue_action(order.order_id, "Add", "Addition of 2 accounts", "Failed", "old")
    sim.queue[old]["actioncompleted"] = str(int(clock()) - 3 * DAY)
    recent = sim.queue_action(order.order_id, "Renew", "Renewal for 12 months", "Failed", "Card declined")
    pending = sim.queue_action(order.order_id, "Renew", "Renewal for 1 month", "InvoicePaid")
    sim.queue[pending]["actionadded"] = str(int(clock()) - 2 * DAY)
    watch = make_watch(sim, records, dns, clock, stuck_after=DAY)
    report = watch.round()
    assert sorted(report.opened) == sorted([f"failed:{recent}", f"stuck:{pending}"])
    assert records.get(f"failed:{recent}").detail["said"] == "Card declined"
    sim.finish_action(pending)
    assert watch.round().resolved == [f"stuck:{pending}"]


# ---------------------------------------------------------------- resolved only on evidence


def test_a_round_that_cannot_read_the_queue_leaves_a_stuck_alert_open_and_never_posts_it_twice(
    sim, records, dns, clock
):
    order = add(sim, dns, 1)
    pending = sim.queue_action(order.order_id, "Renew", "Renewal for 1 month", "InvoicePaid")
    sim.queue[pending]["actionadded"] = str(int(clock()) - 2 * DAY)
    watch = make_watch(sim, records, dns, clock, stuck_after=DAY)
    assert watch.round().opened == [f"stuck:{pending}"]
    records.posted(f"stuck:{pending}", POSTED, "C1", "1.1")
    sim.fail("us", "search-current", "error", sticky=True)  # the queue cannot be read this round
    sim.fail(None, "search-current", "error", sticky=True)
    report = watch.round()
    assert report.resolved == [] and records.get(f"stuck:{pending}").state == OPEN
    sim.heal()
    report = watch.round()
    assert report.opened == [] and report.resolved == []  # the same problem, not posted again
    assert records.get(f"stuck:{pending}").post == POSTED


def test_a_stuck_action_closes_as_logicboxes_finished_it(sim, records, dns, clock):
    order = add(sim, dns, 1)
    ok, bad = (sim.queue_action(order.order_id, "Renew", f"Renewal for {n} month", "InvoicePaid") for n in (1, 2))
    for eaqid in (ok, bad):
        sim.queue[eaqid]["actionadded"] = str(int(clock()) - 2 * DAY)
    watch = make_watch(sim, records, dns, clock, stuck_after=DAY)
    assert sorted(watch.round().opened) == sorted([f"stuck:{ok}", f"stuck:{bad}"])
    for eaqid in (ok, bad):
        records.posted(f"stuck:{eaqid}", POSTED, "C1", eaqid)
    sim.finish_action(ok, "Success")
    sim.finish_action(bad, "Failed", "Card declined")
    report = watch.round()
    assert report.resolved == [f"stuck:{ok}"] and report.opened == []  # no second alert for the failure
    failed = records.get(f"stuck:{bad}")
    assert failed.state == OPEN and failed.kind == "failed" and failed.post == UPDATE
    assert failed.summary.startswith("LogicBoxes failed: ") and failed.detail["said"] == "Card declined"
    assert records.get(f"failed:{bad}") is None


def test_an_order_that_lapses_unrenewed_is_expired_not_resolved_until_renewed_or_deleted(sim, records, dns, clock):
    now = int(clock())
    lapsing = add(sim, dns, 1, expires=now + 2 * DAY, recurring=False)
    gone = add(sim, dns, 2, expires=now + 2 * DAY, recurring=False)
    watch = make_watch(sim, records, dns, clock)
    keys = sorted(watch.round().opened)
    assert len(keys) == 2
    for key in keys:
        records.posted(key, POSTED, "C1", key)
    clock.advance(3 * DAY)  # both lapse, nobody renewed them
    report = watch.round()
    assert report.resolved == []
    expired = records.get(f"expiry:{lapsing.order_id}:{lapsing.expires}")
    assert expired.state == OPEN and expired.post == UPDATE
    assert expired.summary.startswith(f"{lapsing.domain} expired on ") and expired.summary.endswith("without renewal")
    records.posted(expired.key, POSTED)
    assert watch.round().resolved == []  # still lapsed: no news
    lapsing.expires += 365 * DAY  # renewed after all
    sim.orders[gone.order_id].status = "Deleted"
    report = watch.round()
    assert sorted(report.resolved) == keys


def test_an_expiry_alert_resolves_when_auto_renew_is_turned_on_and_stays_while_unreadable(sim, records, dns, clock):
    now = int(clock())
    order = add(sim, dns, 1, expires=now + 5 * DAY, recurring=False)
    watch = make_watch(sim, records, dns, clock)
    (key,) = watch.round().opened
    sim.fail("us", "details", "error", sticky=True)
    assert watch.round().resolved == [] and records.get(key).state == OPEN
    sim.heal()
    order.recurring = True
    assert watch.round().resolved == [key]


def test_an_order_whose_auto_renew_logicboxes_does_not_give_is_alerted_too(sim, records, dns, clock):
    now = int(clock())
    silent = add(sim, dns, 1, expires=now + 5 * DAY, recurring=None)  # details.json without `recurring` (Q7)
    watch = make_watch(sim, records, dns, clock)
    (key,) = watch.round().opened
    assert key == f"expiry:{silent.order_id}:{silent.expires}"
    assert records.get(key).summary.endswith("and LogicBoxes does not say whether it renews")
    silent.recurring = True
    assert watch.round().resolved == [key]
