"""Workflow Builder custom steps (manifest `functions`, event `function_executed`): `/email order`
and `/email price` through the same dispatcher, their answers' values as outputs; a failure ends the step
with `fail()` and the sentence a person would have been shown.

A step answers only for a person, who needs the same role as on the slash command: the person
who started the workflow (the `interactivity` input, which Slack fills in and the builder cannot
change), else the `user` input the workflow's builder maps (and so vouches for). A workflow that
names nobody (scheduled, webhook) is refused with what its owner must map."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_bolt import App, BoltContext, Complete, Fail
from slack_sdk.errors import SlackApiError

from bot.access import UseCase
from bot.commands.handlers import Asker
from bot.commands.parsers import price_from_fields
from bot.commands.table import dispatch
from bot.slack.runtime import Runtime
from bot.slack.surfaces import on
from bot.values.intents import OrderLookup
from bot.values.results import UserError
from bot.values.words import ParseError, parse_target

log = logging.getLogger(__name__)

LOOKUP_STEP = "lookup_order"
QUOTE_STEP = "quote_enterprise_email"


@dataclass(frozen=True)
class Step:
    """A workflow step as the manifest declares it (bot.slack.manifest): its own inputs and outputs;
    the person inputs and the role sentence are added from `use_case`, which the gate enforces."""

    title: str
    description: str
    use_case: UseCase
    inputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)


def _param(kind: str, title: str, description: str, required: bool = False) -> dict[str, Any]:
    return {"type": kind, "title": title, "description": description, **({"is_required": True} if required else {})}


STEPS: dict[str, Step] = {
    LOOKUP_STEP: Step(
        "Look up an Enterprise Email order",
        "The order of a domain or order id, from LogicBoxes",
        UseCase.LOOKUP,
        {
            "domain_or_order_id": _param(
                "string", "Domain or order id", "example.com, or an order id such as 84372632", True
            )
        },
        {
            "order_id": _param("string", "Order id", "The LogicBoxes order id"),
            "status": _param("string", "Status", "Active, Suspended, InActive and so on"),
            "accounts": _param("number", "Email accounts", "Mailboxes in the order"),
            "expiry_date": _param("string", "Expiry date", "YYYY-MM-DD (UTC)"),
            "customer_id": _param("string", "Customer id", "The order's customer"),
            "region": _param("string", "Region", "us or in"),
        },
    ),
    QUOTE_STEP: Step(
        "Quote Enterprise Email",
        "A price for N accounts over M months, new or renewed",
        UseCase.QUOTE,
        {
            "accounts": _param("number", "Accounts", "How many mailboxes", True),
            "months": _param("number", "Months", "1, 3, 6 or 12", True),
            "action": _param("string", "Add or renew", "add (default) or renew"),
        },
        {
            "unit_price": _param("string", "Unit price", "Per account per month"),
            "total": _param("string", "Total", "Unit price x accounts x months, two decimals"),
            "currency": _param("string", "Currency", "RESELLER_CURRENCY"),
        },
    ),
}


def _inputs(inputs: Any) -> dict[str, Any]:
    return inputs if isinstance(inputs, dict) else {}


def _text(value: Any) -> str:
    return str(value).strip() if isinstance(value, str | int | float) and not isinstance(value, bool) else ""


def lookup_order(inputs: dict[str, Any], complete: Complete, fail: Fail, context: BoltContext) -> None:
    """The lookup step: `order <domain | order-id>` through the one dispatcher; its order as outputs."""
    rt: Runtime = context["rt"]
    step = _Step(complete, fail)
    raw = _text(_inputs(inputs).get("domain_or_order_id"))
    who = context["who"]

    def work() -> None:
        try:
            intent = OrderLookup(parse_target(raw))
        except ParseError as exc:
            step.fail(str(exc))
            return
        (answer, *_) = dispatch(rt.uses, intent, rt.asker(who))
        if answer.failed or answer.value is None:
            step.fail(answer.error or "The order could not be looked up.")
            return
        order = answer.value
        step.succeed(
            {
                "order_id": str(order.order_id),
                "status": order.status,
                "accounts": order.accounts,
                "expiry_date": f"{order.expires:%Y-%m-%d}" if order.expires else "",
                "customer_id": str(order.customer_id or ""),
                "region": order.region,
            }
        )

    rt.run("step:lookup_order", who, None, work, use_case=STEPS[LOOKUP_STEP].use_case, refuse=step.fail)


def quote(inputs: dict[str, Any], complete: Complete, fail: Fail, context: BoltContext) -> None:
    """The quote step: `price` through the one dispatcher; the quote as outputs (never a cost)."""
    rt: Runtime = context["rt"]
    step = _Step(complete, fail)
    given = _inputs(inputs)
    accounts, tenure = _text(given.get("accounts")), _text(given.get("months"))
    action = _text(given.get("action")) or "add"
    who = context["who"]

    def work() -> None:
        try:
            if not accounts or not tenure:
                raise UserError("A quote needs accounts, months, and add or renew.")
            intent = price_from_fields(accounts, tenure, action)
        except (ParseError, UserError) as exc:
            step.fail(str(exc))
            return
        (answer, *_) = dispatch(rt.uses, intent, Asker(who.user_id))  # no cost check: outputs are shared
        if answer.failed or answer.value is None:
            step.fail(answer.error or "No quote could be made.")
            return
        priced = answer.value
        step.succeed(
            {"unit_price": f"{priced.unit_price}", "total": f"{priced.total:.2f}", "currency": priced.currency}
        )

    rt.run("step:quote", who, None, work, use_case=STEPS[QUOTE_STEP].use_case, refuse=step.fail)


class _Step:
    """How a step run ends: outputs, or the sentence a person would have been shown (a refusal
    too). A run Slack named no execution id for cannot be ended: that is logged, never a crash."""

    def __init__(self, complete: Complete, fail: Fail):
        self._complete, self._fail = complete, fail

    def succeed(self, outputs: dict[str, Any]) -> None:
        self._end(lambda: self._complete(outputs=outputs))

    def fail(self, text: str) -> None:
        self._end(lambda: self._fail(error=text))

    @staticmethod
    def _end(call: Callable[[], Any]) -> None:
        try:
            call()
        except (ValueError, SlackApiError, OSError) as exc:
            log.warning("could not end a workflow step run: %s", exc)


def register(app: App) -> None:
    on(app, "function", LOOKUP_STEP, lookup_order)
    on(app, "function", QUOTE_STEP, quote)
