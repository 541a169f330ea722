"""Prometheus metrics, every name starting with `mailops_`, served on /metrics.

Declared once here and updated where the thing happens (the transport, the caches, the breaker,
the command runner, the approvals). Under gunicorn each worker is its own process: with
PROMETHEUS_MULTIPROC_DIR set (bot.gunicorn_conf sets it) prometheus_client keeps the values in
files that a scrape of any worker adds up. Pending approvals are counted in the database at
scrape time, so every instance reports the same, true number.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

log = logging.getLogger(__name__)

# Acks must be under Slack's 3 s; answers wait on LogicBoxes, up to COMMAND_DEADLINE.
_ACK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0)
_ANSWER_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 25.0, 60.0)

COMMANDS = Counter(
    "mailops_commands_total",
    "Commands, clicks and form submissions handled, by what was asked and how it ended: ok, bad_input, "
    "not_found, an upstream failure (timeout, unavailable, unreachable, refused, ...), crash, busy, refused, replayed.",
    ["command", "outcome"],
)
ACK_SECONDS = Histogram(
    "mailops_ack_seconds", "From Slack's request arriving to its acknowledgement.", buckets=_ACK_BUCKETS
)
ANSWER_SECONDS = Histogram(
    "mailops_answer_seconds",
    "From a command's acknowledgement to its answer being sent.",
    ["command"],
    buckets=_ANSWER_BUCKETS,
)
BUSY_REFUSALS = Counter("mailops_busy_refusals_total", "Requests answered 'too busy' because the work queue was full.")
UPSTREAM_CALLS = Counter(
    "mailops_upstream_calls_total",
    "LogicBoxes calls, by region (or API area), endpoint and outcome.",
    ["region", "endpoint", "outcome"],
)
UPSTREAM_SECONDS = Histogram(
    "mailops_upstream_seconds", "LogicBoxes call latency.", ["region", "endpoint"], buckets=_ANSWER_BUCKETS
)
CACHE_HITS = Counter("mailops_cache_hits_total", "Answers served from a cache, by cache.", ["cache"])
CACHE_MISSES = Counter("mailops_cache_misses_total", "Answers that had to be asked of LogicBoxes, by cache.", ["cache"])
BREAKER_OPEN = Gauge(
    "mailops_breaker_open",
    "1 while calls to a region (or API area) are refused by its circuit breaker, 0 when closed.",
    ["region"],
    multiprocess_mode="livemax",  # open in any live worker
)
APPROVALS = Counter(
    "mailops_approvals_total",
    "Change requests that reached a final state, by kind and outcome (done, failed, unknown, denied, ...).",
    ["kind", "outcome"],
)
INVALIDATIONS = Counter(
    "mailops_cache_invalidations_total",
    "Orders dropped from this process's caches because an instance changed them.",
    ["source"],
)


WATCH_ROUND_SECONDS = Histogram(
    "mailops_watch_round_seconds",
    "How long a round of the watch took.",
    buckets=(1, 5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600),
)
WATCH_ORDERS_CHECKED = Counter(
    "mailops_watch_orders_checked_total",
    "Orders the watch's DNS check looked at, by result: ok, bad, unchecked (the resolver failed).",
    ["result"],
)


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


class PendingApprovals(Collector):
    """mailops_approvals_pending, counted in the shared database when scraped."""

    def __init__(self, count: Callable[[], int]):
        self._count = count

    def collect(self) -> Iterator[GaugeMetricFamily]:
        gauge = GaugeMetricFamily("mailops_approvals_pending", "Change requests waiting for a decision.")
        try:
            gauge.add_metric([], self._count())
        except Exception as exc:  # a database outage must not take /metrics down with it
            log.warning("pending approvals not counted (%s)", type(exc).__name__)
            return
        yield gauge


class OpenAlerts(Collector):
    """mailops_alerts_open{kind}, counted in the shared database when scraped."""

    KINDS = ("mail", "expiry", "failed", "stuck", "outage")

    def __init__(self, count: Callable[[], dict[str, int]]):
        self._count = count

    def collect(self) -> Iterator[GaugeMetricFamily]:
        gauge = GaugeMetricFamily(
            "mailops_alerts_open", "Problems the watch has alerted and not resolved.", labels=["kind"]
        )
        try:
            counts = self._count()
        except Exception as exc:  # a database outage must not take /metrics down with it
            log.warning("open alerts not counted (%s)", type(exc).__name__)
            return
        for kind in sorted({*self.KINDS, *counts}):
            gauge.add_metric([kind], counts.get(kind, 0))
        yield gauge


def metrics_app(
    pending: Callable[[], int] | None = None, open_alerts: Callable[[], dict[str, int]] | None = None
) -> Callable[..., Iterable[bytes]]:
    """A WSGI app for GET /metrics: this process's metrics, or all workers' in multi-process mode."""

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        registry = CollectorRegistry()
        if multiprocess_dir():
            multiprocess.MultiProcessCollector(registry)
        else:
            registry = _with_default(registry)
        if pending is not None:
            registry.register(PendingApprovals(pending))
        if open_alerts is not None:
            registry.register(OpenAlerts(open_alerts))
        body = generate_latest(registry)
        start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST), ("Content-Length", str(len(body)))])
        return [body]

    return application


def _with_default(registry: CollectorRegistry) -> CollectorRegistry:
    """A registry holding this process's mailops_ metrics (prometheus_client's own process and GC
    collectors are left out: every name served starts with mailops_, whichever server runs)."""

    class Ours(Collector):
        def collect(self) -> Iterator[Any]:
            yield from (family for family in REGISTRY.collect() if family.name.startswith("mailops_"))

    registry.register(Ours())
    return registry
