"""Buttons: Share, Next page, the approval decisions, and the buttons that start a request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot.access import NOT_SHAREABLE, RULES, UseCase, Who
from bot.commands.handlers import Asker
from bot.commands.table import dispatch, parse, row_of, usage_of
from bot.render import render_error, shared_by
from bot.render.blocks import CHECK_DNS, CUSTOMER_CARD, LOOK_UP
from bot.render.forms import deny_form, lookup_form, quote_form
from bot.render.watch import MUTE
from bot.slack.approval_flow import publish_outcome
from bot.slack.change_forms import open_change_form
from bot.slack.delivery import deliver, send, show_privately, tell
from bot.slack.runtime import Runtime
from bot.slack.surfaces import on
from bot.values.intents import Change, Help, Intent
from bot.values.words import MissingValues, ParseError, normalize_domain


def refused(rt: Runtime, context: BoltContext, respond: Respond, body: dict[str, Any], use_case: UseCase) -> bool:
    """Tell the clicker why they may not (and log it); True when they may not. The gate checks
    again when the work runs: this only spares them a form or a wait."""
    refusal = rt.check(context["who"], use_case)
    if refusal:
        rt.notifier(body, respond)(refusal)
    return refusal is not None


def _clicked(body: dict[str, Any]) -> str:
    """The button's value: text the clicker could have forged, parsed like anything typed."""
    actions = body.get("actions")
    action = actions[0] if isinstance(actions, list) and actions and isinstance(actions[0], dict) else {}
    value = action.get("value")
    return value if isinstance(value, str) else ""


def _carried(text: str, allowed: Callable[[UseCase], bool]) -> tuple[Intent, UseCase] | None:
    """The command a Share, Next page or Check DNS button carries, if it is one such a button may
    carry; None for anything else (a change, the audit, a quote, text that does not parse)."""
    try:
        intent = parse(text)
    except ParseError:
        return None
    use_case = row_of(intent).use_case_of(intent)
    return (intent, use_case) if not isinstance(intent, Help) and allowed(use_case) else None


def share(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    """Post a private card for everyone, rebuilt from the button's command (Slack does not send
    ephemeral messages back). Only shareable answers, and only for someone who may ask for them."""
    ack()
    rt: Runtime = context["rt"]
    who: Who = context["who"]
    carried = _carried(_clicked(body), lambda use_case: RULES[use_case].shareable)
    if carried is None:
        tell(respond, NOT_SHAREABLE)
        return
    intent, use_case = carried

    def work() -> None:
        replies = dispatch(rt.uses, intent, Asker(who.user_id))  # never a cost: it is posted for everyone
        if any(reply.failed for reply in replies):  # never post a failure in the channel
            for reply in replies:
                show_privately(respond, reply.message)
            return
        for reply in replies:
            send(
                respond,
                **shared_by(reply.message, who.user_id).as_kwargs(),
                response_type="in_channel",
                replace_original=False,
            )
        send(respond, delete_original=True)  # one click, one post: the private copy goes

    rt.run("share", who, respond, work, use_case=use_case)


def _answer_again(name: str, replace: bool, allowed: Callable[[UseCase], bool]):
    """A button whose value is a command (Next page, Check DNS): answered for the clicker only,
    in place of the card (`replace`) or below it, if the command is one that button may carry."""

    def handler(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
        ack()
        rt: Runtime = context["rt"]
        who: Who = context["who"]
        text = _clicked(body)
        carried = _carried(text, allowed)
        if carried is None:
            tell(respond, NOT_SHAREABLE)
            return
        intent, use_case = carried
        work = lambda: deliver(respond, dispatch(rt.uses, intent, rt.asker(who)), replace=replace)
        target = text.split(maxsplit=1)[-1] if use_case is UseCase.CHECK else None  # for the access log
        rt.run(name, who, respond, work, use_case=use_case, target=target)

    return handler


next_page = _answer_again("next_page", replace=True, allowed=lambda use_case: RULES[use_case].pageable)
check_dns = _answer_again("check", replace=False, allowed=lambda use_case: use_case is UseCase.CHECK)
look_up = _answer_again("look_up", replace=False, allowed=lambda use_case: use_case is UseCase.LOOKUP)
customer_card = _answer_again("customer", replace=False, allowed=lambda use_case: use_case is UseCase.CUSTOMER)


def watch_mute(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    """Mute on a mail alert: the domain points elsewhere on purpose. Approvers only; audited by the
    watch's use case; the alert is resolved, and `/email watch unmute <domain>` undoes it."""
    ack()
    rt: Runtime = context["rt"]
    who: Who = context["who"]
    desk = rt.deps.watch
    try:
        domain = normalize_domain(_clicked(body))
    except ParseError:
        tell(respond, "This button names no domain.")
        return
    if desk is None or desk.usecase is None:
        tell(respond, "The watch is off here: ALERTS_CHANNEL is not set.")
        return
    watch = desk.usecase

    def work() -> None:
        resolved = watch.mute(domain, who.user_id)
        if resolved is None:
            tell(respond, f"{domain} is muted already: `/email watch unmute {domain}` watches it again.")
            return
        for alert in resolved:
            desk.alerts.resolve(alert, f", muted by <@{who.user_id}>")
        tell(
            respond,
            f"{domain} is muted: the watch leaves its mail DNS alone. `/email watch unmute {domain}` undoes it.",
        )

    rt.run("watch_mute", who, respond, work, use_case=UseCase.WATCH_ADMIN, target=domain)


def request_change(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    """A Renew button in the digest, or Request these accounts / Request renewal under a quote:
    the same request the typed command makes, asked by whoever clicked."""
    ack()
    rt: Runtime = context["rt"]
    who: Who = context["who"]
    text = _clicked(body)
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    if refused(rt, context, respond, body, UseCase.REQUEST):
        return
    try:
        change = parse(text)
    except MissingValues as missing:  # the digest's Renew: the renewal form, 12 months proposed
        open_change_form(rt, missing, body.get("trigger_id") or "", who, channel or who.user_id)
        return
    except ParseError as exc:
        show_privately(respond, render_error(str(exc), usage_of(exc)))
        return
    if not isinstance(change, Change) or not channel:  # a forged value naming a read: not this button's
        tell(respond, "This button asks for a change, and its value names none.")
        return
    work = lambda: deliver(respond, dispatch(rt.uses, change, rt.asker(who, channel)))
    rt.run("request_change", who, respond, work, use_case=UseCase.REQUEST)


def decide(decision: str):
    """Approve, Deny or Cancel: the action ids 0.1.0 posted, the request id as value."""

    use_case = UseCase.CANCEL if decision == "cancel" else UseCase.DECIDE

    def listener(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
        ack()
        rt: Runtime = context["rt"]
        who: Who = context["who"]
        approval_id = _clicked(body)
        notify = rt.notifier(body, respond)

        def work() -> None:
            result = rt.deps.approvals.decide(approval_id, who.user_id, decision)
            if result.notice:
                notify(result.notice)
            if result.changed and result.approval is not None:
                publish_outcome(rt, result.approval)

        rt.run(decision, who, respond if body.get("response_url") else None, work, use_case=use_case, refuse=notify)

    listener.__name__ = decision
    return listener


def deny(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    """Deny opens a small form for an optional reason (its trigger lives 3 s: open it now)."""
    ack()
    rt: Runtime = context["rt"]
    who: Who = context["who"]
    approval_id = _clicked(body)
    if refused(rt, context, respond, body, UseCase.DECIDE):
        return
    refusal = rt.deps.approvals.refusal_to_decide(approval_id, who.user_id, "deny")
    if refusal:
        rt.notifier(body, respond)(refusal)
        return
    approval = rt.deps.approvals.request(approval_id)
    if approval is not None:
        rt.client.views_open(trigger_id=body["trigger_id"], view=deny_form(approval))


def home_lookup(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    ack()
    if refused(context["rt"], context, respond, body, UseCase.LOOKUP):
        return
    context["rt"].client.views_open(trigger_id=body["trigger_id"], view=lookup_form())


def home_quote(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    ack()
    if refused(context["rt"], context, respond, body, UseCase.QUOTE):
        return
    channel = (body.get("channel") or {}).get("id")
    context["rt"].client.views_open(trigger_id=body["trigger_id"], view=quote_form(channel))


def register(app: App) -> None:
    on(app, "action", "home_lookup", home_lookup)
    on(app, "action", "home_quote", home_quote)
    on(app, "action", "share", share)
    on(app, "action", "next_page", next_page)
    on(app, "action", CHECK_DNS, check_dns)
    on(app, "action", LOOK_UP, look_up)
    on(app, "action", MUTE, watch_mute)
    on(app, "action", CUSTOMER_CARD, customer_card)
    on(app, "action", "request_change", request_change)
    on(app, "action", "deny", deny)
    for decision in ("approve", "cancel"):
        on(app, "action", decision, decide(decision))
