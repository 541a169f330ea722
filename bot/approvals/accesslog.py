"""The access log's writer: rows queue in memory and one thread writes them in batches.

Every command leaves a row, and on a busy instance one transaction per row (one fsync each on
SQLite) costs CPU that the next request's ack competes for. So rows wait in a queue and the
writer takes everything queued in one transaction. A database that cannot take a batch costs a
warning, never a lookup; a clean stop flushes what is queued (`flush`).
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

MAX_QUEUED = 50_000  # rows; past this (a database down for long) the oldest are dropped, counted in the log
MAX_BATCH = 500


class AccessLog:
    def __init__(self, write: Callable[[list[dict[str, Any]]], None]):
        self._write = write
        self._rows: deque[dict[str, Any]] = deque(maxlen=MAX_QUEUED)
        self._cond = threading.Condition()
        self._writing = False
        self._thread: threading.Thread | None = None

    def add(self, rows: list[dict[str, Any]]) -> None:
        with self._cond:
            if len(self._rows) + len(rows) > MAX_QUEUED:
                log.warning("access log queue full: dropping the oldest rows")
            self._rows.extend(rows)
            if self._thread is None:  # started on first use: no thread for entry points that never serve
                self._thread = threading.Thread(target=self._run, name="access-log", daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def flush(self, timeout: float) -> bool:
        """Wait until every queued row has been written (or given up on); False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._rows and not self._writing, timeout)

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: bool(self._rows))
                batch = [self._rows.popleft() for _ in range(min(MAX_BATCH, len(self._rows)))]
                self._writing = True
            try:
                self._write(batch)
            except Exception as exc:
                log.warning("access log: %d rows not written (%s)", len(batch), type(exc).__name__)
            finally:
                with self._cond:
                    self._writing = False
                    self._cond.notify_all()
