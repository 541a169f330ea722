"""Several bot processes on one database: approvals stay exactly-once and the audit log is one.

Runs on SQLite (one file) and PostgreSQL (127.0.0.1:5432; skipped when absent, except under CI).
"""

from __future__ import annotations

import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import pytest

from bot.approvals.store import Store
from tests.support import (
    ORDER_PAIRS,
    SIGNING_SECRET,
    SlackDriver,
    bot_process,
    buttons,
    eventually,
    free_port,
    process_env,
    visible_text,
)


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/shared.db"
    return request.getfixturevalue("pg_url")


def spawn(stack: ExitStack, database_url: str, sim, slack, cwd: Path, **extra: str) -> SlackDriver:
    """Start one more bot process on the shared database; return a Slack driver for it."""
    port = free_port()
    env = process_env(sim, slack, PORT=str(port), DATABASE_URL=database_url, LOG_LEVEL="WARNING", **extra)
    bot = stack.enter_context(bot_process([sys.executable, "-m", "bot"], env, cwd, port))
    return SlackDriver(bot.url, slack, SIGNING_SECRET)


def test_workers_starting_together_on_a_fresh_database(database_url):
    barrier = threading.Barrier(6)

    def start() -> Store:
        barrier.wait()
        return Store(database_url)  # creates the schema, as every gunicorn worker does at boot

    with ThreadPoolExecutor(6) as pool:
        stores = list(pool.map(lambda _: start(), range(6)))
    assert all(store.recent(1) == [] for store in stores)


def test_store_claim_is_exactly_once_across_threads(database_url):
    stores = [Store(database_url) for _ in range(4)]  # four engines, as four processes would have
    stores[0].add(
        dict(
            id="a1",
            kind="delete",
            order_id=1,
            domain="x.com",
            region="us",
            details={},
            requester="U1",
            channel="C1",
            message_ts="1",
            status="pending",
            created_at=0.0,
            expires_at=1e12,
            decided_by=None,
            decided_at=None,
            outcome=None,
        )
    )
    barrier = threading.Barrier(16)

    def claim(i: int) -> bool:
        barrier.wait()
        return stores[i % 4].claim("a1", "executing", f"U{i}", time.time())

    with ThreadPoolExecutor(16) as pool:
        wins = list(pool.map(claim, range(16)))
    assert wins.count(True) == 1
    assert stores[1].get("a1")["status"] == "executing"


KINDS = [
    ("delete acme.com", "delete", {"order-id": ["84372633"]}),
    ("add-accounts acme.com 5 invoice:PayInvoice", "add-email-account", {"no-of-accounts": ["5"]}),
    ("renew acme.com 12mo autorenew:on", "renew", {"months": ["12"], "auto-renew": ["true"]}),
    ("remove-accounts acme.com 2", "delete-email-account", {"no-of-accounts": ["2"]}),
    ("suspend acme.com reason:abuse report 77", "suspend", {"reason": ["abuse report 77"]}),
    ("unsuspend globex.com reason:paid", "unsuspend", {"order-id": ["84372634"]}),
]

ACCEPTED_HERE = {"add-email-account", "delete-email-account", "renew"}  # LogicBoxes runs these later


def race(database_url: str, sim, slack, cwd: Path, command: str, call: str, params: dict, start_bot=None) -> None:
    """Two bot processes on one database (or, with `start_bot`, two instances in this process, each
    with its own engine and app); approve clicks fly at both; exactly one call is made."""
    sim.delay = 0.1
    with ExitStack() as stack:
        if start_bot is None:
            a_driver, b_driver = (spawn(stack, database_url, sim, slack, cwd) for _ in range(2))
        else:
            a_driver, b_driver = (start_bot(database_url=database_url).driver for _ in range(2))
        a_driver.command(command).text()
        message = slack.wait("/api/chat.postMessage", 1)[0]
        ident = buttons(message)["approve"]["value"]
        clicks = [(a_driver if i % 2 else b_driver, user) for i, user in enumerate(["U0ONCALL", "U0LEAD"] * 4)]
        with ThreadPoolExecutor(len(clicks)) as pool:
            results = list(pool.map(lambda c: c[0].click("approve", ident, user=c[1]), clicks))
        assert all(r.status == 200 for r in results)
        update = slack.wait_outcomes(1, timeout=15)[0]
        accepted = call in ACCEPTED_HERE  # LogicBoxes answers these InvoicePaid / ExecutionStarted: not done yet
        assert ("accepted by LogicBoxes, being processed" if accepted else "approved and done") in visible_text(update)

        def told() -> list[dict]:
            return [p for r in results for p in slack.posts(r.response_path)]

        slack.wait_until(lambda: len(told()) >= len(clicks) - 1, 15, "every losing click to be told")
        assert all("already approved" in p["text"] for p in told())
        (made,) = [c for c in sim.calls if c.name == call and c.method == "POST"]
        assert {key: made.params.get(key) for key in params} == params
        store = Store(database_url)
        assert store.count("execute", ident) == 1
        assert [e.action for e in store.recent(4)] == ["execute", "answer", "approve", "request"]
        assert store.verify_audit().ok
        # the other process sees the decision: a late click there is told who decided
        late = b_driver.click("approve", ident, user="U0LEAD").text()
        assert "already approved" in late


def test_two_processes_race_for_one_approval(database_url, sim, slack, tmp_path):
    race(database_url, sim, slack, tmp_path, *KINDS[0])


@pytest.mark.parametrize(("command", "call", "params"), KINDS[1:], ids=[k[1] for k in KINDS[1:]])
def test_every_change_kind_runs_once_across_instances_on_postgres(
    start_bot, pg_url, sim, slack, tmp_path, command, call, params
):
    """The claim that makes it exactly once is the same for every kind and is proven across real
    processes above; per kind, two instances in this process share PostgreSQL (each its own engine,
    pool and app), and the kind's one call carries its parameters."""
    race(pg_url, sim, slack, tmp_path, command, call, params, start_bot=start_bot)


def invalidations(driver: SlackDriver) -> float:
    from prometheus_client.parser import text_string_to_metric_families

    with urllib.request.urlopen(driver.bot_url + "/metrics", timeout=5) as response:
        text = response.read().decode()
    return sum(
        s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == "mailops_cache_invalidations_total"
    )


def test_a_change_made_by_one_instance_leaves_no_stale_order_in_another(database_url, sim, slack, tmp_path):
    """An hour of cache TTL, two instances: B has the order cached, A adds accounts; B drops the
    order as soon as it hears of the change (LISTEN/NOTIFY on PostgreSQL, polling on SQLite)."""
    with ExitStack() as stack:
        a, b = (spawn(stack, database_url, sim, slack, tmp_path, ORDER_CACHE_TTL="3600") for _ in range(2))
        assert "*Email accounts*\n40" in b.command("order acme.com").text()
        assert "*Email accounts*\n40" in b.command("order acme.com").text()
        details = sim.count("details")  # the second lookup came from B's cache
        a.command("add-accounts acme.com 5").text()
        ident = buttons(slack.wait("/api/chat.postMessage", 1)[0])["approve"]["value"]
        a.click("approve", ident, user="U0ONCALL")
        assert "accepted by LogicBoxes" in visible_text(slack.wait_outcomes(1, timeout=15)[0])
        sim.finish_all()  # LogicBoxes adds them; the instance that made the change announced it already
        # B heard of it: an event B reports (its metrics), not a guess at how long it takes
        eventually(lambda: invalidations(b) >= 1, "B to hear of the change")
        card = b.command("order acme.com").text()
    assert "*Email accounts*\n45" in card
    assert sim.count("details") > details  # asked LogicBoxes again, not the stale cache


@pytest.mark.parametrize(
    ("first_text", "first_call", "second_text", "second_call"), ORDER_PAIRS, ids=[p[1] for p in ORDER_PAIRS]
)
def test_two_changes_to_one_order_approved_on_two_processes_make_one_call_on_postgres(
    pg_url, sim, slack, tmp_path, first_text, first_call, second_text, second_call
):
    """Each approval clicked on its own process: the order's claim in PostgreSQL lets one through."""
    slow = {"READ_TIMEOUT": "30", "COMMAND_DEADLINE": "30"}  # the held call is never given up on
    with ExitStack() as stack:
        a, b = (spawn(stack, pg_url, sim, slack, tmp_path, **slow) for _ in range(2))
        a.command(first_text).text()
        b.command(second_text).text()
        slack.wait_until(lambda: len(_requests(slack)) == 2, 15, "both requests")
        first, second = (buttons(m)["approve"]["value"] for m in _requests(slack))
        store = Store(pg_url)
        sim.fail("us", first_call, "slow")  # LogicBoxes holds the first call until released
        a.click("approve", first, user="U0ONCALL")
        eventually(lambda: sim.count(first_call, method="POST") == 1, "the first change to reach LogicBoxes")
        b.click("approve", second, user="U0LEAD")
        eventually(lambda: store.get(second)["status"] == "executing", "the second approval on the other process")
        sim.release.set()
        eventually(lambda: store.get(second)["status"] == "failed", "the second to be checked again", 30)
        assert sim.count(first_call, method="POST") == 1 and sim.count(second_call, method="POST") == 0
        error = store.get(second)["outcome"]["error"]
        assert "since this was asked; ask again" in error or "has an action pending at LogicBoxes" in error
        eventually(lambda: store.order_holder(84372633) is None, "the order to be given back with the outcome")
        assert store.verify_audit().ok


def _requests(slack) -> list[dict]:
    return [p for p in slack.posts("/api/chat.postMessage") if "approve" in buttons(p)]
