"""Form submissions (view_submission): each ends in the same use case as its command or button."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk.errors import SlackApiError

from bot.access import UseCase, Who
from bot.changes import KINDS
from bot.commands.extract import addresses, targets
from bot.commands.parsers import parse_customer, price_from_fields
from bot.commands.table import dispatch
from bot.logicboxes import Customer
from bot.render.forms import (
    CHANGE_FORM,
    DENY_FORM,
    LOOKUP_FORM,
    QUOTE_FORM,
    REASON_BLOCK,
    REASON_INPUT,
    refusal_view,
    result_view,
    working_view,
)
from bot.slack.approval_flow import publish_outcome
from bot.slack.change_forms import read_change_form
from bot.slack.runtime import Runtime
from bot.slack.surfaces import on
from bot.usecases.customers import Customers
from bot.values.intents import CustomerLookup, OrderLookup
from bot.values.words import ParseError, is_number, months, parse_target


def _entry(view: dict[str, Any], block: str, action: str = "value") -> dict[str, Any]:
    """One input's state (`view.state.values[block][action]`); {} for anything missing or malformed."""
    state = view.get("state") if isinstance(view.get("state"), dict) else {}
    values = state.get("values") if isinstance(state.get("values"), dict) else {}
    inputs = values.get(block) if isinstance(values.get(block), dict) else {}
    entry = inputs.get(action)
    return entry if isinstance(entry, dict) else {}


def value(view: dict[str, Any], block: str, action: str) -> str | None:
    """A text input's value from view.state, stripped; None when empty."""
    text = _entry(view, block, action).get("value")
    return text.strip() or None if isinstance(text, str) else None


def refuse_form(rt: Runtime, context: BoltContext, ack: Ack, use_case: UseCase) -> bool:
    """The refusal in the form itself; the gate checks again when the work runs."""
    refusal = rt.check(context["who"], use_case)
    if refusal:
        ack(response_action="update", view=refusal_view(refusal))
    return refusal is not None


def deny_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
    rt: Runtime = context["rt"]
    if refuse_form(rt, context, ack, UseCase.DECIDE):
        return
    who: Who = context["who"]
    user_id, approval_id = who.user_id, str(view.get("private_metadata") or "")
    refusal = rt.deps.approvals.refusal_to_decide(approval_id, user_id, "deny")
    if refusal:  # their own request, or decided meanwhile: said in the form, nothing recorded
        ack(response_action="update", view=refusal_view(refusal))
        return
    ack()  # close the form; the request card shows the decision
    reason = value(view, REASON_BLOCK, REASON_INPUT)

    def work() -> None:
        result = rt.deps.approvals.decide(approval_id, user_id, "deny", reason=reason)
        if result.changed and result.approval is not None:
            publish_outcome(rt, result.approval)
        elif result.notice and result.approval is not None and result.approval.channel:
            # decided by someone else while the form was open: tell this approver where they looked
            rt.client.chat_postEphemeral(channel=result.approval.channel, user=user_id, text=result.notice)

    rt.run("deny", who, None, work, use_case=UseCase.DECIDE)


def lookup_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
    """The Home tab's Look up: the same lookup as `/email order`, answered in the form itself."""
    rt: Runtime = context["rt"]
    if refuse_form(rt, context, ack, UseCase.LOOKUP):
        return
    who: Who = context["who"]
    raw = value(view, "target", "value") or ""
    found = targets(raw)
    customer = None
    if not found:  # no domain, address or order id: a customer's id, name or company
        try:
            customer = parse_customer(raw.split())
        except ParseError:
            errors = {"target": "Type a domain, an address, an order id, or a customer's id, name or company."}
            ack(response_action="errors", errors=errors)
            return
    asked = found[0] if found else customer
    ack(response_action="update", view=working_view(LOOKUP_FORM, "Look up", f"Looking up {asked}..."))
    view_id = view.get("id")

    def work() -> None:
        intent = customer
        if intent is None:  # an order, or the customer whose login an address is (as the shortcut decides)
            (card,), _ = Customers(rt.deps.service).mentioned(found[:1], addresses(raw), 1)
            intent = CustomerLookup(customer_id=card.customer_id) if isinstance(card, Customer) else OrderLookup(card)
        replies = dispatch(rt.uses, intent, rt.asker(who))
        blocks = [block for reply in replies for block in reply.message.blocks]
        rt.client.views_update(view_id=view_id, view=result_view(str(asked), blocks))

    rt.run("home_lookup", who, None, work, use_case=UseCase.CUSTOMER if customer else UseCase.LOOKUP)


def quote_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
    """The quote form: the words `/email price` would take, checked field by field, then the same quote."""
    rt: Runtime = context["rt"]
    if refuse_form(rt, context, ack, UseCase.QUOTE):
        return
    who: Who = context["who"]
    user_id = who.user_id
    fields = {name: value(view, name, "value") or "" for name in ("accounts", "months", "whom", "region")}
    selected = _entry(view, "action").get("selected_option")
    action = selected if isinstance(selected, dict) else {}
    channel = _entry(view, "channel").get("selected_conversation")
    channel = channel if isinstance(channel, str) else None
    errors = {}
    if not is_number(fields["accounts"]) or int(fields["accounts"]) < 1:
        errors["accounts"] = "A whole number of accounts, 1 or more."
    try:
        months(fields["months"], "price")
    except ParseError as exc:
        errors["months"] = str(exc).replace("`", "")
    intent = None
    if not errors:
        try:
            kind = action.get("value") or "add"
            intent = price_from_fields(fields["accounts"], fields["months"], kind, fields["region"], fields["whom"])
        except ParseError as exc:
            errors["whom" if fields["whom"] else "region"] = str(exc).replace("`", "")
    if errors or intent is None or not channel:
        ack(response_action="errors", errors=errors or {"channel": "Choose where to post the quote."})
        return
    ack()

    def work() -> None:
        asker = rt.asker(who)
        try:
            for reply in dispatch(rt.uses, intent, asker):
                if reply.in_channel:
                    rt.client.chat_postMessage(channel=channel, **reply.message.as_kwargs())
                else:
                    rt.client.chat_postEphemeral(channel=channel, user=user_id, **reply.message.as_kwargs())
        except SlackApiError as exc:
            error = exc.response.get("error")
            rt.client.chat_postMessage(
                channel=user_id,
                text=f"I could not post the quote in <#{channel}> ({error}): invite me there with "
                "`/invite @mailops` and try again.",
            )

    rt.run("home_quote", who, None, work, use_case=UseCase.QUOTE)


def change_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
    """A change's form: checked field by field, then the same request the full command makes."""
    rt: Runtime = context["rt"]
    if refuse_form(rt, context, ack, UseCase.REQUEST):
        return
    who: Who = context["who"]
    user_id = who.user_id
    meta, values, reason, errors = read_change_form(view)
    kind = KINDS[meta["kind"]]
    change = None
    if not errors:
        try:
            change = kind.from_fields(parse_target(meta["target"], kind.name), values, reason)
        except ParseError as exc:
            errors = {(kind.form[0].name if kind.form else REASON_BLOCK): str(exc).replace("`", "")}
    if errors or change is None:
        ack(response_action="errors", errors=errors)
        return
    ack()
    channel = meta["channel"]

    def privately(**message: Any) -> None:
        """Notes about the request, where a reply to the command would go: only to the asker."""
        message = {k: v for k, v in message.items() if k in ("text", "blocks")}
        try:
            rt.client.chat_postEphemeral(channel=channel, user=user_id, **message)
        except SlackApiError:
            rt.client.chat_postMessage(channel=user_id, **message)

    def work() -> None:
        for reply in dispatch(rt.uses, change, rt.asker(who, channel)):
            privately(**reply.message.as_kwargs())

    rt.run(kind.name, who, None, work, use_case=UseCase.REQUEST)


def register(app: App) -> None:
    on(app, "view", CHANGE_FORM, change_submitted)
    on(app, "view", DENY_FORM, deny_submitted)
    on(app, "view", LOOKUP_FORM, lookup_submitted)
    on(app, "view", QUOTE_FORM, quote_submitted)
