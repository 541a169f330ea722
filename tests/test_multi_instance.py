"""Several bot processes on one database: approvals stay exactly-once and the audit log is one.

Runs on SQLite (one file) and PostgreSQL (127.0.0.1:5432; skipped when absent, except under CI).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bot.store import Store
from tests.conftest import API_KEY, APPROVERS, BOT_TOKEN, SIGNING_SECRET, free_port
from tests.fakes import SlackDriver, buttons

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/shared.db"
    return request.getfixturevalue("pg_url")


def spawn(database_url: str, sim, slack, cwd: Path) -> tuple[str, subprocess.Popen]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "RESELLER_"))}
    env.update(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=slack.url + "/api/",
        RESELLER_AUTH_USERID="1",
        RESELLER_API_KEY=API_KEY,
        RESELLER_API_URL=sim.base_url,
        PORT=str(port),
        DATABASE_URL=database_url,
        APPROVERS=APPROVERS,
        PYTHONPATH=str(ROOT),
        LOG_LEVEL="WARNING",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "bot"], env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(url + "/healthz", timeout=1).close()
            return url, process
        except OSError:
            assert process.poll() is None, "the bot process exited"
            time.sleep(0.05)
    process.kill()
    pytest.fail("bot process did not start")


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


def test_two_processes_race_for_one_approval(database_url, sim, slack, tmp_path):
    sim.delay = 0.1
    (a_url, a), (b_url, b) = spawn(database_url, sim, slack, tmp_path), spawn(database_url, sim, slack, tmp_path)
    try:
        a_driver, b_driver = SlackDriver(a_url, slack, SIGNING_SECRET), SlackDriver(b_url, slack, SIGNING_SECRET)
        a_driver.command("delete acme.com").text()
        message = slack.wait("/api/chat.postMessage", 1)[0]
        ident = buttons(message)["approve"]["value"]
        clicks = [(a_driver if i % 2 else b_driver, user) for i, user in enumerate(["U0ONCALL", "U0LEAD"] * 4)]
        with ThreadPoolExecutor(len(clicks)) as pool:
            results = list(pool.map(lambda c: c[0].click("approve", ident, user=c[1]), clicks))
        assert all(r.status == 200 for r in results)
        slack.wait("/api/chat.update", 1, timeout=15)
        time.sleep(0.5)
        assert sim.count("delete", method="POST") == 1
        store = Store(database_url)
        assert store.count("execute", ident) == 1
        assert [e.action for e in store.recent(10)] == ["execute", "approve", "request"]
        # the other process sees the decision: a late click there is told who decided
        late = b_driver.click("approve", ident, user="U0LEAD").text()
        assert "already approved" in late
    finally:
        for process in (a, b):
            process.terminate()
            process.wait(timeout=20)
