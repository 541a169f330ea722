"""Who runs the watch's rounds, and when: every instance with ALERTS_CHANNEL (unless WATCH=off)
takes part, and a lease in the database decides which one runs; it is renewed every third of
WATCH_LEASE_TTL while held, so an instance that dies loses it within WATCH_LEASE_TTL and another
takes over, resuming an unfinished round. The watch runs on threads of its own, never the ones
that serve commands."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Protocol

from sqlalchemy.exc import SQLAlchemyError

from bot.telemetry import metrics
from bot.watch.records import WatchRecords
from bot.watch.rounds import RoundReport, Watch

log = logging.getLogger(__name__)


class Alerter(Protocol):
    """Says what the round found where people look (bot.slack.watch.SlackAlerts)."""

    def deliver(self) -> None: ...


class WatchRunner:
    def __init__(
        self,
        watch: Watch,
        alerter: Alerter,
        records: WatchRecords,
        interval: float,
        lease_ttl: float,
        clock: Callable[[], float] = time.time,
        on_round: Callable[[RoundReport | None], None] | None = None,
    ):
        self.watch, self.alerter, self.records = watch, alerter, records
        self.interval, self.lease_ttl, self.clock = interval, lease_ttl, clock
        self.holder = f"{uuid.uuid4().hex[:12]}"  # this instance
        self.wake = threading.Event()  # `/email watch run` here: do not wait for the next check
        self.on_round = on_round
        self._holding = False

    def holds_lease(self) -> bool:
        try:
            self._holding = self.records.take_lease(self.holder, self.clock(), self.lease_ttl)
        except SQLAlchemyError as exc:
            log.warning("watch: the lease cannot be read (%s); this instance waits", type(exc).__name__)
            self._holding = False
        return self._holding

    def due(self) -> bool:
        place = self.records.round()
        finished = float(place.get("finished") or 0)
        return bool(place.get("running") or place.get("run_now") or self.clock() >= finished + self.interval)

    def run_once(self) -> RoundReport | None:
        """A round if this instance holds the lease and one is due; None otherwise (or skipped)."""
        if not self.holds_lease() or not self.due():
            return None
        stop_renewing = threading.Event()
        threading.Thread(target=self._renew, args=(stop_renewing,), name="mailops-watch-lease", daemon=True).start()
        started = time.monotonic()
        try:
            report = self.watch.round()
            self.alerter.deliver()
            metrics.WATCH_ROUND_SECONDS.observe(time.monotonic() - started)
            log.info(
                "watch: round %s: %s orders, %s checked, %s not checked, %s opened, %s resolved",
                report.number,
                report.orders,
                report.checked,
                report.unchecked,
                len(report.opened),
                len(report.resolved),
            )
        except SQLAlchemyError as exc:  # nothing posted: the round is said skipped, and run again
            log.warning("watch: round skipped, the database cannot be reached (%s)", type(exc).__name__)
            report = None
        except Exception:
            log.exception("watch: the round failed; it is tried again at the next check")
            report = None
        finally:
            stop_renewing.set()
        if self.on_round is not None:
            self.on_round(report)
        return report

    def _renew(self, stop: threading.Event) -> None:
        while not stop.wait(self.lease_ttl / 3):
            if not self.holds_lease():
                log.warning("watch: the lease was lost during a round")
                return

    def run_forever(self, stop: threading.Event) -> None:
        """Check every third of the lease time (sooner when woken); run a round when one is due."""
        while not stop.is_set():
            self.run_once()
            self.wake.wait(min(self.lease_ttl / 3, self.interval))
            self.wake.clear()
        if self._holding:
            try:
                self.records.release_lease(self.holder)  # a clean stop hands the watch over at once
            except SQLAlchemyError:
                pass

    def start(self, stop: threading.Event) -> threading.Thread:
        self._thread = threading.Thread(target=self.run_forever, args=(stop,), name="mailops-watch", daemon=True)
        self._thread.start()
        return self._thread

    def join(self, timeout: float) -> bool:
        """Wait for the loop to end after its stop event is set (a round in progress finishes)."""
        thread = getattr(self, "_thread", None)
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True

    def run_now(self) -> None:
        """A round as soon as the lease holder next looks (here: at once)."""
        place = self.records.round()
        place["run_now"] = True
        self.records.save_round(place)
        self.wake.set()
