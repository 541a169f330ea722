"""Refusing a signed request seen before: Slack's signature carries no nonce."""

from __future__ import annotations

import contextvars
import logging
import threading
import time
from typing import Any

from cachetools import TTLCache
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)


class Replays:
    """Signatures already served: Slack's signature proves origin for 5 minutes but carries no
    nonce, so a captured request could be sent again. Remembered in this process and in the
    database (across processes); if the database cannot answer, the process's memory decides."""

    def __init__(self, store: Any, window: float = 300):
        self.store, self.window = store, window
        self._seen: TTLCache = TTLCache(200_000, window * 2)
        self._lock = threading.Lock()

    def first_sight_here(self, signature: str) -> bool:
        """This process's memory: instant, so it is asked on the request's path, before the ack."""
        with self._lock:
            if signature in self._seen:
                return False
            self._seen[signature] = True
            return True

    def first_sight_anywhere(self, signature: str) -> bool:
        """Every process's memory (the database): asked on the worker, before any work, so that no
        database write ever stands between a request and its ack."""
        try:
            return self.store.first_sight(signature, time.time())
        except SQLAlchemyError as exc:
            log.warning("replay memory falls back to this process (%s)", type(exc).__name__)
            return True


REQUEST_SIGNATURE: contextvars.ContextVar[str] = contextvars.ContextVar("mailops_signature", default="")
