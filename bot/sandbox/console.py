"""The console: the bot's answers as text, from the very blocks Slack would get.

`--sandbox` starts the built-in LogicBoxes simulator, so it works with no account at all, and a
small DNS server beside it for `check` (the demo orders' domains: example.com set up right, the
others broken: acme.com, example.in, globex.com, hooli.in; initech.com does not resolve).
"""

from __future__ import annotations

import logging

from bot.approvals.store import Store
from bot.approvals.workflow import Approvals
from bot.commands.handlers import Asker, UseCases
from bot.commands.table import dispatch, parse, row_of, usage_of
from bot.config import LOGICBOXES
from bot.render import plain_text, render_error
from bot.telemetry import trace
from bot.usecases.service import MailService
from bot.values.words import ParseError
from bot.watch.records import WatchRecords
from bot.watch.rounds import Settings as WatchSettings
from bot.watch.rounds import Watch
from bot.watch.usecase import WatchUseCase

PROMPT = "/email "


def console_uses(service: MailService, database_url: str | None, approvers: list[str]) -> UseCases:
    """The use cases the console can reach without Slack: every read, the audit log (the database
    the bot uses), and the watch, whose rounds run here against this session's book and DNS and
    are kept in memory for the session. A change request needs Slack to post it: refused."""
    records = WatchRecords(Store("sqlite://").engine)
    approvals = None
    if database_url:
        approvals = Approvals(service, Store(database_url), approvers, lambda ids, user: user in ids)
    audit = approvals.store.audit if approvals is not None else (lambda *args: None)
    watch = Watch(service, records, service.live_dns, WatchSettings(confirm_rounds=1))
    return UseCases(service, approvals, WatchUseCase(records, audit, watch=watch))


SANDBOX_FINISH_AFTER = 20.0  # seconds the sandbox's LogicBoxes takes to finish an accepted change


def run_console(sandbox: bool, one_command: str = "") -> int:
    from bot.running.startup import load_or_exit
    from bot.running.wiring import make_service

    logging.basicConfig(level=logging.WARNING)
    simulator = zones = None
    if sandbox:
        from bot.sandbox.dnsserver import ZoneServer
        from bot.sandbox.simulator import demo, demo_zones

        simulator = demo()
        simulator.finish_after = SANDBOX_FINISH_AFTER  # LogicBoxes gets round to accepted work on its own
        simulator.start()
        zones = ZoneServer(demo_zones()).start()
        settings = load_or_exit(
            reseller_api_url=simulator.base_url,
            reseller_auth_userid=1,
            reseller_api_key=simulator.api_key,
            dns_resolvers=zones.address,
            _env_file=None,
        )
    else:
        settings = load_or_exit(*LOGICBOXES)
    service = make_service(settings)
    uses = console_uses(service, settings.database_url if not sandbox else None, settings.approvers)
    try:
        if one_command:
            return 0 if run_one(uses, one_command, settings.command_deadline) else 1
        print(
            "mailops console"
            + (
                " (sandbox: demo orders such as example.com, acme.com, example.in; try `check acme.com`)"
                if sandbox
                else ""
            )
        )
        print("Type a command as after /email, `help` for the list, Ctrl-D to quit.")
        while True:
            try:
                line = input(PROMPT)
            except (EOFError, KeyboardInterrupt):
                print()
                return 0
            if line.strip() in ("quit", "exit"):
                return 0
            if line.strip():
                run_one(uses, line, settings.command_deadline)
    finally:
        if simulator:
            simulator.stop()
        if zones:
            zones.stop()


def run_one(uses: UseCases, text: str, deadline: float) -> bool:
    """Print the reply to one command, from the same dispatcher as Slack's; False when it failed."""
    try:
        intent = parse(text)
    except ParseError as exc:
        print(plain_text(render_error(str(exc), usage_of(exc))))
        return False
    with trace.command_trace(deadline):
        replies = dispatch(uses, intent, Asker("console", lambda: True))
    for reply in replies:
        if not row_of(intent).in_ack:
            where = "posted in channel" if reply.in_channel else "only you see this"
            print(f"[{where}]")
        print(plain_text(reply.message))
        print()
    return not any(reply.failed for reply in replies)
