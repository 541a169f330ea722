"""The requests being acknowledged right now: a clean stop waits for the last of them, and work
waits for a quiet moment so that acks go first (bot.slack.workers)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

WSGIApp = Callable[..., Iterable[bytes]]


class InFlight:
    """Counts the requests being handled, so a stop can wait for the last of them."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._count = 0
        self._cond = threading.Condition()
        self._clock = clock
        self._last_arrival = -1e9

    def __enter__(self) -> None:
        with self._cond:
            self._count += 1
            self._last_arrival = self._clock()

    def __exit__(self, *exc: object) -> None:
        with self._cond:
            self._count -= 1
            if self._count == 0:  # only then can a waiter go on: waking them all each time thrashes the GIL
                self._cond.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: self._count == 0, timeout)

    def wait_quiet(self, timeout: float, quiet: float = 0.01) -> bool:
        """Wait until no request is being handled and none has arrived for `quiet` seconds (the end
        of a burst, not a gap inside it), or `timeout` passes; True if it got quiet."""
        deadline = self._clock() + timeout
        with self._cond:
            while True:
                now = self._clock()
                calm_at = self._last_arrival + quiet
                if self._count == 0 and now >= calm_at:
                    return True
                if now >= deadline:
                    return False
                self._cond.wait(min(deadline, calm_at if self._count == 0 else deadline) - now)

    def wrap(self, app: WSGIApp) -> WSGIApp:
        """`app`, counted from the call until the server has taken the whole body (WSGI's close())."""

        def counted(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            self.__enter__()
            try:
                body = app(environ, start_response)
            except BaseException:
                self.__exit__()
                raise
            return _Closing(body, self.__exit__)

        return counted


class _Closing:
    def __init__(self, body: Iterable[bytes], done: Callable[[], None]):
        self._body, self._done = body, done

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._body)

    def close(self) -> None:
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            self._done()
