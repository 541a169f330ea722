"""Each read-only subcommand's answer: its use case, then its renderer, as replies. Shared by
Slack and the console (bot.commands.table names which handler serves which subcommand).

Nothing here knows Slack: a Reply says what to show and to whom ("in_channel" or only the
asker), and the Slack layer (or the console) delivers it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.commands import intents as c
from bot.dns.live import DnsCheckError
from bot.logicboxes import LogicBoxesError
from bot.render import (
    Message,
    render_check,
    render_cost,
    render_dns,
    render_error,
    render_history,
    render_order,
    render_quote,
    render_search,
    render_setup,
    with_share,
)
from bot.render.customers import render_balance, render_customer, render_customer_matches
from bot.running import trace
from bot.usecases.customers import CustomerMatches, Customers
from bot.usecases.results import UserError
from bot.usecases.service import MailService

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reply:
    message: Message
    in_channel: bool = False
    failed: bool = False  # the command could not be answered as asked (the console's exit status)


@dataclass(frozen=True)
class Asker:
    user_id: str
    cost_check: Callable[[], bool] | None = None  # asked only when a cost could be shown: membership is fresh

    @property
    def can_see_cost(self) -> bool:
        return bool(self.cost_check and self.cost_check())


Handler = Callable[[MailService, Any, Asker], list[Reply]]


def answer_with(handler: Handler, service: MailService, intent: c.Intent, asker: Asker) -> list[Reply]:
    """Run a read-only intent's handler; every failure becomes a reply the user can act on."""
    try:
        return handler(service, intent, asker)
    except UserError as exc:
        trace.current().outcome = "bad_input"
        return [Reply(render_error(str(exc), exc.usage), failed=True)]
    except LogicBoxesError as exc:
        trace.current().outcome = exc.metric
        return [Reply(render_error(str(exc)), failed=True)]
    except DnsCheckError as exc:
        trace.current().outcome = "dns_" + type(exc).__name__.lower()
        return [Reply(render_error(str(exc)), failed=True)]


def show_order(service: MailService, intent: c.OrderLookup, asker: Asker) -> list[Reply]:
    order, customer, pending = service.order_card(intent.target)
    card = render_order(order, service.now(), customer, pending)
    command = f"order {order.order_id}"
    return [Reply(with_share(card, command, check_order=order.order_id, customer_id=order.customer_id))]


def show_search(service: MailService, intent: c.Search, asker: Asker) -> list[Reply]:
    result = service.search(intent)  # its query names customers by id, never by the login typed
    return [Reply(with_share(render_search(result, service.now()), result.query.to_text()))]


def show_dns(service: MailService, intent: c.DnsLookup, asker: Asker) -> list[Reply]:
    order, records = service.dns(intent.target)
    return [Reply(with_share(render_dns(order, records), f"dns {order.order_id}", check_order=order.order_id))]


def show_check(service: MailService, intent: c.DnsCheck, asker: Asker) -> list[Reply]:
    order, report = service.check(intent.target)
    return [Reply(with_share(render_check(order, report), f"check {order.order_id}"))]


def show_price(service: MailService, intent: c.PriceQuote, asker: Asker) -> list[Reply]:
    quote = service.quote(intent)
    replies = [Reply(render_quote(quote), in_channel=True)]
    if asker.can_see_cost:
        try:
            replies.append(Reply(render_cost(service.cost(quote))))
        except (LogicBoxesError, UserError) as exc:  # the quote still stands
            replies.append(Reply(render_error(f"Reseller cost unavailable: {exc}")))
    return replies


def show_history(service: MailService, intent: c.History, asker: Asker) -> list[Reply]:
    order, actions, more = service.history(intent.target, intent.limit)
    command = f"history {order.order_id}" + (f" limit:{intent.limit}" if intent.limit != 10 else "")
    return [Reply(with_share(render_history(order, actions, more), command))]


def show_setup(service: MailService, intent: c.SetupHelp, asker: Asker) -> list[Reply]:
    return [Reply(with_share(render_setup(service.setup(intent)), f"setup {intent.email}"))]


def show_customer(service: MailService, intent: c.CustomerLookup, asker: Asker) -> list[Reply]:
    """The customer's card (or the customers a name matches); the balance privately to cost viewers."""
    customers = Customers(service)
    found = customers.lookup(intent)
    if isinstance(found, CustomerMatches):
        return [Reply(render_customer_matches(found))]
    replies = [Reply(render_customer(found, service.now()))]
    if asker.can_see_cost:
        try:
            replies.append(Reply(render_balance(customers.balance(found.customer.customer_id), service.currency)))
        except LogicBoxesError as exc:  # the card still stands
            replies.append(Reply(render_error(f"Balance unavailable: {exc}")))
    return replies
