"""The console: the bot's answers as text, from the very blocks Slack would get.

`--sandbox` starts the built-in LogicBoxes simulator, so it works with no account at all, and a
small DNS server beside it for `check` (the demo orders' domains: example.com set up right, the
others broken: acme.com, example.in, globex.com, hooli.in; initech.com does not resolve).
"""

from __future__ import annotations

import logging

from bot.approvals.store import Store
from bot.commands.handlers import Asker
from bot.commands.intents import Help, WatchCommand
from bot.commands.table import answer, help_for, is_read_only, parse, usage_of
from bot.commands.words import ParseError
from bot.config import LOGICBOXES
from bot.render import Message, plain_text, render_error
from bot.render.watch import render_alert, render_note, render_watch_status
from bot.running import trace
from bot.usecases.service import MailService
from bot.watch.alerts import OPEN
from bot.watch.records import WatchRecords
from bot.watch.rounds import Settings as WatchSettings
from bot.watch.rounds import Watch

PROMPT = "/email "
_WATCHES: dict[int, tuple[Watch, WatchRecords]] = {}


def _watch(service: MailService, intent: WatchCommand) -> Message:
    """The watch in the console: rounds run here, against this session's book and DNS, remembered
    in memory for the session; what Slack's alerts channel would get is printed instead."""
    if id(service) not in _WATCHES:
        records = WatchRecords(Store("sqlite://").engine)
        live = service.live_dns
        _WATCHES[id(service)] = (Watch(service, records, live, WatchSettings(confirm_rounds=1)), records)
    watch, records = _WATCHES[id(service)]
    if intent.action == "run":
        report = watch.round()
        opened = [records.get(key) for key in report.opened]
        lines = [
            f"Round {report.number}: {report.orders} orders, {report.checked} DNS checked, "
            f"{report.unchecked} could not be checked; {len(opened)} new problem(s), "
            f"{len(report.resolved)} resolved."
        ]
        body = "\n\n".join(plain_text(render_alert(alert)) for alert in opened if alert is not None)
        return Message("\n\n".join([*lines, body] if body else lines), [])
    if intent.action == "unmute":
        done = records.unmute(intent.domain or "")
        return render_note(f"{intent.domain} is watched again." if done else f"{intent.domain} is not muted.")
    return render_watch_status(records.round(), records.all(OPEN), enabled=True)


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
    try:
        if one_command:
            return 0 if run_one(service, one_command, settings.command_deadline) else 1
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
                run_one(service, line, settings.command_deadline)
    finally:
        if simulator:
            simulator.stop()
        if zones:
            zones.stop()


def run_one(service: MailService, text: str, deadline: float) -> bool:
    """Print the reply to one command; False when it was an error."""
    try:
        intent = parse(text)
    except ParseError as exc:
        print(plain_text(render_error(str(exc), usage_of(exc))))
        return False
    if isinstance(intent, Help):
        print(plain_text(help_for(intent.unknown)))
        return intent.unknown is None
    if isinstance(intent, WatchCommand):
        print(plain_text(_watch(service, intent)))
        return True
    if not is_read_only(intent):
        print(plain_text(render_error("Changes need a second person's approval: use this command in Slack.")))
        return False
    with trace.command_trace(deadline):
        replies = answer(service, intent, Asker("console", lambda: True))
    for reply in replies:
        where = "posted in channel" if reply.in_channel else "only you see this"
        print(f"[{where}]")
        print(plain_text(reply.message))
        print()
    return not any(reply.failed for reply in replies)
