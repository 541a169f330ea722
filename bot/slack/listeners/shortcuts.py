"""The message shortcut "Look up in mailops": every order a customer's message names, privately,
and the customer whose login an address in it is (bot.usecases.customers.Customers.mentioned)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot.access import UseCase, Who
from bot.commands.extract import addresses, targets
from bot.commands.table import dispatch
from bot.logicboxes import Customer
from bot.render import render_more
from bot.slack.delivery import deliver, show_privately, tell
from bot.slack.runtime import Runtime
from bot.slack.surfaces import on
from bot.usecases.customers import Customers
from bot.values.intents import CustomerLookup, OrderLookup

LOOKUP_MESSAGE = "lookup_message"
MAX_CARDS = 5


def lookup_message(ack: Ack, shortcut: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    ack()
    rt: Runtime = context["rt"]
    who: Who = context["who"]
    refusal = rt.check(who, UseCase.LOOKUP)
    if refusal:
        tell(respond, refusal)
        return
    message = shortcut.get("message") if isinstance(shortcut.get("message"), dict) else {}
    text = message.get("text")
    found = targets(text if isinstance(text, str) else "")
    if not found:
        tell(respond, "I found no domain, email address or order id in that message.")
        return

    def work() -> None:
        cards, rest = Customers(rt.deps.service).mentioned(found, addresses(text), MAX_CARDS)
        for card in cards:
            intent = CustomerLookup(customer_id=card.customer_id) if isinstance(card, Customer) else OrderLookup(card)
            deliver(respond, dispatch(rt.uses, intent, rt.asker(who)))
        if rest:
            show_privately(respond, render_more(rest))

    rt.run("shortcut", who, respond, work, use_case=UseCase.LOOKUP)


def register(app: App) -> None:
    on(app, "shortcut", LOOKUP_MESSAGE, lookup_message)
