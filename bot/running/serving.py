"""Serving `python -m bot`: waitress over HTTP, or Socket Mode; both stop cleanly on SIGTERM.

waitress, not a hand-written pool: its event loop reads whole requests before a thread sees
them, so slow or idle clients hold a socket, never one of the threads that ack Slack. A stop
(SIGTERM from the platform, Ctrl-C at a terminal) closes the listening socket or the Socket
Mode connection first, then lets the work in flight finish within SHUTDOWN_GRACE (Bot.drain).
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from typing import TYPE_CHECKING, Any

from bot.slack.inflight import WSGIApp

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.running.wiring import Bot

log = logging.getLogger("bot")


class Stopper:
    """SIGTERM and SIGINT, turned into something the main thread can wait for.

    The signal may land on any thread, and then the main thread's blocking read would never be
    interrupted; so the C-level handler writes the signal's number to a pipe (set_wakeup_fd) and
    the main thread reads it. Nothing runs in the Python-level handler that could deadlock."""

    def __init__(self) -> None:
        self._read, write = os.pipe()
        os.set_blocking(write, False)
        signal.set_wakeup_fd(write)
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda signum, frame: None)

    def wait(self) -> str:
        """Block until a stop is asked for; the signal's name."""
        while True:
            number = os.read(self._read, 1)[0]
            if number in (signal.SIGTERM, signal.SIGINT):
                return signal.Signals(number).name


def http_server(app: WSGIApp, port: int, threads: int) -> Any:
    import waitress

    return waitress.create_server(
        app,
        host="0.0.0.0",
        port=port,
        threads=threads,
        connection_limit=1000,  # idle and slow clients cost a socket each, not a thread
        channel_timeout=30,  # an idle keep-alive connection is closed after this many seconds
        backlog=1024,  # a burst of Slack requests queues in the kernel instead of being refused
        ident="mailops",
    )


def _stop_listening(server: Any) -> None:
    """Close the listening socket from the server's own loop thread, and wait until it is closed."""
    from waitress import wasyncore

    closed = threading.Event()

    def close() -> None:
        wasyncore.dispatcher.close(server)  # the listener only: the trigger and open channels stay
        closed.set()

    server.trigger.pull_trigger(close)
    closed.wait(5)


def serve_http(bot: Bot, settings: Settings, stopper: Stopper) -> bool:
    server = http_server(bot.wsgi, settings.port, settings.http_threads)
    threading.Thread(target=server.run, name="http-loop", daemon=True).start()
    log.info(
        "serving Slack on http://0.0.0.0:%s/slack/events (health: /healthz, /readyz; metrics: /metrics)",
        settings.port,
    )
    why = stopper.wait()
    log.info("%s: no new requests; finishing the work in flight (up to %ss)", why, settings.shutdown_grace)
    _stop_listening(server)
    drained = bot.drain(settings.shutdown_grace)
    server.task_dispatcher.shutdown(timeout=2)  # answers are written by now: the ack threads end
    return drained


def serve_socket_mode(bot: Bot, settings: Settings, stopper: Stopper) -> bool:
    """Socket Mode: no inbound HTTP for Slack, but /healthz, /readyz and /metrics on $PORT when
    the platform sets it (a worker dyno or a Kubernetes pod still wants probes)."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler
    from slack_sdk.socket_mode.response import SocketModeResponse

    from bot.slack.boundary import unreadable_before_bolt

    in_flight = bot.in_flight

    class Handler(SocketModeHandler):
        def handle(self, client: Any, req: Any) -> None:  # an envelope: counted until its ack is sent
            with in_flight:
                try:
                    super().handle(client, req)
                except Exception as exc:  # Bolt could not parse it: acked all the same, logged once
                    unreadable_before_bolt(exc, "socket_mode")
                    client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))

    handler = Handler(bot.app, settings.secret("slack_app_token"))
    handler.connect()
    log.info("connected to Slack over Socket Mode")
    server = None
    if "port" in settings.model_fields_set:
        server = http_server(bot.probes, settings.port, 2)  # never /slack/events: nothing to verify it with
        threading.Thread(target=server.run, name="http-loop", daemon=True).start()
        log.info("health on http://0.0.0.0:%s/healthz and /readyz; metrics on /metrics", settings.port)
    why, grace = stopper.wait(), settings.shutdown_grace
    log.info("%s: closing the Socket Mode connection; finishing the work in flight (up to %ss)", why, grace)
    bot.in_flight.wait_idle(min(5.0, grace))  # acks being sent go out before the socket closes
    handler.close()
    drained = bot.drain(grace)
    if server is not None:
        _stop_listening(server)
        server.task_dispatcher.shutdown(timeout=2)
    return drained
