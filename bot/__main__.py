"""Entry points.

python -m bot                       serve Slack over HTTP on $PORT (Socket Mode with SLACK_APP_TOKEN)
python -m bot console [--sandbox]   type commands, read the replies as text (no Slack needed)
python -m bot console --sandbox order example.com    one command, then exit
python -m bot doctor                check settings, Slack, LogicBoxes and the database
python -m bot digest --channel C..  post the orders expiring soon
python -m bot migrate               bring the database schema up to date (also done at start)
python -m bot audit verify          check the audit log's hash chain
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from bot.config import LOGICBOXES, ConfigError, Settings, load_settings, serve_requirements
from bot.logs import configure_logging

log = logging.getLogger("bot")


def load_or_exit(*required: str, **overrides: object) -> Settings:
    """Settings, or one readable message and exit status 2 (never a traceback)."""
    try:
        return load_settings(*required, **overrides)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        raise SystemExit(2) from None


class PooledWSGIServer(WSGIServer):
    """wsgiref's server on a fixed thread pool: a burst of requests queues instead of spawning
    a thread each (ThreadingMixIn has no limit)."""

    request_queue_size = 1024  # the default backlog of 5 drops connections under a burst

    def __init__(self, *args: Any, threads: int = 32, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="http")

    def process_request(self, request: Any, client_address: Any) -> None:
        self._pool.submit(self._handle, request, client_address)

    def _handle(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        log.debug("http %s", format % args)


def make_bot_or_exit(settings: Settings):
    """The bot, or one readable line naming why it cannot start and exit status 2 (never a
    traceback): a revoked token, Slack unreachable, a database that cannot be migrated."""
    from bot.wiring import make_bot

    try:
        return make_bot(settings)
    except Exception as exc:
        print(f"mailops cannot start: {startup_failure(exc)}", file=sys.stderr)
        raise SystemExit(2) from None


def startup_failure(exc: BaseException) -> str:
    from slack_sdk.errors import SlackApiError
    from sqlalchemy.exc import SQLAlchemyError

    from bot.logs import redact

    text = redact(str(exc))
    refused = re.search(r"'error': '([a-z_]+)'", text)  # Bolt's BoltError carries auth.test's answer
    if isinstance(exc, SlackApiError) or refused:
        error = exc.response.get("error", "unknown_error") if isinstance(exc, SlackApiError) else refused[1]
        return f"Slack refused the bot token ({error}): reinstall the app and copy its token into SLACK_BOT_TOKEN."
    if isinstance(exc, SQLAlchemyError):
        return f"the database at DATABASE_URL cannot be prepared ({type(exc).__name__})."
    if isinstance(exc, OSError) or "urlopen error" in text or "Connection refused" in text:
        return f"Slack cannot be reached at SLACK_API_URL ({type(exc).__name__}): check the URL and the network."
    return f"{type(exc).__name__}: {text[:300]}"


def serve(settings: Settings) -> None:
    bot = make_bot_or_exit(settings)
    if settings.slack_app_token is not None:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        log.info("connecting to Slack over Socket Mode")
        SocketModeHandler(bot.app, settings.secret("slack_app_token")).start()
        return
    server = make_server("0.0.0.0", settings.port, bot.wsgi, PooledWSGIServer, _QuietHandler)
    log.info("serving Slack on http://0.0.0.0:%s/slack/events (health: /healthz)", settings.port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


def digest(args: argparse.Namespace) -> int:
    """Post the orders expiring soon to a channel; for a daily scheduler."""
    from slack_sdk.errors import SlackApiError

    from bot import trace
    from bot.logicboxes import LogicBoxesError
    from bot.render import render_digest
    from bot.slack import web_client
    from bot.wiring import make_service

    settings = load_or_exit("slack_bot_token", *LOGICBOXES)
    configure_logging(settings.log_level, settings.log_format)
    service = make_service(settings)
    try:
        with trace.command_trace(settings.command_deadline * 4):
            orders, unavailable = service.expiring(args.days)
    except LogicBoxesError as exc:
        print(f"digest: {exc}", file=sys.stderr)
        return 1
    client = web_client(settings)
    messages = render_digest(orders, args.days, service.now(), unavailable)
    try:
        for message in messages:
            client.chat_postMessage(channel=args.channel, **message.as_kwargs())
    except SlackApiError as exc:
        error = exc.response.get("error")
        hint = " (invite the bot to the channel with /invite @mailops)" if error == "not_in_channel" else ""
        print(f"digest: Slack refused the post: {error}{hint}", file=sys.stderr)
        return 1
    print(f"posted {len(orders)} expiring orders to {args.channel} in {len(messages)} message(s)")
    return 0


def migrate(args: argparse.Namespace) -> int:
    """Apply the database migrations; serving does it too, this is for a deploy's release step."""
    from bot.store import engine_for, head_revision, migrate, schema_revision

    settings = load_or_exit()
    configure_logging(settings.log_level, settings.log_format)
    engine = engine_for(settings.database_url)
    before = schema_revision(engine)
    migrate(engine)
    after = schema_revision(engine)
    print(f"database schema: {before or 'none (0.1.0 or new)'} -> {after} (head {head_revision()})")
    return 0


def audit_verify(args: argparse.Namespace) -> int:
    """Walk the audit log's hash chain; exit 1 naming the first row that does not follow."""
    from bot.store import Store

    settings = load_or_exit()
    verdict = Store(settings.database_url).verify_audit()
    if verdict.ok:
        print(f"audit log intact: {verdict.rows} rows, chain head {verdict.head[:16]}")
        return 0
    print(
        f"audit log BROKEN at row {verdict.broken_id}: it {verdict.why}; the {verdict.rows} rows before it are intact",
        file=sys.stderr,
    )
    return 1


def console(args: argparse.Namespace) -> int:
    from bot.console import run_console

    return run_console(args.sandbox, " ".join(args.command))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="mailops: Enterprise Email in Slack")
    sub = parser.add_subparsers(dest="mode")
    p_console = sub.add_parser("console", help="type /email commands in a terminal")
    p_console.add_argument("--sandbox", action="store_true", help="use the built-in LogicBoxes simulator")
    p_console.add_argument("command", nargs=argparse.REMAINDER, help="one command to run, then exit")
    sub.add_parser("serve", help="serve Slack (the default)")
    sub.add_parser("doctor", help="check settings, Slack, every LogicBoxes region and the database")
    p_digest = sub.add_parser("digest", help="post the orders expiring soon to a channel (run it daily)")
    p_digest.add_argument("--channel", required=True, help="channel id, e.g. C0123456789")
    p_digest.add_argument("--days", type=int, default=30, help="the window, in days (default 30)")
    sub.add_parser("migrate", help="bring the database schema up to date (serving does it too)")
    p_audit = sub.add_parser("audit", help="audit log tools")
    p_audit.add_argument("action", choices=["verify"], help="verify: check the hash chain of every row")
    args = parser.parse_args(argv)

    if args.mode == "console":
        return console(args)
    if args.mode == "doctor":
        from bot.doctor import run_doctor

        return run_doctor()
    if args.mode == "digest":
        return digest(args)
    if args.mode == "migrate":
        return migrate(args)
    if args.mode == "audit":
        return audit_verify(args)
    settings = load_or_exit(*serve_requirements())
    configure_logging(settings.log_level, settings.log_format)
    serve(settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
