"""Build the bot's parts from Settings: one place that knows how they fit together."""

from __future__ import annotations

import io
import logging
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from bot.approvals.accesslog import AccessLog
from bot.approvals.notices import Notifiers
from bot.approvals.store import Store, head_revision, schema_revision
from bot.approvals.workflow import Approvals
from bot.config import Settings, url_secrets
from bot.dns.live import LiveDns, parse_resolvers
from bot.logicboxes import ClientConfig, LogicBoxes
from bot.running.changefeed import ChangeFeed, FeedNotifier
from bot.slack import Deps, create_app, web_client
from bot.slack.boundary import unreadable_before_bolt
from bot.slack.directory import Directory
from bot.slack.inflight import InFlight
from bot.slack.verification import is_signed, refused
from bot.slack.watch import SlackAlerts, WatchDesk
from bot.slack.workers import Workers
from bot.telemetry import metrics
from bot.telemetry.logs import quiet, register_proxy_secrets, register_secret
from bot.telemetry.metrics import metrics_app
from bot.usecases.service import MailService
from bot.watch.records import WatchRecords
from bot.watch.rounds import Settings as WatchSettings
from bot.watch.rounds import Watch
from bot.watch.runner import WatchRunner
from bot.watch.usecase import WatchUseCase

log = logging.getLogger(__name__)


def make_client(settings: Settings) -> LogicBoxes:
    register_secret(settings.secret("reseller_api_key"))
    register_proxy_secrets()  # a proxy's password too
    return LogicBoxes(
        ClientConfig(
            base_url=settings.reseller_api_url,
            auth_userid=settings.reseller_auth_userid or 0,
            api_key=settings.secret("reseller_api_key"),
            connect_timeout=settings.connect_timeout,
            read_timeout=settings.read_timeout,
            retries=settings.retries,
            order_ttl=settings.order_cache_ttl,
            dns_ttl=settings.dns_cache_ttl,
            pricing_ttl=settings.pricing_cache_ttl,
            breaker_failures=settings.breaker_failures,
            breaker_reset=settings.breaker_reset,
            regions=tuple(settings.reseller_regions),
        )
    )


def make_service(settings: Settings, client: LogicBoxes | None = None) -> MailService:
    return MailService(
        client or make_client(settings),
        settings.reseller_regions,
        currency=settings.reseller_currency,
        region_cache_ttl=settings.region_cache_ttl,
        probe_threads=settings.probe_threads,
        live_dns=LiveDns(parse_resolvers(settings.dns_resolvers)),
    )


@dataclass
class Bot:
    app: App
    deps: Deps
    wsgi: Callable[..., Iterable[bytes]]  # Slack's requests and the probes
    probes: Callable[..., Iterable[bytes]]  # the probes alone
    stop: threading.Event
    in_flight: InFlight

    def drain(self, grace: float) -> bool:
        """A clean stop, once no new requests arrive: let the requests being answered finish, then
        the work they started (answers delivered, approvals settled), then the access log's queue;
        all within `grace` seconds. False, with a log line naming what was left, if time ran out."""
        deadline = time.monotonic() + grace
        left = lambda: max(0.0, deadline - time.monotonic())
        self.stop.set()  # no sweep starts from here on
        steps = (
            ("requests being acknowledged", self.in_flight.wait_idle),
            ("commands and changes running", self.deps.workers.wait_idle),
            ("access-log rows", self.deps.access_log.flush),
        )
        for what, wait in steps:
            if not wait(left()):
                log.error("stopping with %s unfinished after SHUTDOWN_GRACE (%ss)", what, grace)
                return False
        return True


GROUP_FRESHNESS = 5  # seconds: approver and cost-viewer groups are checked at most this old


def make_watch(
    settings: Settings, service: MailService, store: Store, client: WebClient, clock: Callable[[], float] = time.time
) -> WatchDesk:
    """The watch's parts (bot/watch/), when ALERTS_CHANNEL is set: its own resolver and threads."""
    records = WatchRecords(store.engine)
    watch = Watch(
        service,
        records,
        LiveDns(parse_resolvers(settings.dns_resolvers)),
        WatchSettings(
            grace_days=settings.watch_grace_days,
            confirm_rounds=settings.watch_confirm_rounds,
            expiry_days=settings.expiry_warning_days,
            stuck_after=settings.action_stuck_after,
            concurrency=settings.watch_concurrency,
            dns_concurrency=settings.watch_dns_concurrency,
        ),
        clock,
        store.request_for_action,
    )
    assert settings.alerts_channel is not None
    alerts = SlackAlerts(client, settings.alerts_channel, records, clock)
    runner = WatchRunner(watch, alerts, records, settings.watch_interval, settings.watch_lease_ttl, clock)
    desk = WatchDesk(records, watch, alerts, runner, settings.alerts_channel, running=settings.watch)
    desk.usecase = WatchUseCase(
        records,
        lambda action, actor, row, detail: store.audit(action, actor, row, detail),
        run_now=runner.run_now,
        running_here=lambda: desk.running,
        clock=clock,
    )
    return desk


def make_bot(
    settings: Settings,
    token_verification: bool = True,
    sweep: bool = True,
    clock: Callable[[], float] = time.time,
    watch: bool | None = None,
) -> Bot:
    """The bot's parts; with `sweep` the approval sweep runs, and the watch takes part in rounds
    when ALERTS_CHANNEL is set and WATCH is on (`watch` overrides both for tests and `python -m bot watch`)."""
    sys.setswitchinterval(settings.gil_switch_interval)
    for name in ("slack_bot_token", "slack_signing_secret", "slack_app_token"):
        register_secret(settings.secret(name))
    for secret in url_secrets(settings.database_url):  # ?password= too, not only user:password@
        register_secret(secret)
    client = web_client(settings)
    service = make_service(settings)
    directory = Directory(client, ttl=GROUP_FRESHNESS, clock=clock)
    notices = Notifiers()  # the Slack layer and the change feed join it as they are built
    in_flight = InFlight()  # the requests being acknowledged: work waits for them (Workers)
    workers = Workers(settings.worker_threads, settings.work_queue_limit, in_flight.wait_quiet)
    approvals = Approvals(
        service,
        Store(settings.database_url, tolerate_outage=True),
        settings.approvers,
        directory.contains,
        ttl=settings.approval_ttl,
        max_add_accounts=settings.max_add_accounts,
        default_invoice=settings.default_invoice_option,
        clock=clock,
        # a run is "stuck" only once its call can no longer answer: the command's deadline bounds
        # every call (a trickling answer included), plus one connect and one read timeout of slack
        stuck_after=settings.command_deadline + settings.connect_timeout + settings.read_timeout + 30,
        followup_after=settings.followup_after,
        action_stuck_after=settings.action_stuck_after,
        notifier=notices,
        order_wait=settings.command_deadline,  # a second change to an order waits this long for the first
        spawn=lambda job: workers.submit(job) or job(),  # a change that waited runs on the pool (here if full)
    )
    desk = make_watch(settings, service, approvals.store, client, clock) if settings.alerts_channel else None
    deps = Deps(
        settings, service, approvals, workers, directory, AccessLog(approvals.store.record_access), notices, desk
    )
    with quiet("slack_sdk", "slack_bolt"):  # auth.test: if Slack cannot be reached, the caller says so once
        app = create_app(deps, client, token_verification)
    stop = threading.Event()
    feed = ChangeFeed(approvals.store, service.client.forget_order, service.client.forget_all_orders, stop)
    notices.join(FeedNotifier(feed))
    feed.start()
    if desk is not None and (settings.watch if watch is None else watch):
        desk.running = True
        desk.runner.start(stop)
    if sweep:
        threading.Thread(
            target=_sweep_loop,
            args=(approvals, settings.approval_sweep_interval, stop, settings.access_log_days),
            name="approval-sweep",
            daemon=True,
        ).start()
    open_alerts = desk.records.open_counts if desk is not None else None
    probes = probe_app(lambda: readiness(approvals.store), approvals.store.count_pending, open_alerts)
    return Bot(
        app,
        deps,
        in_flight.wrap(wsgi_app(app, probes, settings.secret("slack_signing_secret"))),
        in_flight.wrap(probes),
        stop,
        in_flight,
    )


def _sweep_loop(approvals: Approvals, interval: float, stop: threading.Event, access_days: int = 90) -> None:
    while not stop.wait(interval):
        try:
            if not approvals.store.ensure_ready():
                continue  # the database is still down: lookups go on, changes wait
            approvals.sweep()
            now = time.time()  # the access log is kept ACCESS_LOG_DAYS; replays matter for 5 minutes
            approvals.store.prune(access_before=now - access_days * 86400, seen_before=now - 600)
        except Exception:
            log.exception("approval sweep failed; trying again in %ss", interval)


MAX_BODY = 1_000_000  # Slack's payloads are a few KB; anything near a megabyte is not from Slack


def readiness(store: Store) -> list[str]:
    """What keeps this process from being ready (empty: ready). Settings are loaded by now."""
    problems = []
    try:
        store.ping()
    except Exception as exc:  # any driver error: its kind, never the URL (it may hold a password)
        return [f"database unreachable ({type(exc).__name__})"]
    if not store.ensure_ready():
        problems.append("database schema not migrated yet")
    else:
        current, head = schema_revision(store.engine), head_revision()
        if current != head:
            problems.append(f"database schema at {current}, not {head}")
    return problems


def probe_app(
    ready: Callable[[], list[str]] | None = None,
    pending: Callable[[], int] | None = None,
    open_alerts: Callable[[], dict[str, int]] | None = None,
) -> Callable[..., Iterable[bytes]]:
    """GET /healthz (alive: always 200 while the process serves), /readyz (200 "ready", or 503
    naming what is wrong) and /metrics (Prometheus); anything else 404. Alone, it is what Socket
    Mode serves on $PORT."""
    prometheus = metrics_app(pending, open_alerts)

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO"), environ.get("REQUEST_METHOD")
        if path == "/healthz" and method in ("GET", "HEAD"):
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"ok\n"]
        if path == "/readyz" and method in ("GET", "HEAD"):
            problems = ready() if ready else []
            status = "503 Service Unavailable" if problems else "200 OK"
            start_response(status, [("Content-Type", "text/plain; charset=utf-8")])
            return [("\n".join(problems) if problems else "ready").encode() + b"\n"]
        if path == "/metrics" and method in ("GET", "HEAD"):
            return prometheus(environ, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
        return [b"not found\n"]

    return application


def wsgi_app(
    app: App, probes: Callable[..., Iterable[bytes]], signing_secret: str = ""
) -> Callable[..., Iterable[bytes]]:
    """Bolt's WSGI adapter on /slack/events, the probes beside it. A body over MAX_BODY (or of no
    declared length) is refused with 413 before a byte of it is read; then Slack's signature is
    checked before Bolt parses a byte of it: a request not verifiably from Slack is 401 and nothing
    else (bot.slack.verification)."""
    slack = SlackRequestHandler(app, path="/slack/events")

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != "/slack/events":
            return probes(environ, start_response)
        body = b""
        if environ.get("REQUEST_METHOD") == "POST":
            length = str(environ.get("CONTENT_LENGTH") or "")
            if not length.isascii() or not length.isdigit() or int(length) > MAX_BODY:
                start_response("413 Content Too Large", [("Content-Type", "text/plain")])
                return [b"request body too large or of unknown length\n"]
            body = environ["wsgi.input"].read(int(length))
            environ["wsgi.input"] = io.BytesIO(body)
        timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP")
        if not is_signed(signing_secret, body, timestamp, environ.get("HTTP_X_SLACK_SIGNATURE")):
            refused(len(body), "signature")
            start_response("401 Unauthorized", [("Content-Type", "text/plain")])
            return [b"invalid request\n"]
        started = time.perf_counter()
        try:
            return slack(environ, start_response)  # listeners ack and hand work on: this is the ack
        except Exception as exc:  # Bolt's own parsing of a signed body failed: still one boundary
            unreadable_before_bolt(exc, "http")
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b""]
        finally:
            metrics.ACK_SECONDS.observe(time.perf_counter() - started)

    return application
