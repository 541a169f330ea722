"""The `/email` slash command: parse, ack at once, then answer, request a change, or show the audit."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot.access import UseCase, Who
from bot.commands.handlers import Reply
from bot.commands.intents import Audit, Help, WatchCommand
from bot.commands.table import SUBCOMMANDS, answer, help_for, is_read_only, parse, row_of, usage_of
from bot.commands.words import MissingValues, ParseError
from bot.logicboxes import LogicBoxesError
from bot.render import render_audit, render_error, render_reads
from bot.render.watch import render_note, render_watch_status
from bot.running import metrics, trace
from bot.slack.approval_flow import request_approval
from bot.slack.change_forms import open_change_form
from bot.slack.delivery import deliver
from bot.slack.runtime import BUSY, OOPS, Runtime
from bot.usecases.results import UserError
from bot.watch.alerts import OPEN

log = logging.getLogger(__name__)


def email(ack: Ack, command: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    """Whatever goes wrong before the ack still answers (HTTP 200), never a 500 or silence."""
    try:
        _email(ack, command, respond, context)
    except Exception:
        log.exception("the /email command failed before its answer")
        if not ack.response:
            ack(text=OOPS.format(cid=trace.current().cid))


def _email(ack: Ack, command: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    rt: Runtime = context["rt"]
    who: Who = context["who"]
    text, user_id = command.get("text") or "", who.user_id
    try:
        intent = parse(text)
    except MissingValues as missing:  # `/email renew example.com`: a form asks for the rest
        refusal = rt.check(who, UseCase.REQUEST)
        if refusal:
            ack(text=refusal)
            return
        if command.get("trigger_id"):
            open_change_form(rt, missing, command["trigger_id"], who, command["channel_id"])
            ack()
            return
        ack(**render_error(str(missing), usage_of(missing)).as_kwargs())
        _count(text, "bad_input")
        return
    except ParseError as exc:
        ack(**render_error(str(exc), usage_of(exc)).as_kwargs())
        _count(text, "bad_input")
        return
    if isinstance(intent, Help):
        may = lambda sub: sub.role is None or rt.access.has(who, sub.role)
        ack(**help_for(intent.unknown, may).as_kwargs())
        _count(text, "bad_input" if intent.unknown else "ok")
        return
    row = row_of(intent)
    use_case = row.use_case_of(intent)
    refusal = rt.check(who, use_case)
    if refusal:  # refused in the ack, before LogicBoxes is asked
        ack(text=refusal)
        return
    name = text.split()[0].lower()  # a subcommand: it parsed
    if rt.deps.workers.full:  # said in the ack: a separate post would hold the ack up in a burst
        rt.count_busy(name)
        ack(text=BUSY)
        return
    ack(text=row.progress(intent))
    # what was asked about, for the access log (a customer's lookup logs the ids found, never the text)
    target = text.split(maxsplit=1)[1] if len(text.split()) > 1 and row.logs_target else None
    if is_read_only(intent):
        work = lambda: deliver(respond, answer(rt.deps.service, intent, rt.asker(who)))
    elif isinstance(intent, Audit):
        work = lambda: deliver(respond, [Reply(audit(rt, intent))])
    elif isinstance(intent, WatchCommand):
        work = lambda: deliver(respond, [Reply(watch_command(rt, intent, who))])
    else:
        work = lambda: request_approval(rt, intent, user_id, command["channel_id"], respond)
    rt.run(name, who, respond, work, target, use_case)


def _count(text: str, outcome: str) -> None:
    """A command answered in its ack (help, a parse error): counted under its subcommand, or
    "unknown" for a word that is none (a label must not take whatever people type)."""
    word = text.split()[0].lower() if text.split() else "help"
    metrics.COMMANDS.labels(word if word in SUBCOMMANDS else "unknown", outcome).inc()


def audit(rt: Runtime, intent: Audit):
    try:
        if intent.reads:
            return render_reads(*rt.deps.approvals.reads(intent))
        return render_audit(rt.deps.approvals.audit(intent))
    except (UserError, LogicBoxesError) as exc:
        return render_error(str(exc), getattr(exc, "usage", None))


def watch_command(rt: Runtime, intent: WatchCommand, who: Who):
    """`/email watch`: the last round and the open alerts; `run`: a round now; `unmute <domain>`."""
    desk = rt.deps.watch
    if desk is None:
        return render_watch_status({}, [], enabled=False)
    if intent.action == "run":
        desk.runner.run_now()
        where = "here" if desk.running else "on the instance that runs the watch"
        return render_note(f"A round of the watch starts now ({where}); its alerts go to the alerts channel.")
    if intent.action == "unmute":
        if not desk.records.unmute(intent.domain or ""):
            return render_note(f"{intent.domain} is not muted.")
        rt.deps.approvals.store.audit(
            "unmute", who.user_id, {"id": None, "order_id": None, "domain": intent.domain}, {"watch": "mail"}
        )
        return render_note(f"{intent.domain} is watched again: the next round checks its mail DNS.")
    return render_watch_status(desk.records.round(), desk.records.all(OPEN), enabled=True)


def register(app: App) -> None:
    app.command("/email")(email)
