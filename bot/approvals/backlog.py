"""Writes that must not be lost when the database is briefly unreachable.

After LogicBoxes has answered a change, its answer and the request's final state must reach
the database. If the database is down at that moment, the answer is logged at ERROR level
(so it survives in the logs whatever happens) and the write is queued here and retried, in
order, until the database takes it.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)


class Backlog:
    def __init__(self, first_wait: float = 0.2, longest_wait: float = 5.0):
        self.first_wait, self.longest_wait = first_wait, longest_wait
        self._jobs: deque[tuple[str, Callable[[], None]]] = deque()
        self._wake = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, name: str, job: Callable[[], None]) -> None:
        """Retry `job` until it no longer raises a database error."""
        with self._wake:
            self._jobs.append((name, job))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="db-backlog", daemon=True)
                self._thread.start()
            self._wake.notify()

    def __len__(self) -> int:
        return len(self._jobs)

    def stop(self) -> None:
        self._stop.set()
        with self._wake:
            self._wake.notify()

    def _run(self) -> None:
        wait = self.first_wait
        while not self._stop.is_set():
            with self._wake:
                while not self._jobs and not self._stop.is_set():
                    self._wake.wait()
                if self._stop.is_set():
                    return
                name, job = self._jobs[0]
            try:
                job()
            except SQLAlchemyError as exc:
                log.warning("database still unreachable for %s (%s); retrying in %.1fs", name, type(exc).__name__, wait)
                self._stop.wait(wait)
                wait = min(wait * 2, self.longest_wait)
                continue
            except Exception:
                log.exception("queued write %s failed for good", name)
            with self._wake:
                self._jobs.popleft()
            wait = self.first_wait
            log.info("queued write %s recorded", name)
