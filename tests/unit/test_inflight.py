"""InFlight: what a clean stop and the acks-first rule wait for. Event-driven, no sleeping."""

from __future__ import annotations

import threading

from bot.slack.inflight import InFlight


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_quiet_at_once_when_nothing_is_in_flight_and_nothing_arrived_lately():
    clock = Clock()
    in_flight = InFlight(clock)
    with in_flight:
        pass
    clock.now += 1
    assert in_flight.wait_quiet(timeout=0, quiet=0.01)


def test_not_quiet_while_a_request_is_in_flight():
    in_flight = InFlight(Clock())
    in_flight.__enter__()
    assert not in_flight.wait_quiet(timeout=0)
    assert not in_flight.wait_idle(timeout=0)


def test_a_waiting_job_goes_on_when_the_last_request_is_answered():
    clock = Clock()
    in_flight = InFlight(clock)
    in_flight.__enter__()
    in_flight.__enter__()
    result: list[bool] = []
    waiter = threading.Thread(target=lambda: result.append(in_flight.wait_quiet(timeout=60, quiet=0)))
    waiter.start()
    in_flight.__exit__()
    assert result == []  # one request is still in flight: the job may not go on yet
    in_flight.__exit__()
    waiter.join(10)
    assert result == [True]


def test_the_wsgi_wrapper_counts_until_the_server_closes_the_body():
    in_flight = InFlight(Clock())
    app = in_flight.wrap(lambda environ, start_response: [b"ok"])
    body = app({}, lambda *a: None)
    assert not in_flight.wait_idle(timeout=0)
    assert list(body) == [b"ok"]
    body.close()
    assert in_flight.wait_idle(timeout=0)
