"""Entry points.

python -m bot                       serve Slack over HTTP on $PORT (Socket Mode with SLACK_APP_TOKEN)
python -m bot console [--sandbox]   type commands, read the replies as text (no Slack needed)
python -m bot console --sandbox order example.com    one command, then exit
python -m bot doctor                check settings, Slack, LogicBoxes and the database
python -m bot doctor --record DIR   read-only: the account's answers (scrubbed) and report.md, for a bug report
python -m bot digest --channel C..  post the orders expiring soon
python -m bot migrate               bring the database schema up to date (also done at start)
python -m bot audit verify          check the audit log's hash chain
python -m bot settings              print the effective settings as JSON (secrets masked)
python -m bot watch                 run the watch over the order book alone (ALERTS_CHANNEL; WATCH=off on web)
python -m bot manifest [--socket-mode]   print the Slack app manifest (manifest.yml, manifest.socket-mode.yml)
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from bot.config import LOGICBOXES, Settings, serve_requirements
from bot.running.startup import load_or_exit, make_bot_or_exit
from bot.telemetry.logs import configure_logging, fatal

log = logging.getLogger("bot")


def serve(settings: Settings) -> int:
    """Serve until SIGTERM or Ctrl-C, then stop cleanly: 0 once the work in flight is done."""
    from bot.running.serving import Stopper, serve_http, serve_socket_mode

    stopper = Stopper()  # before the bot starts: a SIGTERM during start-up is a clean stop too
    bot = make_bot_or_exit(settings)
    serving = serve_socket_mode if settings.slack_app_token is not None else serve_http
    if serving(bot, settings, stopper):
        log.info("stopped")
        return 0
    log.info("stopped with work unfinished")
    logging.shutdown()
    os._exit(1)  # now: the grace is spent, and waiting for the threads still working would outlast it


def digest(args: argparse.Namespace) -> int:
    """Post the orders expiring soon to a channel; for a daily scheduler."""
    from slack_sdk.errors import SlackApiError

    from bot.logicboxes import LogicBoxesError
    from bot.render import render_digest
    from bot.running.wiring import make_service
    from bot.slack import web_client
    from bot.telemetry import trace

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
    from bot.approvals.store import engine_for, head_revision, migrate, schema_revision

    settings = load_or_exit()
    configure_logging(settings.log_level, settings.log_format)
    from sqlalchemy.exc import SQLAlchemyError

    engine = engine_for(settings.database_url)
    try:
        before = schema_revision(engine)
        migrate(engine)
        after = schema_revision(engine)
    except SQLAlchemyError as exc:  # its kind, never the URL: it may hold a password
        fatal(f"migrate: the database at DATABASE_URL cannot be migrated ({type(exc).__name__}).")
        return 1
    print(f"database schema: {before or 'none (0.1.0 or new)'} -> {after} (head {head_revision()})")
    return 0


def audit_verify(args: argparse.Namespace) -> int:
    """Walk the audit log's hash chain, and check it still passes through a head kept from
    earlier (`--head <rows>:<hash>`); exit 1 naming what does not follow or what is missing."""
    from bot.approvals.auditchain import Head
    from bot.approvals.store import Store

    kept = None
    if args.head:
        try:
            kept = Head.parse(args.head)
        except ValueError as exc:
            fatal(f"audit verify: {exc}")
            return 2
    settings = load_or_exit()
    verdict = Store(settings.database_url).verify_audit(kept)
    if verdict.ok:
        print(f"audit log intact: {verdict.rows} rows, chain head {verdict.head[:16]}")
        print(f"head {verdict.rows}:{verdict.head}  (keep it outside the database; check later with --head)")
        return 0
    if verdict.broken_id is None:
        print(f"audit log BROKEN: the chain {verdict.why}", file=sys.stderr)
        return 1
    print(
        f"audit log BROKEN at row {verdict.broken_id}: it {verdict.why}; the {verdict.rows} rows before it are intact",
        file=sys.stderr,
    )
    return 1


def show_settings(args: argparse.Namespace) -> int:
    """The effective settings as one JSON object (secrets masked): what this process would run with,
    read from the environment and .env exactly as serving reads them."""
    import json

    settings = load_or_exit()
    print(json.dumps(settings.effective(), indent=2, sort_keys=True, ensure_ascii=False))
    return 0


def watch_alone(args: argparse.Namespace) -> int:
    """The watch without serving Slack: a Procfile line of its own (`watch: python -m bot watch`),
    with WATCH=off on the web processes. Stops cleanly on SIGTERM, handing the lease over."""
    from bot.running.serving import Stopper

    settings = load_or_exit(*serve_requirements())
    configure_logging(settings.log_level, settings.log_format)
    if settings.alerts_channel is None:
        fatal("python -m bot watch needs ALERTS_CHANNEL: the channel id (C...) the watch posts its alerts in.")
        return 2
    stopper = Stopper()
    bot = make_bot_or_exit(settings, sweep=False, watch=True)
    log.info("watching the order book; alerts go to %s", settings.alerts_channel)
    log.info("stopping on %s", stopper.wait())
    bot.stop.set()
    if bot.deps.watch is not None:
        bot.deps.watch.runner.wake.set()
        bot.deps.watch.runner.join(settings.shutdown_grace)
    return 0


def print_manifest(args: argparse.Namespace) -> int:
    """The app manifest generated from the bot's declarations: needs no settings, touches nothing."""
    from bot.slack.manifest import manifest_text

    sys.stdout.write(manifest_text(args.socket_mode))
    return 0


def console(args: argparse.Namespace) -> int:
    from bot.sandbox.console import run_console

    return run_console(args.sandbox, " ".join(args.command))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="mailops: Enterprise Email in Slack")
    sub = parser.add_subparsers(dest="mode")
    p_console = sub.add_parser("console", help="type /email commands in a terminal")
    p_console.add_argument("--sandbox", action="store_true", help="use the built-in LogicBoxes simulator")
    p_console.add_argument("command", nargs=argparse.REMAINDER, help="one command to run, then exit")
    sub.add_parser("serve", help="serve Slack (the default)")
    p_doctor = sub.add_parser("doctor", help="check settings, Slack, every LogicBoxes region and the database")
    p_doctor.add_argument(
        "--record",
        metavar="DIR",
        help="read-only: ask LogicBoxes each read the bot relies on once, write the answers (scrubbed) and "
        "report.md to DIR",
    )
    p_digest = sub.add_parser("digest", help="post the orders expiring soon to a channel (run it daily)")
    p_digest.add_argument("--channel", required=True, help="channel id, e.g. C0123456789")
    p_digest.add_argument("--days", type=int, default=30, help="the window, in days (default 30)")
    sub.add_parser("migrate", help="bring the database schema up to date (serving does it too)")
    sub.add_parser("settings", help="print the effective settings as JSON (secrets masked)")
    sub.add_parser("watch", help="run the watch over the order book alone (needs ALERTS_CHANNEL)")
    p_manifest = sub.add_parser("manifest", help="print the Slack app manifest (manifest.yml)")
    p_manifest.add_argument("--socket-mode", action="store_true", help="the Socket Mode app (manifest.socket-mode.yml)")
    p_audit = sub.add_parser("audit", help="audit log tools")
    p_audit.add_argument("action", choices=["verify"], help="verify: check the hash chain of every row")
    p_audit.add_argument(
        "--head",
        help="<rows>:<hash> printed by an earlier verify (or an audit_row log line): rows cut after it are named",
    )
    args = parser.parse_args(argv)

    if args.mode == "console":
        return console(args)
    if args.mode == "doctor" and args.record:
        from bot.running.record import run_record

        return run_record(args.record)
    if args.mode == "doctor":
        from bot.running.doctor import run_doctor

        return run_doctor()
    if args.mode == "digest":
        return digest(args)
    if args.mode == "migrate":
        return migrate(args)
    if args.mode == "audit":
        return audit_verify(args)
    if args.mode == "settings":
        return show_settings(args)
    if args.mode == "manifest":
        return print_manifest(args)
    if args.mode == "watch":
        return watch_alone(args)
    settings = load_or_exit(*serve_requirements())
    configure_logging(settings.log_level, settings.log_format)
    return serve(settings)


if __name__ == "__main__":
    sys.exit(main())
