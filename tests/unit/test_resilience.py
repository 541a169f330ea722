"""The breaker and the single-flight cache, with an injected clock: no sockets, no sleeping."""

from __future__ import annotations

import threading

import pytest

from bot.logicboxes import BreakerOpen, CircuitBreaker, Memo, UpstreamTimeout, UpstreamUnavailable
from bot.telemetry import trace


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_breaker_opens_after_failures_and_a_trial_closes_it():
    clock = Clock()
    breaker = CircuitBreaker("us", failures=2, reset=30, clock=clock)
    for _ in range(2):
        with pytest.raises(UpstreamUnavailable), breaker.guard():
            raise UpstreamUnavailable("us", "HTTP 502 error page")
    with pytest.raises(BreakerOpen, match="LogicBoxes us is not responding; retrying in 30s"), breaker.guard():
        pass
    clock.now = 31
    with breaker.guard():  # the half-open trial succeeds
        pass
    assert breaker.state == "closed"


@pytest.mark.parametrize("surprise", [RecursionError, KeyError, MemoryError])
def test_any_exception_in_the_half_open_trial_settles_it(surprise):
    clock = Clock()
    breaker = CircuitBreaker("in", failures=1, reset=10, clock=clock)
    with pytest.raises(UpstreamUnavailable), breaker.guard():
        raise UpstreamUnavailable("in", "HTTP 503 error page")
    clock.now = 11
    with pytest.raises(surprise), breaker.guard():
        raise surprise("while decoding")
    assert breaker.state == "open"  # open again, not stuck half-open until restart
    clock.now = 22
    with breaker.guard():
        pass
    assert breaker.state == "closed"


def test_memo_caches_and_fresh_reads_bypass():
    memo = Memo(8, ttl=60, timer=Clock())
    assert memo.get("k", lambda: 1) == 1
    assert memo.get("k", lambda: 2) == 1
    assert memo.get("k", lambda: 3, fresh=True) == 3


def test_a_waiter_out_of_time_names_what_it_waited_for():
    memo = Memo(8, ttl=60)
    started, release = threading.Event(), threading.Event()

    def slow() -> int:
        started.set()
        release.wait(10)
        return 1

    leader = threading.Thread(target=memo.get, args=("k", slow), kwargs={"where": "customers"})
    leader.start()
    assert started.wait(10)
    with trace.command_trace(0.05), pytest.raises(UpstreamTimeout, match=r"^LogicBoxes \(customers\) timed out"):
        memo.get("k", lambda: 2, where="customers")
    release.set()
    leader.join(10)
    assert memo.get("k", lambda: 3) == 1  # the leader's answer was cached for everyone
