"""Delivering an approval's outcome to Slack, which may fail after the outcome is recorded.

A failed `chat.update` is retried with backoff; if the request message is gone, the outcome is
posted as a new message in the channel; if the channel is gone too, the requester gets it
directly. Nothing here touches the recorded outcome.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.render import Message

log = logging.getLogger(__name__)

GONE = {"message_not_found", "cant_update_message", "edit_window_closed", "msg_too_long", "no_text"}
NO_CHANNEL = {"channel_not_found", "not_in_channel", "is_archived", "restricted_action"}
ATTEMPTS = 4


class OutcomePublisher:
    def __init__(self, client: WebClient, base_delay: float = 1.0, sleep: Callable[[float], None] = time.sleep):
        self.client, self.base_delay, self.sleep = client, base_delay, sleep

    def update(self, channel: str, ts: str, message: Message) -> str | None:
        """Replace the request message; returns the ts the outcome now lives at (a new message's
        if the old one was gone), or None if Slack took it nowhere."""
        error = self._retrying(lambda: self.client.chat_update(channel=channel, ts=ts, **message.as_kwargs()))
        if error is None:
            return ts
        if error in GONE or error in NO_CHANNEL:
            log.warning("request message %s in %s cannot be updated (%s): posting the outcome anew", ts, channel, error)
            posted: dict[str, str] = {}

            def post_new() -> None:
                posted.update(ts=self.client.chat_postMessage(channel=channel, **message.as_kwargs())["ts"])

            if error in GONE and self._retrying(post_new) is None:
                return posted["ts"]
        log.error("could not deliver an approval outcome to %s (%s)", channel, error)
        return None

    def post(self, channel: str, thread_ts: str | None, text: str) -> None:
        """The requester's notice: in the request's thread, else in the channel, else directly."""
        error = self._retrying(lambda: self.client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=text))
        if error is not None:
            log.warning("could not post the outcome notice in %s (%s)", channel, error)

    def _retrying(self, call: Callable[[], object]) -> str | None:
        """Run `call` until it works or fails for good; None on success, else Slack's error."""
        error = "unknown_error"
        for attempt in range(ATTEMPTS):
            try:
                call()
                return None
            except SlackApiError as exc:
                error = str(exc.response.get("error") or "unknown_error")
                if error in GONE or error in NO_CHANNEL or error in ("invalid_auth", "not_authed"):
                    return error  # asking again will not help
            except OSError as exc:
                error = type(exc).__name__
            if attempt < ATTEMPTS - 1:
                self.sleep(self.base_delay * 2**attempt)
        return error
