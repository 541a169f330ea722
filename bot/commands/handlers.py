"""Each subcommand's answer: its use case, then its renderer, as replies. Shared by every surface
(bot.commands.table names which handler serves which subcommand, and `dispatch` runs it).

Nothing here knows Slack: a handler receives the use cases it needs through one object (UseCases)
and the asker, and returns Replies that say what to show and to whom ("in_channel" or only the
asker); the Slack layer (or the console) delivers them. A change request is the one thing that
needs Slack to post it for the approvers: UseCases.requests is that port, absent in the console.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from bot.dns.live import DnsCheckError
from bot.logicboxes import LogicBoxesError
from bot.render import (
    Message,
    render_audit,
    render_check,
    render_cost,
    render_dns,
    render_error,
    render_history,
    render_order,
    render_quote,
    render_reads,
    render_search,
    render_setup,
    with_share,
)
from bot.render.customers import render_balance, render_customer, render_customer_matches
from bot.render.watch import render_alert_list, render_note, render_round, render_watch_status
from bot.telemetry import trace
from bot.usecases.customers import CustomerMatches, Customers
from bot.usecases.service import MailService
from bot.values import intents as c
from bot.values.results import UserError
from bot.watch.usecase import Started, WatchUseCase

if TYPE_CHECKING:
    from bot.approvals.workflow import Approvals

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reply:
    message: Message
    in_channel: bool = False
    failed: bool = False  # the command could not be answered as asked (the console's exit status)
    value: Any = None  # what the use case answered, for a surface that wants values (a workflow step's outputs)
    error: str | None = None  # a failure's sentence, plain (a workflow step fails with it)


@dataclass(frozen=True)
class Asker:
    user_id: str
    cost_check: Callable[[], bool] | None = None  # asked only when a cost could be shown: membership is fresh
    channel: str | None = None  # where they asked (a change request is posted there, or APPROVAL_CHANNEL)
    may_run: Callable[[Any], bool] | None = None  # which subcommands help lists for them (None: every one)

    @property
    def can_see_cost(self) -> bool:
        return bool(self.cost_check and self.cost_check())


class ChangeRequests(Protocol):
    """Posting a change request for the approvers: the Slack layer's (bot.slack.approval_flow)."""

    def ask(self, change: c.Change, asker: Asker) -> list[Reply]: ...


@dataclass
class UseCases:
    """Everything a handler may use, in one object: every surface builds it once and passes it on."""

    service: MailService
    approvals: Approvals | None = None  # requests, decisions and the audit log (the database)
    watch: WatchUseCase | None = None  # None: ALERTS_CHANNEL is not set
    requests: ChangeRequests | None = None  # None: no Slack to post a request in (the console)


Handler = Callable[[UseCases, Any, Asker], list[Reply]]


def answer_with(handler: Handler, uses: UseCases, intent: c.Intent, asker: Asker) -> list[Reply]:
    """Run an intent's handler; every failure becomes a reply the user can act on."""
    try:
        return handler(uses, intent, asker)
    except UserError as exc:
        trace.current().outcome = "bad_input"
        return [Reply(render_error(str(exc), exc.usage), failed=True, error=str(exc))]
    except LogicBoxesError as exc:
        trace.current().outcome = exc.metric
        return [Reply(render_error(str(exc)), failed=True, error=str(exc))]
    except DnsCheckError as exc:
        trace.current().outcome = "dns_" + type(exc).__name__.lower()
        return [Reply(render_error(str(exc)), failed=True, error=str(exc))]


def show_order(uses: UseCases, intent: c.OrderLookup, asker: Asker) -> list[Reply]:
    service = uses.service
    order, customer, pending = service.order_card(intent.target)
    card = render_order(order, service.now(), customer, pending)
    command = f"order {order.order_id}"
    return [Reply(with_share(card, command, check_order=order.order_id, customer_id=order.customer_id), value=order)]


def show_search(uses: UseCases, intent: c.Search, asker: Asker) -> list[Reply]:
    service = uses.service
    result = service.search(intent)  # its query names customers by id, never by the login typed
    return [Reply(with_share(render_search(result, service.now()), result.query.to_text()))]


def show_dns(uses: UseCases, intent: c.DnsLookup, asker: Asker) -> list[Reply]:
    service = uses.service
    order, records = service.dns(intent.target)
    return [Reply(with_share(render_dns(order, records), f"dns {order.order_id}", check_order=order.order_id))]


def show_check(uses: UseCases, intent: c.DnsCheck, asker: Asker) -> list[Reply]:
    service = uses.service
    order, report = service.check(intent.target)
    return [Reply(with_share(render_check(order, report), f"check {order.order_id}"))]


def show_price(uses: UseCases, intent: c.PriceQuote, asker: Asker) -> list[Reply]:
    service = uses.service
    quote = service.quote(intent)
    replies = [Reply(render_quote(quote), in_channel=True, value=quote)]
    if asker.can_see_cost:
        try:
            replies.append(Reply(render_cost(service.cost(quote))))
        except (LogicBoxesError, UserError) as exc:  # the quote still stands
            replies.append(Reply(render_error(f"Reseller cost unavailable: {exc}")))
    return replies


def show_history(uses: UseCases, intent: c.History, asker: Asker) -> list[Reply]:
    service = uses.service
    order, actions, more = service.history(intent.target, intent.limit)
    command = f"history {order.order_id}" + (f" limit:{intent.limit}" if intent.limit != 10 else "")
    return [Reply(with_share(render_history(order, actions, more), command))]


def show_setup(uses: UseCases, intent: c.SetupHelp, asker: Asker) -> list[Reply]:
    service = uses.service
    return [Reply(with_share(render_setup(service.setup(intent)), f"setup {intent.email}"))]


def show_customer(uses: UseCases, intent: c.CustomerLookup, asker: Asker) -> list[Reply]:
    """The customer's card (or the customers a name matches); the balance privately to cost viewers."""
    service = uses.service
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


def show_audit(uses: UseCases, intent: c.Audit, asker: Asker) -> list[Reply]:
    """Recent requests, decisions and answers, or who looked at a customer's orders (approvers only)."""
    if uses.approvals is None:
        return [Reply(render_error("The audit log needs the database (DATABASE_URL)."), failed=True)]
    if intent.reads:
        return [Reply(render_reads(*uses.approvals.reads(intent)))]
    return [Reply(render_audit(uses.approvals.audit(intent)))]


def show_watch(uses: UseCases, intent: c.WatchCommand, asker: Asker) -> list[Reply]:
    """`watch`: the last round and the open alerts; `run`: a round now; `unmute <domain>`."""
    watch = uses.watch
    if watch is None:
        return [Reply(render_watch_status({}, [], enabled=False))]
    if intent.action == "run":
        ran = watch.run()
        if isinstance(ran, Started):
            where = "here" if ran.here else "on the instance that runs the watch"
            note = f"A round of the watch starts now ({where}); its alerts go to the alerts channel."
            return [Reply(render_note(note))]
        report, opened = ran
        return [Reply(render_round(report, opened)), *([Reply(render_alert_list(opened))] if opened else [])]
    if intent.action == "unmute":
        domain = intent.domain or ""
        if not watch.unmute(domain, asker.user_id):
            return [Reply(render_note(f"{domain} is not muted."))]
        return [Reply(render_note(f"{domain} is watched again: the next round checks its mail DNS."))]
    return [Reply(render_watch_status(*watch.status(), enabled=True))]


def request_change(uses: UseCases, intent: c.Change, asker: Asker) -> list[Reply]:
    """A change: checked, stored and posted for a second person's approval (Slack's part)."""
    if uses.requests is None:
        return [Reply(render_error("Changes need a second person's approval: use this command in Slack."), failed=True)]
    return uses.requests.ask(intent, asker)
