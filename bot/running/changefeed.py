"""Every instance up to date: an order changed by one instance is dropped from the others' caches.

After a change, the instance that ran it records the order in the store's change records
(Store.announce_change). The others learn of it:
- on PostgreSQL, at once: the row is announced with NOTIFY and each instance LISTENs on a
  connection of its own. After that connection is lost, notices may have been missed, so the
  instance drops every cached order once it is back.
- on SQLite (one host), by polling the change records every POLL_SECONDS.
Either way the order is gone from the caches within about a second, whatever ORDER_CACHE_TTL is.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable

from bot.approvals.notices import Notifier
from bot.approvals.store import CHANGES_CHANNEL, Store
from bot.telemetry import metrics

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5
RECONNECT_SECONDS = 2.0

Forget = Callable[[int, str | None], None]


class ChangeFeed:
    def __init__(self, store: Store, forget: Forget, forget_all: Callable[[], None], stop: threading.Event):
        self.store, self.forget, self.forget_all, self.stop = store, forget, forget_all, stop
        self.origin = uuid.uuid4().hex  # this instance: its own announcements need no action
        self._thread: threading.Thread | None = None

    def announce(self, order_id: int, domain: str | None, at: float) -> None:
        """Tell the other instances; a database that cannot take it costs them up to one cache TTL."""
        try:
            self.store.announce_change(order_id, domain, self.origin, at)
        except Exception as exc:
            log.warning("other instances not told of the change to order %s (%s)", order_id, type(exc).__name__)

    def start(self) -> None:
        postgres = self.store.engine.dialect.name == "postgresql"
        run = self._listen if postgres else self._poll
        self._thread = threading.Thread(target=run, name="change-feed", daemon=True)
        self._thread.start()

    def _apply(self, change: dict, source: str) -> None:
        if change.get("origin") == self.origin:
            return
        self.forget(int(change["order_id"]), change.get("domain"))
        metrics.INVALIDATIONS.labels(source).inc()
        log.debug("order %s changed by another instance: dropped from the caches", change["order_id"])

    def _listen(self) -> None:
        import psycopg

        url = self.store.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        connected_before = False
        while not self.stop.is_set():
            try:
                with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"LISTEN {CHANGES_CHANNEL}")
                    if connected_before:  # notices sent while we were away are lost: start clean
                        self.forget_all()
                        log.info("change feed reconnected: dropped every cached order")
                    connected_before = True
                    while not self.stop.is_set():
                        for notice in conn.notifies(timeout=1.0):
                            self._apply(json.loads(notice.payload), "postgres")
            except Exception as exc:  # the database went away: try again, lookups go on meanwhile
                log.warning("change feed lost its database connection (%s); retrying", type(exc).__name__)
                connected_before = True
                self.stop.wait(RECONNECT_SECONDS)

    def _poll(self) -> None:
        last: int | None = None
        while True:
            try:
                if last is None:
                    last = self.store.last_change_id()  # what came before this instance cached nothing
                for change in self.store.changes_since(last):
                    last = change["id"]
                    self._apply(change, "poll")
            except Exception as exc:
                log.debug("change feed: database not readable now (%s)", type(exc).__name__)
            if self.stop.wait(POLL_SECONDS):
                return


class FeedNotifier(Notifier):
    """Orders the approval workflow changed, announced to the other instances through the feed."""

    def __init__(self, feed: ChangeFeed, clock: Callable[[], float] = time.time):
        self.feed, self.clock = feed, clock

    def changed(self, order_id: int, domain: str | None) -> None:
        self.feed.announce(order_id, domain, self.clock())
