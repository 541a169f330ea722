"""Benchmark: the bot as deployed (gunicorn with the Procfile's settings) against a fake
LogicBoxes that answers in DELAY seconds, beside a bare Bolt app served the same way.

    python bench/run.py [--delay 1.5] [--reps 3] [--json bench/results.json] [--quick]

Prints a table of medians over the repetitions and writes the same numbers as JSON.
Everything runs on loopback on this machine; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support import FakeSlack, SlackDriver, free_port, procfile_web_argv  # noqa: E402

SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench-token"
API_KEY = "bench-api-key"
BENCH_ORDERS = 4000
READ_TIMEOUT = 3.0


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def proc_stats(master_pid: int) -> dict[str, float]:
    """Threads and resident memory of the gunicorn workers (children of the master)."""
    threads, rss_kb = 0, 0
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        threads += int(re.search(r"^Threads:\s+(\d+)", status, re.M)[1])
        rss_kb += int(re.search(r"^VmRSS:\s+(\d+)", status, re.M)[1])
    return {"workers": len(children), "threads": threads, "rss_mb": round(rss_kb / 1024, 1)}


class Server:
    """gunicorn running the Procfile's web command with one app swapped in if asked."""

    def __init__(self, app: str, env: dict[str, str], log: Path):
        self.port = free_port()
        argv = procfile_web_argv(self.port)
        argv[argv.index("bot.wsgi:application")] = app
        argv = [a for a in argv if a != "--access-logfile" and a != "-"]  # access lines would skew both sides
        self.process = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{self.port}"
        for _ in range(300):
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=1).close()
                time.sleep(0.5)  # let every worker finish booting
                return
            except OSError:
                if self.process.poll() is not None:
                    raise SystemExit(f"{app} did not start; see {log}") from None
                time.sleep(0.1)
        raise SystemExit(f"{app} did not answer /healthz")

    def stats(self) -> dict[str, float]:
        return proc_stats(self.process.pid)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


class Load:
    """Fires signed slash commands over fresh connections, as Slack does, and times them."""

    def __init__(self, server_url: str, slack: FakeSlack):
        self.driver = SlackDriver(server_url, slack, SECRET)
        self.host, self.port = server_url.removeprefix("http://").split(":")
        self.slack = slack
        self.counter = 0
        self.lock = threading.Lock()

    def _one(self, shot: str | tuple[str, str]) -> dict[str, float | str]:
        """One command: its text, or (the person asking, its text) to vary who asks."""
        user, text = shot if isinstance(shot, tuple) else ("U0BENCH", shot)
        with self.lock:
            self.counter += 1
            rid = f"/response/b{id(self)}-{self.counter}"
        body = urlencode(
            {
                "command": "/email",
                "text": text,
                "user_id": user,
                "channel_id": "C0BENCH",
                "team_id": "T1",
                "response_url": self.slack.url + rid,
                "trigger_id": "1",
            }
        )
        headers = self.driver.sign(body)
        sent = time.monotonic()
        conn = http.client.HTTPConnection(self.host, int(self.port), timeout=30)
        try:
            conn.request("POST", "/slack/events", body, headers)
            response = conn.getresponse()
            ack = response.read().decode(errors="replace")
            status = response.status
        except OSError:
            status, ack = 0, ""
        finally:
            conn.close()
        return {"rid": rid, "sent": sent, "acked": time.monotonic(), "status": status, "ack": ack}

    def fire(self, texts: list[str], concurrency: int) -> list[dict]:
        with ThreadPoolExecutor(concurrency) as pool:
            return list(pool.map(self._one, texts))

    def answers(self, shots: list[dict], timeout: float) -> None:
        """Wait for each command's first response_url post; note its time and text."""
        deadline = time.monotonic() + timeout
        pending = {s["rid"]: s for s in shots if s["status"] == 200}
        while pending and time.monotonic() < deadline:
            with self.slack.cond:
                for record in self.slack.records:
                    shot = pending.pop(record.path, None)
                    if shot is not None:
                        shot["answered"] = record.at
                        shot["answer"] = record.body.get("text", "")
                if pending:
                    self.slack.cond.wait(0.2)


def summarize(shots: list[dict], delay: float | None) -> dict[str, float]:
    acks = [(s["acked"] - s["sent"]) * 1000 for s in shots if s["status"] == 200]
    answered = [s for s in shots if "answered" in s]
    result = {
        "commands": len(shots),
        "acked": len(acks),
        "ack_p50_ms": percentile(acks, 50),
        "ack_p95_ms": percentile(acks, 95),
        "ack_p99_ms": percentile(acks, 99),
        "ack_max_ms": max(acks) if acks else float("nan"),
        "answered": len(answered),
        "busy": sum(1 for s in shots if "too many commands" in s.get("answer", "") + s.get("ack", "")),
        "timed_out": sum(1 for s in answered if "timed out" in s["answer"] or "not responding" in s["answer"]),
    }
    if delay is not None and answered:
        real = [s for s in answered if "too many commands" not in s["answer"]]
        overhead = [(s["answered"] - s["sent"]) * 1000 - delay * 1000 for s in real]
        after_ack = [(s["answered"] - s["acked"]) * 1000 for s in real]
        result.update(
            answer_overhead_p50_ms=percentile(overhead, 50),
            answer_overhead_p99_ms=percentile(overhead, 99),
            answer_after_ack_p50_ms=percentile(after_ack, 50),
            answer_after_ack_p99_ms=percentile(after_ack, 99),
        )
    return result


def median_of(runs: list[dict]) -> dict:
    keys = runs[0].keys()
    return {
        k: round(statistics.median(r[k] for r in runs), 1) if isinstance(runs[0][k], (int, float)) else runs[0][k]
        for k in keys
    }


class RemoteSimulator:
    """bot.sandbox.simulator in a process of its own, so its threads do not share the load generator's GIL."""

    def __init__(self, delay: float, log: Path, orders: int = BENCH_ORDERS):
        argv = [
            sys.executable,
            "-m",
            "bot.simulator",
            "--delay",
            str(delay),
            "--api-key",
            API_KEY,
            "--extra-orders",
            str(orders),
        ]
        self.process = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=log.open("w"), text=True)
        self.base_url = self.process.stdout.readline().strip()
        self.root = self.base_url.removesuffix("/api")

    def by_name(self) -> dict[str, int]:
        """Calls so far, by endpoint name (dns-record, search, details...)."""
        return dict(self._control("stats")["by_name"])

    def _control(self, action: str, **params: str) -> dict:
        url = f"{self.root}/__sim/{action}?{urlencode(params)}"
        with urllib.request.urlopen(urllib.request.Request(url, method="POST" if action != "stats" else "GET")) as r:
            return json.loads(r.read())

    @property
    def call_count(self) -> int:
        return self._control("stats")["calls"]

    def fail(self, region: str, name: str, fault: str) -> None:
        self._control("fail", region=region, name=name, fault=fault, sticky="1")

    def heal(self) -> None:
        self._control("heal")
        self._control("release")

    def hold(self) -> None:
        self._control("hold")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


class Bench:
    def __init__(self, delay: float, reps: int):
        self.delay, self.reps = delay, reps
        self.tmp = Path(tempfile.mkdtemp(prefix="mailops-bench-"))
        self.sim = RemoteSimulator(delay, self.tmp / "simulator.log")
        self.next_order = 90000000
        self.slack = FakeSlack()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "RESELLER_"))}
        env.update(
            SLACK_BOT_TOKEN=TOKEN,
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=self.slack.url + "/api/",
            RESELLER_AUTH_USERID="1",
            RESELLER_API_KEY=API_KEY,
            RESELLER_API_URL=self.sim.base_url,
            READ_TIMEOUT=str(READ_TIMEOUT),
            DATABASE_URL=f"sqlite:///{self.tmp}/bench.db",
            LOG_LEVEL="WARNING",
            PYTHONPATH=str(ROOT),
        )
        self.bot = Server("bot.wsgi:application", env, self.tmp / "bot.log")
        self.baseline = Server("bench.baseline:application", env, self.tmp / "baseline.log")
        self.load = Load(self.bot.url, self.slack)
        self.base_load = Load(self.baseline.url, self.slack)

    def fresh_ids(self, n: int) -> list[int]:
        ids = list(range(self.next_order, self.next_order + n))
        self.next_order += n
        return ids

    def calls(self) -> int:
        return self.sim.call_count

    def run(
        self,
        name: str,
        texts_for_rep,
        concurrency: int,
        wait: float,
        baseline: bool = True,
        delay: float | None = None,
        setup=None,
        reps: int | None = None,
        one_by_one: bool = False,
    ) -> dict:
        bot_runs, base_runs = [], []
        before = self.bot.stats()
        calls, after_each = [], []
        for _ in range(reps or self.reps):
            if setup:
                setup()
            texts = texts_for_rep()
            start_calls = self.calls()
            if one_by_one:  # each command waits for the previous answer: no contention at all
                shots = []
                for text in texts:
                    shots += self.load.fire([text], 1)
                    self.load.answers(shots[-1:], wait)
            else:
                shots = self.load.fire(texts, concurrency)
                self.load.answers(shots, wait)
            calls.append(self.calls() - start_calls)
            bot_runs.append(summarize(shots, delay if delay is not None else self.delay))
            if baseline:
                base_runs.append(summarize(self.base_load.fire(texts, concurrency), None))
            time.sleep(1.0)
            after_each.append(self.bot.stats())
        result = {
            "scenario": name,
            "bot": median_of(bot_runs),
            "upstream_calls": statistics.median(calls),
            "process_before": before,
            "process_after": after_each[-1],
            "process_after_each_rep": after_each,
        }
        if baseline:
            result["baseline"] = median_of(base_runs)
            result["ack_p99_ratio"] = round(result["bot"]["ack_p99_ms"] / result["baseline"]["ack_p99_ms"], 2)
        return result

    def scenarios(self, quick: bool) -> list[dict]:
        d = self.delay
        results = []
        print(f"fake LogicBoxes delay {d}s, {self.reps} repetitions each, medians; bot {self.bot.stats()}", flush=True)
        results.append(
            self.run(
                "uncached lookups one at a time",
                lambda: [f"order {i}" for i in self.fresh_ids(10)],
                1,
                wait=d * 4 + 10,
                one_by_one=True,
            )
        )
        results.append(
            self.run(
                "50 concurrent distinct lookups",
                lambda: [f"order {i}" for i in self.fresh_ids(50)],
                50,
                wait=d * 4 + 10,
            )
        )
        results.append(
            self.run(
                "50 concurrent identical lookups", lambda: [f"order {self.fresh_ids(1)[0]}"] * 50, 50, wait=d * 4 + 10
            )
        )

        def warm() -> None:  # every gunicorn worker has its own cache: warm them all
            self.load.answers(self.load.fire(["order example.com"] * 24, 1), d * 30 + 5)

        results.append(
            self.run(
                "cached repeats (sequential)",
                lambda: ["order example.com"] * 20,
                1,
                wait=10,
                baseline=False,
                delay=0.0,
                setup=warm,
            )
        )
        if not quick:
            results.append(
                self.run(
                    "500-command burst", lambda: [f"order {i}" for i in self.fresh_ids(500)], 500, wait=d * 40 + 30
                )
            )

        def hang() -> None:
            self.sim.hold()
            self.sim.fail("us", "details", "hang")
            self.sim.fail("in", "details", "hang")

        results.append(
            self.run(
                "upstream hanging past the read timeout",
                lambda: [f"order {i}" for i in self.fresh_ids(20)],
                20,
                wait=READ_TIMEOUT * 3 + 10,
                delay=READ_TIMEOUT,
                setup=hang,
                reps=1,
            )
        )
        results.append(
            self.run(
                "... then with the breaker open",
                lambda: [f"order {i}" for i in self.fresh_ids(20)],
                20,
                wait=READ_TIMEOUT * 3 + 10,
                delay=0.0,
            )
        )
        self.sim.heal()
        # Who is asking comes from users.info (cached 5 minutes): 50 people never seen before, with
        # Slack answering users.info in 100 ms, as it does from a data centre, against the same
        # lookups by one known person (the scenario above, "50 concurrent distinct lookups").
        people = iter(range(10**6))
        self.slack.delays["users.info"] = 0.1
        results.append(
            self.run(
                "50 concurrent lookups by 50 new people (users.info 100 ms)",
                lambda: [(f"U0NEW{next(people):06d}", f"order {i}") for i in self.fresh_ids(50)],
                50,
                wait=d * 4 + 10,
            )
        )
        self.slack.delays.clear()
        return results

    def stop(self) -> None:
        self.bot.stop()
        self.baseline.stop()
        self.sim.stop()
        self.slack.stop()


def _pair(numbers: dict, name: str) -> str:
    return f"{numbers.get(name + '_p50_ms', float('nan')):.1f}/{numbers.get(name + '_p99_ms', float('nan')):.1f}"


def table(results: list[dict]) -> str:
    rows = [
        (
            "scenario",
            "acked",
            "answered",
            "busy",
            "ack p50/p95/p99/max ms",
            "base p99",
            "ratio",
            "overhead p50/p99 ms",
            "after-ack p50/p99 ms",
            "upstream",
            "threads",
            "rss MB per rep",
        )
    ]
    for r in results:
        b = r["bot"]
        rows.append(
            (
                r["scenario"],
                f"{b['acked']:.0f}/{b['commands']:.0f}",
                f"{b['answered']:.0f}",
                f"{b['busy']:.0f}",
                f"{b['ack_p50_ms']:.1f}/{b['ack_p95_ms']:.1f}/{b['ack_p99_ms']:.1f}/{b['ack_max_ms']:.1f}",
                f"{r['baseline']['ack_p99_ms']:.1f}" if "baseline" in r else "-",
                f"{r['ack_p99_ratio']:.2f}" if "ack_p99_ratio" in r else "-",
                _pair(b, "answer_overhead"),
                _pair(b, "answer_after_ack"),
                f"{r['upstream_calls']:.0f}",
                f"{r['process_before']['threads']}->{r['process_after']['threads']}",
                "->".join(str(x["rss_mb"]) for x in [r["process_before"], *r["process_after_each_rep"]]),
            )
        )
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--delay", type=float, default=1.5, help="fake LogicBoxes seconds per call")
    parser.add_argument("--reps", type=int, default=3, help="repetitions per scenario (medians reported)")
    parser.add_argument("--json", default=str(ROOT / "bench" / "results.json"), help="where to write the numbers")
    parser.add_argument("--quick", action="store_true", help="skip the 500-command burst")
    args = parser.parse_args()
    bench = Bench(args.delay, args.reps)
    try:
        results = bench.scenarios(args.quick)
    finally:
        bench.stop()
    print(table(results))
    Path(args.json).write_text(json.dumps({"delay_s": args.delay, "reps": args.reps, "results": results}, indent=2))
    print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
