"""The watch's words in ALERTS_CHANNEL: the first round's summary, one message per new problem (at
most MAX_ALERTS a round, the rest in one summary), each updated and answered in its thread when
the problem goes. A post that fails (the bot not in the channel, the channel archived, Slack down)
stays due and is tried again after the next round; Slack's 429 is waited out by the client."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.render.watch import render_alert, render_resolved_reply, render_summary, render_updated_reply
from bot.watch.alerts import CLOSED, DUE, POSTED, RESOLVE, SUMMARY, UPDATE, Alert
from bot.watch.records import WatchRecords
from bot.watch.rounds import Watch
from bot.watch.runner import WatchRunner
from bot.watch.usecase import WatchUseCase

log = logging.getLogger(__name__)

MAX_ALERTS = 20  # messages a round; the rest go out in one summary


class SlackAlerts:
    def __init__(self, client: WebClient, channel: str, records: WatchRecords, clock: Callable[[], float] = time.time):
        self.client, self.channel, self.records, self.clock = client, channel, records, clock
        if not any(isinstance(h, RateLimitErrorRetryHandler) for h in client.retry_handlers):
            client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=3))

    def deliver(self) -> None:
        """Everything the rounds left to say: summaries, new problems, resolutions."""
        first = self.records.to_post(SUMMARY)
        if first:
            self._summary(first, f"mailops now watches the order book: {len(first)} problem(s) already")
        due = self.records.to_post(DUE)
        for alert in due[:MAX_ALERTS]:
            self._post(alert)
        if len(due) > MAX_ALERTS:
            self._summary(due[MAX_ALERTS:], f"{len(due) - MAX_ALERTS} more problem(s) this round")
        for alert in self.records.to_post(UPDATE):
            self._update(alert)
        for alert in self.records.to_post(RESOLVE):
            self.resolve(alert)

    def _linked(self, alert: Alert) -> Alert:
        """The alert with a link to the bot's own request behind its action, when there is one."""
        channel, ts = alert.detail.get("request_channel"), alert.detail.get("request_ts")
        if not channel or not ts or alert.detail.get("request"):
            return alert
        try:
            link = self.client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"]
        except SlackApiError:
            return alert
        return replace(alert, detail={**alert.detail, "request": link})

    def _post(self, alert: Alert) -> None:
        alert = self._linked(alert)
        try:
            answer = self.client.chat_postMessage(channel=self.channel, **render_alert(alert).as_kwargs())
        except SlackApiError as exc:
            log.warning("watch: alert %s not posted (%s); tried again next round", alert.key, _error(exc))
            return
        self.records.posted(alert.key, POSTED, answer["channel"], answer["ts"])

    def _summary(self, alerts: list[Alert], title: str) -> None:
        try:
            answer = self.client.chat_postMessage(channel=self.channel, **render_summary(alerts, title).as_kwargs())
        except SlackApiError as exc:
            log.warning("watch: summary of %d not posted (%s); tried again next round", len(alerts), _error(exc))
            return
        for alert in alerts:
            self.records.posted(alert.key, POSTED, answer["channel"], answer["ts"])

    def _update(self, alert: Alert) -> None:
        """The problem is now another (a stuck action failed, an order lapsed): its message says
        what it is now, and its thread says so once."""
        if not alert.ts:
            self.records.posted(alert.key, POSTED)
            return
        try:
            self.client.chat_update(channel=alert.channel, ts=alert.ts, **self._message_of(alert).as_kwargs())
            self.client.chat_postMessage(channel=alert.channel, thread_ts=alert.ts, text=render_updated_reply(alert))
        except SlackApiError as exc:
            log.warning("watch: update of %s not posted (%s); tried again next round", alert.key, _error(exc))
            return
        self.records.posted(alert.key, POSTED)

    def _message_of(self, alert: Alert):
        """The alert's own message, or the summary that holds it with the others posted together."""
        sharing = [a for a in self.records.all() if a.ts == alert.ts]
        if len(sharing) > 1:
            return render_summary(sharing, "The watch: problems found together")
        return render_alert(alert)

    def resolve(self, alert: Alert, why: str = "") -> None:
        """Update the problem's message (its own, or the summary that holds it) and say in its
        thread that it is resolved, and when."""
        if not alert.ts:
            self.records.posted(alert.key, CLOSED)
            return
        try:
            self.client.chat_update(channel=alert.channel, ts=alert.ts, **self._message_of(alert).as_kwargs())
            self.client.chat_postMessage(
                channel=alert.channel, thread_ts=alert.ts, text=render_resolved_reply(alert, why)
            )
        except SlackApiError as exc:
            log.warning("watch: resolution of %s not posted (%s); tried again next round", alert.key, _error(exc))
            return
        self.records.posted(alert.key, CLOSED)


def _error(exc: SlackApiError) -> str:
    return str(exc.response.get("error") if exc.response is not None else "no answer")


@dataclass
class WatchDesk:
    """What the Slack layer reaches of the watch: its records, a round on demand, and the alerter
    (for Mute). None of it when ALERTS_CHANNEL is not set."""

    records: WatchRecords
    watch: Watch
    alerts: SlackAlerts
    runner: WatchRunner
    channel: str
    running: bool = field(default=False)  # this process takes part in the rounds (WATCH on)
    usecase: WatchUseCase | None = None  # what every surface asks of the watch (bot.watch.usecase)
