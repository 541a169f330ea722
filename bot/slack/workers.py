"""A bounded pool for slow work, so Bolt's own threads only ever ack.

Bolt runs `ack()` on its listener executor; a listener that waits seconds on LogicBoxes there
starves the next command's ack. Work goes here instead, with a fixed number of threads and a
fixed queue: past that the user is told the bot is busy instead of memory and threads growing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from bot.telemetry import trace

log = logging.getLogger(__name__)


ACKS_FIRST = 1.0  # seconds a job may wait for this process to finish acknowledging a burst


class Workers:
    def __init__(self, threads: int, queue_limit: int, acks_idle: Callable[[float], bool] | None = None):
        """`acks_idle(timeout)` waits until this process has acknowledged every request and none has
        arrived for a moment (bot.slack.inflight.InFlight.wait_quiet): a job waits for that, at most
        ACKS_FIRST, before it starts. In a burst, work started beside the acks took the CPU and the
        GIL from them (bench/run.py: ack p99 2.5-6x the bare Bolt app at 50 concurrent commands, 3x
        in a 500-command burst); an answer a moment later costs nobody, an ack past 3 s fails."""
        self._acks_idle = acks_idle
        self.threads = threads
        self.capacity = threads + queue_limit
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="mailops-work")
        self._slots = threading.BoundedSemaphore(self.capacity)
        self._busy = 0
        self._idle = threading.Condition()

    def submit(self, job: Callable[[], None]) -> bool:
        """Run `job` soon, in the caller's context; False when the bot is full."""
        if not self._slots.acquire(blocking=False):
            return False
        bound = trace.bind(job)
        with self._idle:
            self._busy += 1

        def run() -> None:
            if self._acks_idle is not None:
                self._acks_idle(ACKS_FIRST)
            try:
                bound()
            except Exception:  # the job reports its own failures; this only keeps the pool alive
                log.exception("background job failed")
            finally:
                self._slots.release()
                with self._idle:
                    self._busy -= 1
                    self._idle.notify_all()

        self._pool.submit(run)
        return True

    @property
    def full(self) -> bool:
        """No room for another job now (a hint: `submit` still decides)."""
        with self._idle:
            return self._busy >= self.capacity

    def wait_idle(self, timeout: float) -> bool:
        """Wait until every submitted job has finished (for a clean stop, and for tests)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._busy == 0, timeout)

    def shutdown(self, wait: bool = False) -> None:
        self._pool.shutdown(wait=wait, cancel_futures=True)
