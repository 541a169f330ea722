"""The console: the bot's answers as text, from the very blocks Slack would get.

`--sandbox` starts the built-in LogicBoxes simulator, so it works with no account at all, and a
small DNS server beside it for `check` (the demo orders' domains: example.com set up right, the
others broken: acme.com, example.in, globex.com, hooli.in; initech.com does not resolve).
"""

from __future__ import annotations

import logging

from bot.commands.handlers import Asker
from bot.commands.intents import Help
from bot.commands.table import answer, help_for, is_read_only, parse, usage_of
from bot.commands.words import ParseError
from bot.config import LOGICBOXES
from bot.render import plain_text, render_error
from bot.running import trace
from bot.usecases.service import MailService

PROMPT = "/email "


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
