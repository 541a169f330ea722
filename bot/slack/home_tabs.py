"""Who has the App Home tab open lately: their tabs are refreshed when a request they see changes."""

from __future__ import annotations

import threading
import time

FRESH_FOR = 3600  # refresh the tabs of people who opened them in the last hour


class HomeTabs:
    def __init__(self) -> None:
        self._viewers: dict[str, float] = {}
        self._lock = threading.Lock()

    def opened(self, user_id: str) -> None:
        with self._lock:
            self._viewers[user_id] = time.monotonic()

    def recent_viewers(self) -> list[str]:
        cutoff = time.monotonic() - FRESH_FOR
        with self._lock:
            for user, at in list(self._viewers.items()):
                if at < cutoff:
                    del self._viewers[user]
            return list(self._viewers)
