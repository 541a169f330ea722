"""The `/email` slash command: parse, ack at once (the gate first), then hand the intent to the one
dispatcher (bot.commands.table) and deliver what it returns. No subcommand is special here."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot.access import UseCase, Who
from bot.commands.table import SUBCOMMANDS, dispatch, parse, row_of, usage_of
from bot.render import render_error
from bot.slack.change_forms import open_change_form
from bot.slack.delivery import deliver
from bot.slack.runtime import BUSY, OOPS, Runtime
from bot.slack.surfaces import on
from bot.telemetry import metrics, trace
from bot.values.words import MissingValues, ParseError

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
    text = command.get("text") or ""
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
    row = row_of(intent)
    asker = rt.asker(who, command.get("channel_id"))
    if row.in_ack:  # help: nothing to look up, answered in the acknowledgement
        (reply,) = dispatch(rt.uses, intent, asker)
        ack(**reply.message.as_kwargs())
        _count(text, "bad_input" if reply.failed else "ok")
        return
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
    rt.run(
        name, who, respond, lambda: deliver(respond, dispatch(rt.uses, intent, asker)), use_case=use_case, target=target
    )


def _count(text: str, outcome: str) -> None:
    """A command answered in its ack (help, a parse error): counted under its subcommand, or
    "unknown" for a word that is none (a label must not take whatever people type)."""
    word = text.split()[0].lower() if text.split() else "help"
    metrics.COMMANDS.labels(word if word in SUBCOMMANDS else "unknown", outcome).inc()


def register(app: App) -> None:
    on(app, "command", "/email", email)
