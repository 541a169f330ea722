"""Caching with single flight, and a circuit breaker per region: how the client stays kind to a
slow or failing LogicBoxes without making people wait for it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from typing import TypeVar

from cachetools import TTLCache

from bot.logicboxes.errors import BreakerOpen, LogicBoxesError, UpstreamTimeout
from bot.telemetry import metrics, trace

T = TypeVar("T")
_MISSING = object()


class Memo:
    """A cachetools TTLCache with single flight.

    Concurrent misses for one key share one upstream call and its outcome, errors included.
    (cachetools' own `condition=` makes each waiter re-run the call after a failure, which
    under an outage turns 50 waiting agents into 50 slow calls in a row.)
    """

    def __init__(self, maxsize: int, ttl: float, timer: Callable[[], float] = time.monotonic, name: str = "cache"):
        self._hits, self._misses = metrics.CACHE_HITS.labels(name), metrics.CACHE_MISSES.labels(name)
        self._cache: TTLCache = TTLCache(maxsize, ttl, timer) if ttl > 0 else TTLCache(1, 1e-9, timer)
        self._lock = threading.Lock()
        self._flights: dict[Hashable, Future] = {}

    def get(self, key: Hashable, compute: Callable[[], T], fresh: bool = False, where: str | None = None) -> T:
        """The cached value, or compute it once for everyone asking now. `where` names what a
        waiter that runs out of time was waiting for."""
        with self._lock:
            cached = _MISSING if fresh else self._cache.get(key, _MISSING)  # one look: it may expire meanwhile
            if cached is not _MISSING:
                trace.current().cache_hits += 1
                self._hits.inc()
                return cached
            self._misses.inc()
            flight = None if fresh else self._flights.get(key)
            if flight is None:
                leader: Future = Future()
                if not fresh:
                    self._flights[key] = leader
        if flight is not None:
            remaining = trace.current().remaining()
            try:
                return flight.result(timeout=None if remaining is None else max(remaining, 0.01))
            except TimeoutError:
                raise UpstreamTimeout(where) from None
        try:
            value = compute()
        except BaseException as exc:
            leader.set_exception(exc)
            raise
        finally:
            if not fresh:
                with self._lock:
                    self._flights.pop(key, None)
        with self._lock:
            self._cache[key] = value
        leader.set_result(value)
        return value

    def drop(self, predicate: Callable[[Hashable], bool]) -> None:
        with self._lock:
            for key in [key for key in list(self._cache.keys()) if predicate(key)]:
                self._cache.pop(key, None)


class CircuitBreaker:
    """Stops calling a region that keeps failing, then lets one trial call through."""

    def __init__(self, where: str, failures: int, reset: float, clock: Callable[[], float] = time.monotonic):
        self.where, self.failures, self.reset, self.clock = where, failures, reset, clock
        self._lock = threading.Lock()
        self._count = 0
        self._opened_at: float | None = None
        self._trial_running = False
        self._gauge = metrics.BREAKER_OPEN.labels(where)
        self._gauge.set(0)

    def before_call(self) -> None:
        with self._lock:
            if self._opened_at is None:
                return
            wait = self._opened_at + self.reset - self.clock()
            if wait > 0 or self._trial_running:
                raise BreakerOpen(self.where, max(wait, 1.0))
            self._trial_running = True  # half-open: this one call decides

    def record(self, ok: bool) -> None:
        with self._lock:
            self._trial_running = False
            if ok:
                self._count, self._opened_at = 0, None
                self._gauge.set(0)
                return
            self._count += 1
            if self._count >= self.failures or self._opened_at is not None:
                self._opened_at = self.clock()
        self._gauge.set(0 if self._opened_at is None else 1)

    @contextmanager
    def guard(self) -> Iterator[None]:
        """One call under the breaker. Whatever ends the call, an exception of any kind included,
        settles it: a half-open trial can never be left running (which would shut the region
        out until restart)."""
        self.before_call()
        try:
            yield
        except LogicBoxesError as exc:
            self.record(not exc.counts_as_outage)
            raise
        except BaseException:
            self.record(False)
            raise
        else:
            self.record(True)

    @property
    def is_open(self) -> bool:
        return self._opened_at is not None

    @property
    def state(self) -> str:
        return "closed" if self._opened_at is None else ("half-open" if self._trial_running else "open")
