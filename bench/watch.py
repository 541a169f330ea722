"""Benchmark of the watch: a round over a book of 2,000 orders on the simulator (0.2 s per call)
with a loopback DNS server, run by the bot as deployed (gunicorn, the Procfile's settings).

    python bench/watch.py [--orders 2000] [--delay 0.2] [--reps 3] [--json bench/watch.json]

Reports the round's time, its LogicBoxes calls and DNS queries, the CPU the bot's workers spent
on it, and the ack p99 of bursts of 50 distinct lookups as a ratio to a bare Bolt app served the
same way: during a round, and with the same bot started without the watch. Nothing here asserts a
time; it runs outside the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import API_KEY, SECRET, TOKEN, Load, RemoteSimulator, Server, summarize  # noqa: E402
from bot.approvals.store import engine_for  # noqa: E402
from bot.sandbox.dnsserver import ZoneServer  # noqa: E402
from bot.sandbox.simulator import demo_zones  # noqa: E402
from bot.watch.records import WatchRecords  # noqa: E402
from tests.support import FakeSlack  # noqa: E402

US = "mx.us.enterprise-email.example."
ALERTS = "C0BENCHALERTS"


def bench_zones(orders: int) -> dict[str, str]:
    """The simulator's bench{i}.com orders, set up right, one in a hundred pointed elsewhere."""
    head = "$TTL 300\n@ IN SOA ns1 hostmaster 1 7200 900 1209600 300\n@ IN NS ns1\n"
    zones = dict(demo_zones())
    for i in range(orders):
        mx = "@ IN MX 10 mx.oldhost.net." if i % 100 == 7 else f"@ IN MX 10 mx1.{US}\n@ IN MX 20 mx2.{US}"
        spf = f'@ IN TXT "v=spf1 include:spf.{US.rstrip(".")} ~all"'
        zones[f"bench{i}.com."] = f"{head}{mx}\n{spf}\nwebmail IN CNAME webmail.{US}\n"
    return zones


def cpu_seconds(master_pid: int) -> float:
    """User and system CPU of the gunicorn workers (children of the master), in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split():
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def bursts(load: Load, base: Load, ids: list[int], reps: int) -> dict[str, float]:
    """Bursts of 50 distinct lookups at the bot and at the bare Bolt app; the median p99s and their ratio."""
    bot, baseline = [], []
    for rep in range(reps):
        texts = [f"order {i}" for i in ids[rep * 50 : rep * 50 + 50]]
        bot.append(summarize(load.fire(texts, 50), None)["ack_p99_ms"])
        baseline.append(summarize(base.fire(texts, 50), None)["ack_p99_ms"])
        time.sleep(0.5)
    bot_p99, base_p99 = statistics.median(bot), statistics.median(baseline)
    return {
        "bot_ack_p99_ms": round(bot_p99, 1),
        "base_ack_p99_ms": round(base_p99, 1),
        "ratio": round(bot_p99 / base_p99, 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--delay", type=float, default=0.2, help="fake LogicBoxes seconds per call")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--json", default=str(ROOT / "bench" / "watch.json"))
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="mailops-watch-bench-"))
    sim = RemoteSimulator(args.delay, tmp / "simulator.log", orders=args.orders)
    zones = ZoneServer(bench_zones(args.orders)).start()
    slack = FakeSlack()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "RESELLER_", "ALERTS_", "WATCH"))}
    env.update(
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=slack.url + "/api/",
        RESELLER_AUTH_USERID="1",
        RESELLER_API_KEY=API_KEY,
        RESELLER_API_URL=sim.base_url,
        DNS_RESOLVERS=zones.address,
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    baseline = Server("bench.baseline:application", env, tmp / "baseline.log")
    base_load = Load(baseline.url, slack)
    ids = [90000000 + i for i in range(args.orders)]
    result: dict = {"orders": args.orders, "delay_s": args.delay}
    try:
        # the same bot without the watch
        plain = Server("bot.wsgi:application", {**env, "DATABASE_URL": f"sqlite:///{tmp}/plain.db"}, tmp / "plain.log")
        result["without_watch"] = bursts(Load(plain.url, slack), base_load, ids[:], args.reps)
        plain.stop()
        # the bot with the watch: its first round starts as it boots
        database = f"sqlite:///{tmp}/watch.db"
        watch_env = {**env, "DATABASE_URL": database, "ALERTS_CHANNEL": ALERTS, "WATCH_INTERVAL": "86400"}
        calls_before, queries_before = sim.by_name(), len(zones.queries)
        bot = Server("bot.wsgi:application", watch_env, tmp / "bot.log")
        cpu_before = cpu_seconds(bot.process.pid)
        records = WatchRecords(engine_for(database))
        while not records.round().get("running") and not records.round().get("finished"):
            time.sleep(0.2)
        result["during_round"] = bursts(Load(bot.url, slack), base_load, ids[500:], args.reps)
        while not records.round().get("finished"):
            time.sleep(0.5)
        place = records.round()
        calls_after = sim.by_name()
        lookups = {"details", "orderid"}  # the bursts' own calls (the round reads details only for expiring orders)
        calls = {k: v - calls_before.get(k, 0) for k, v in calls_after.items() if v - calls_before.get(k, 0)}
        result["round"] = {
            "seconds": round(place["finished"] - place["started"], 1),
            "orders": place.get("orders"),
            "checked": place.get("checked"),
            "unchecked": place.get("unchecked"),
            "opened": len(place.get("opened", [])),
            "logicboxes_calls": {k: v for k, v in calls.items() if k not in lookups or k == "search"},
            "dns_queries": len(zones.queries) - queries_before,
            "bot_cpu_seconds": round(cpu_seconds(bot.process.pid) - cpu_before, 1),
        }
        bot.stop()
    finally:
        baseline.stop()
        sim.stop()
        zones.stop()
        slack.stop()
    print(json.dumps(result, indent=2))
    Path(args.json).write_text(json.dumps(result, indent=2))
    print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
