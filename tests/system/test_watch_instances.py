"""Exactly one watcher: several `python -m bot` processes on PostgreSQL take part in the watch, a
lease in the database lets one run each round, nothing is alerted twice, and when the watcher is
killed (-9) mid-round another takes over within the lease time and resumes that round."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import ExitStack

import pytest

from bot.approvals.store import engine_for
from bot.sandbox.dnsserver import ZoneServer
from bot.sandbox.simulator import SimOrder
from bot.watch.records import WatchRecords
from tests.support import bot_process, database_down, eventually, free_port, process_env

ALERTS = "C0ALERTS"
US = "mx.us.enterprise-email.example."


RIGHT = f"10 mx1.{US}\n@ IN MX 20 mx2.{US}"  # the two MX hosts every simulated order needs


def zone(domain: str, mx: str = RIGHT) -> str:
    head = "$TTL 300\n@ IN SOA ns1 hostmaster 1 7200 900 1209600 300\n@ IN NS ns1\n"
    return head + f"@ IN MX {mx}\n"


@pytest.fixture
def zones():
    server = ZoneServer().start()
    yield server
    server.stop()


def book(sim, zones, count: int, broken: tuple[int, ...] = ()) -> None:
    sim.orders = {}
    sim.queue.clear()
    for n in range(count):
        domain = f"w{n:03d}.com"
        sim.add(SimOrder(84500000 + n, domain, "us"))
        zones.set_zone(domain + ".", zone(domain, "10 mx.oldhost.net." if n in broken else RIGHT))


def spawn(stack: ExitStack, sim, slack, zones, pg_url: str, tmp_path, **extra: str):
    port = free_port()
    env = process_env(
        sim,
        slack,
        PORT=str(port),
        DATABASE_URL=pg_url,
        LOG_LEVEL="WARNING",
        ALERTS_CHANNEL=ALERTS,
        DNS_RESOLVERS=zones.address,
        WATCH_INTERVAL="1",
        WATCH_LEASE_TTL="2",
        WATCH_CONFIRM_ROUNDS="1",
        **extra,
    )
    return stack.enter_context(bot_process([sys.executable, "-m", "bot"], env, tmp_path, port))


def alert_texts(slack) -> list[str]:
    return [p.get("text", "") for p in slack.posts("/api/chat.postMessage") if p.get("channel") == ALERTS]


def test_two_processes_on_postgres_alert_each_problem_once(sim, slack, zones, pg_url, tmp_path):
    book(sim, zones, 6, broken=(2,))
    records = WatchRecords(engine_for(pg_url))
    with ExitStack() as stack:
        spawn(stack, sim, slack, zones, pg_url, tmp_path)
        spawn(stack, sim, slack, zones, pg_url, tmp_path)
        eventually(lambda: any("problem(s) already" in t for t in alert_texts(slack)), "the first round's summary", 60)
        zones.set_zone("w004.com.", zone("w004.com", "10 mx.elsewhere.example."))
        eventually(lambda: any("w004.com" in t for t in alert_texts(slack)), "the new problem's alert", 60)
        seen = records.round()["number"]
        eventually(lambda: records.round().get("number", 0) >= seen + 3, "three more rounds", 60)
    texts = alert_texts(slack)
    assert len([t for t in texts if "problem(s) already" in t]) == 1
    assert len([t for t in texts if "w004.com" in t]) == 1
    assert len(texts) == 2


def test_the_survivor_of_a_killed_watcher_resumes_its_round(sim, slack, zones, pg_url, tmp_path):
    book(sim, zones, 320, broken=(7,))
    # the first watcher reads the first chunk's records (100 orders), then its next read hangs: it
    # is in the middle of its first round, whatever the speed of this machine
    sim.release.clear()
    sim.fail("us", "dns-record", *[""] * 100)
    sim.sticky_faults[("us", "dns-record")] = "slow"
    records = WatchRecords(engine_for(pg_url))
    with ExitStack() as stack:
        first = spawn(stack, sim, slack, zones, pg_url, tmp_path)
        eventually(lambda: records.round().get("after", 0) > 0, "the first chunk of the first round", 60)
        second = spawn(stack, sim, slack, zones, pg_url, tmp_path)
        place = records.round()
        assert place["number"] == 1 and place["running"] and place["after"] == 84500099
        os.kill(first.process.pid, signal.SIGKILL)
        sim.heal()
        sim.release.set()  # LogicBoxes answers again; the survivor takes over once the lease lapses
        eventually(lambda: not records.round().get("running"), "the survivor to finish the round", 90)
        finished = records.round()
        assert finished["number"] == 1 and finished["started"] == place["started"]  # resumed, not restarted
        assert finished["checked"] >= 320 and finished["unchecked"] == 0
        eventually(lambda: any("problem(s) already" in t for t in alert_texts(slack)), "the summary", 30)
        assert second.process.poll() is None
    summaries = [t for t in alert_texts(slack) if "problem(s) already" in t]
    assert len(summaries) == 1


def test_python_m_bot_watch_runs_the_watch_alone_and_stops_cleanly(sim, slack, zones, pg_url, tmp_path):
    book(sim, zones, 3, broken=(1,))
    env = process_env(
        sim,
        slack,
        DATABASE_URL=pg_url,
        ALERTS_CHANNEL=ALERTS,
        DNS_RESOLVERS=zones.address,
        WATCH="off",  # as the web processes would have it: `python -m bot watch` watches anyway
        WATCH_CONFIRM_ROUNDS="1",
    )
    with bot_process([sys.executable, "-m", "bot", "watch"], env, tmp_path) as watcher:
        eventually(lambda: any("problem(s) already" in t for t in alert_texts(slack)), "the first round's summary", 60)
        watcher.process.send_signal(signal.SIGTERM)
        assert watcher.process.wait(timeout=30) == 0
    assert "w001.com" in alert_texts(slack)[0] and WatchRecords(engine_for(pg_url)).lease_holder(time.time()) is None


def test_python_m_bot_watch_without_alerts_channel_is_one_line_and_exit_2(sim, slack, tmp_path):
    env = process_env(sim, slack, DATABASE_URL=f"sqlite:///{tmp_path}/w.db")
    done = subprocess.run(
        [sys.executable, "-m", "bot", "watch"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2 and "python -m bot watch needs ALERTS_CHANNEL" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_round_with_the_database_down_posts_nothing_and_is_said_skipped(start_bot, sim, slack, zones, pg_url, caplog):
    book(sim, zones, 3, broken=(1,))
    bot = start_bot(
        database_url=pg_url, alerts_channel=ALERTS, dns_resolvers=zones.address, watch=False, watch_confirm_rounds=1
    )
    runner = bot.bot.deps.watch.runner
    name = pg_url.rsplit("/", 1)[1]
    database_down(name, True)
    try:
        assert runner.run_once() is None
    finally:
        database_down(name, False)
    assert "watch: the lease cannot be read" in caplog.text or "round skipped" in caplog.text
    assert alert_texts(slack) == []
    report = runner.run_once()  # the database is back: the round runs, and alerts
    assert report is not None and report.number == 1 and len(alert_texts(slack)) == 1
