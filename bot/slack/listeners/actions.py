"""Buttons: Share, Next page, the approval decisions, and the buttons that start a request."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot import commands as c
from bot.access import Role
from bot.approvals import Approval
from bot.dispatch import Asker, answer
from bot.parsing import MissingValues
from bot.render import render_error, shared_by
from bot.render.forms import deny_form, lookup_form, quote_form
from bot.render.messages import CHECK_DNS
from bot.slack.approval_flow import publish_outcome, request_approval
from bot.slack.change_forms import open_change_form
from bot.slack.runtime import Runtime, deliver, send, show_privately


def refused(rt: Runtime, context: BoltContext, respond: Respond, body: dict[str, Any], role: Role) -> bool:
    """Tell the clicker the role they lack (and log it); True when they lack it."""
    refusal = rt.refusal(context, role)
    if refusal:
        rt.notifier(body, respond)(refusal)
    return refusal is not None


def _clicked(body: dict[str, Any]) -> tuple[str, str]:
    return body["user"]["id"], body["actions"][0]["value"]


def share(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    """Post a private card for everyone, rebuilt from the button's command (Slack does not send
    ephemeral messages back)."""
    ack()
    rt: Runtime = context["rt"]
    user_id, text = _clicked(body)
    if refused(rt, context, respond, body, Role.READER):
        return

    def work() -> None:
        replies = answer(rt.deps.service, c.parse(text), Asker(user_id))
        if any(reply.failed for reply in replies):  # never post a failure in the channel
            for reply in replies:
                show_privately(respond, reply.message)
            return
        for reply in replies:
            send(
                respond,
                **shared_by(reply.message, user_id).as_kwargs(),
                response_type="in_channel",
                replace_original=False,
            )
        send(respond, delete_original=True)  # one click, one post: the private copy goes

    rt.run("share", user_id, respond, work)


def _answer_again(name: str, replace: bool, with_target: bool = False):
    """A button whose value is a command (Next page, Check DNS): answered for the clicker only,
    in place of the card (`replace`) or below it."""

    def handler(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
        ack()
        rt: Runtime = context["rt"]
        user_id, text = _clicked(body)
        if refused(rt, context, respond, body, Role.READER):
            return
        work = lambda: deliver(respond, answer(rt.deps.service, c.parse(text), Asker(user_id)), replace=replace)
        target = text.split(maxsplit=1)[-1] if with_target else None  # for the access log
        rt.run(name, user_id, respond, work, target)

    return handler


next_page = _answer_again("next_page", replace=True)
check_dns = _answer_again("check", replace=False, with_target=True)  # private, below the card, with Share


def request_change(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    """A Renew button in the digest, or Request these accounts / Request renewal under a quote:
    the same request the typed command makes, asked by whoever clicked."""
    ack()
    rt: Runtime = context["rt"]
    user_id, text = _clicked(body)
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    if refused(rt, context, respond, body, Role.REQUESTER):
        return
    try:
        c.parse(text)
    except MissingValues as missing:  # the digest's Renew: the renewal form, 12 months proposed
        open_change_form(rt, missing, body["trigger_id"], user_id, channel or user_id)
        return
    except c.ParseError:
        pass  # said below, privately

    def work() -> None:
        try:
            change = c.parse(text)
        except c.ParseError as exc:
            show_privately(respond, render_error(str(exc), exc.usage))
            return
        if isinstance(change, c.Change) and channel:
            request_approval(rt, change, user_id, channel, respond)

    rt.run("request_change", user_id, respond, work)


def decide(decision: str):
    """Approve, Deny or Cancel: the action ids 0.1.0 posted, the request id as value."""

    def listener(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
        ack()
        rt: Runtime = context["rt"]
        user_id, approval_id = _clicked(body)
        notify = rt.notifier(body, respond)

        def work() -> None:
            result = rt.deps.approvals.decide(approval_id, user_id, decision)
            if result.notice:
                notify(result.notice)
            if result.changed and result.approval is not None:
                publish_outcome(rt, result.approval)

        rt.run(decision, user_id, respond if body.get("response_url") else None, work)

    listener.__name__ = decision
    return listener


def deny(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    """Deny opens a small form for an optional reason (its trigger lives 3 s: open it now)."""
    ack()
    rt: Runtime = context["rt"]
    user_id, approval_id = _clicked(body)
    refusal = rt.deps.approvals.refusal_to_decide(approval_id, user_id, "deny")
    if refusal:
        rt.notifier(body, respond)(refusal)
        return
    row = rt.deps.approvals.store.get(approval_id)
    rt.client.views_open(trigger_id=body["trigger_id"], view=deny_form(Approval.from_row(row)))


def home_lookup(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    ack()
    if refused(context["rt"], context, respond, body, Role.READER):
        return
    context["rt"].client.views_open(trigger_id=body["trigger_id"], view=lookup_form())


def home_quote(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    ack()
    if refused(context["rt"], context, respond, body, Role.QUOTER):
        return
    channel = (body.get("channel") or {}).get("id")
    context["rt"].client.views_open(trigger_id=body["trigger_id"], view=quote_form(channel))


def register(app: App) -> None:
    app.action("home_lookup")(home_lookup)
    app.action("home_quote")(home_quote)
    app.action("share")(share)
    app.action("next_page")(next_page)
    app.action(CHECK_DNS)(check_dns)
    app.action("request_change")(request_change)
    app.action("deny")(deny)
    for decision in ("approve", "cancel"):
        app.action(decision)(decide(decision))
