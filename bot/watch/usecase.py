"""The watch as people use it, on every surface: its status, a round now, muting and unmuting a
domain (with their audit rows). Plain Python: the Slack layer and the console both call it, and
neither touches the watch's records or the audit log itself."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.watch.alerts import OPEN, SUSPECT, Alert
from bot.watch.records import WatchRecords
from bot.watch.rounds import RoundReport, Watch

Audit = Callable[[str, str, dict[str, Any], dict[str, Any] | None], None]  # action, actor, row, detail


@dataclass(frozen=True)
class Started:
    """A round was asked for; it runs on the instance holding the watch's lease (`here`: this one)."""

    here: bool


class WatchUseCase:
    def __init__(
        self,
        records: WatchRecords,
        audit: Audit,
        run_now: Callable[[], None] | None = None,
        running_here: Callable[[], bool] = lambda: False,
        watch: Watch | None = None,
        clock: Callable[[], float] = time.time,
    ):
        """`run_now` asks the runner for a round (served processes); without it, `watch` runs the
        round right here and its report is the answer (the console)."""
        self.records, self._audit, self._run_now = records, audit, run_now
        self.running_here, self._watch, self.clock = running_here, watch, clock

    def status(self) -> tuple[dict[str, Any], list[Alert]]:
        """The last round's place and the open alerts."""
        return self.records.round(), self.records.all(OPEN)

    def run(self) -> Started | tuple[RoundReport, list[Alert]]:
        """A round now: started on the lease holder, or run here (its report and the new alerts)."""
        if self._run_now is not None:
            self._run_now()
            return Started(self.running_here())
        assert self._watch is not None
        report = self._watch.round()
        opened = [alert for key in report.opened if (alert := self.records.get(key)) is not None]
        return report, opened

    def mute(self, domain: str, by: str) -> list[Alert] | None:
        """Leave `domain`'s mail DNS alone (it points elsewhere on purpose); audited. None when it was
        muted already; else the alerts about it this resolved (their messages are the caller's)."""
        now = self.clock()
        if not self.records.mute(domain, by, now):
            return None
        self._audit("mute", by, {"id": None, "order_id": None, "domain": domain}, None)
        resolved = []
        for alert in self.records.all(SUSPECT, OPEN, kind="mail"):
            if alert.domain == domain:
                done = self.records.good(alert.key, now, confirm=1)
                if done is not None:
                    resolved.append(done)
        return resolved

    def unmute(self, domain: str, by: str) -> bool:
        """Watch `domain` again; audited. False when it was not muted."""
        if not self.records.unmute(domain):
            return False
        self._audit("unmute", by, {"id": None, "order_id": None, "domain": domain}, {"watch": "mail"})
        return True
