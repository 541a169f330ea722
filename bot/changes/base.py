"""What every change kind declares (the values they share, facts and estimate, are bot.values.facts).

A change kind is one module (bot/changes/<kind>.py) holding one ChangeKind: how its words are
parsed, why it is refused early, what the request says and estimates, which call makes it,
and how to confirm it later. The usage text, help card and manifest hint come from the same
declaration; the approval workflow (bot/approvals/workflow.py) is the same for all of them.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from bot.config import INVOICE_OPTIONS
from bot.logicboxes import ActionResult, LogicBoxes, Order
from bot.values.facts import Estimate, Facts, day, on_off_text
from bot.values.intents import Change, Target
from bot.values.words import MissingValues, ParseError, amount, parse_target, split_reason

__all__ = ["ChangeKind", "Context", "Estimate", "Facts", "FormField", "FormUnavailable", "day", "on_off_text"]


def add_months(when: datetime, months: int) -> datetime:
    """The same day `months` later (the 31st becomes the month's last day)."""
    month0 = when.month - 1 + months
    year, month = when.year + month0 // 12, month0 % 12 + 1
    return when.replace(year=year, month=month, day=min(when.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class FormField:
    """One value a change's form asks for, described without Slack: the Slack layer draws it, and
    the kind's `params_from_fields` reads what was entered (no words joined and parsed again)."""

    name: str
    label: str
    kind: str = "text"  # text | number | choice
    choices: tuple[str, ...] = ()
    initial: str | None = None
    optional: bool = False
    hint: str | None = None
    check: Callable[[str], object] | None = None  # raises ParseError naming what is wrong with a value


def invoice_field() -> FormField:
    """The invoice option, as the `invoice:` word takes it (left out: DEFAULT_INVOICE_OPTION)."""
    return FormField("invoice", "Invoice option", "choice", INVOICE_OPTIONS, optional=True)


def discount_field(kind: str) -> FormField:
    """A discount, as the `discount:` word takes it."""
    return FormField(
        "discount",
        "Discount",
        optional=True,
        hint="An amount like 10 or 12.50",
        check=lambda value: amount(value, "discount", kind),
    )


class FormUnavailable(Exception):
    """A change's form cannot offer its choices for this order (e.g. the price list is unreadable)."""


@dataclass
class Context:
    """What the early checks and estimates may consult (no Slack, no HTTP beyond the client)."""

    client: LogicBoxes
    currency: str
    now: datetime
    max_add_accounts: int = 500
    default_invoice: str = "NoInvoice"
    pending: Sequence[Any] = field(default_factory=tuple)  # other open requests for the same order


class ChangeKind:
    """One kind of change. Subclasses set the class attributes and override what differs."""

    name: ClassVar[str]
    usage: ClassVar[str]  # after `/email `
    example: ClassVar[str]
    summary: ClassVar[str]
    verb: ClassVar[str]  # "Renew", "Add accounts to": the request's and the outcome's title
    danger: ClassVar[bool] = False  # the Approve button is red
    reason_required: ClassVar[bool] = False
    options: ClassVar[tuple[str, ...]] = ()
    form: ClassVar[tuple[FormField, ...]] = ()  # what a form asks when only the order was given
    form_waits_for_order: ClassVar[bool] = False  # its choices come from the order: shown once it is read

    # ---- parsing

    def parse(self, args: list[str]) -> Change:
        words, reason = split_reason(args, self.name)
        try:
            target, params = self.parse_args(words)
        except MissingValues as missing:
            raise MissingValues(str(missing), self.name, missing.target, reason) from None
        if self.reason_required and not reason:
            raise MissingValues(
                f"`{self.name}` needs a reason: add `reason:<text>` at the end.", self.name, target, reason
            )
        return Change(self.name, target, params, reason)

    def from_fields(self, target: Target, values: dict[str, str], reason: str | None) -> Change:
        """The change a form describes, built from its fields' values (by field name; an empty
        optional field is left out): the same Change the typed command makes, checked the same way."""
        if self.reason_required and not reason:
            raise ParseError(f"`{self.name}` needs a reason.", self.name)
        return Change(self.name, target, self.params_from_fields(values), reason)

    def params_from_fields(self, values: dict[str, str]) -> Any:
        """The kind's parameters from its form's values; kinds without fields have none."""
        return None

    def missing(self, plain: list[str], needs: str) -> MissingValues | ParseError:
        """Only an order was given: a form can ask for the rest. Anything else is an error."""
        message = f"`{self.name}` needs an order (domain or id) and {needs}."
        if len(plain) == 1:
            return MissingValues(message, self.name, parse_target(plain[0], self.name))
        return ParseError(message, self.name)

    def parse_args(self, words: list[str]) -> tuple[Target, Any]:
        raise NotImplementedError

    def form_for(self, order: Order, ctx: Context) -> tuple[FormField, ...]:
        """The form's fields for this order: choices LogicBoxes offers for it, values it knows.
        Raises FormUnavailable when they cannot be known (the form says why instead of guessing)."""
        return self.form

    # ---- the request

    def facts(self, order: Order) -> Facts:
        """What the request records about the order, compared again right before the call."""
        return Facts.of(order)

    def params_to_details(self, params: Any) -> dict[str, Any]:
        return dict(params.__dict__) if params is not None else {}

    def params_from_details(self, details: dict[str, Any]) -> Any:
        return None

    def request_details(self, order: Order, params: Any, ctx: Context) -> dict[str, Any]:
        """What the request records beside its parameters (e.g. the new count), decided now."""
        return {}

    def refusal(self, order: Order, params: Any, ctx: Context) -> str | None:
        """Why this change cannot succeed now (checked at request time and again before the call)."""
        if order.status == "Deleted":
            return f"{order_name(order)} is already deleted."
        return None

    def estimate(self, order: Order, params: Any, ctx: Context, price_list: str = "customer") -> Estimate | None:
        """What it will cost at the customer's price (or, with "cost", the reseller's); None: free."""
        return None

    def describe(self, domain: str, details: dict[str, Any]) -> str:
        """What will happen, in one mrkdwn sentence (domain already escaped)."""
        raise NotImplementedError

    def facts_shown(self, details: dict[str, Any]) -> list[tuple[str, str]]:
        """Extra fields on the request card beside domain, order, region and status."""
        return []

    # ---- the call and after

    def execute(self, client: LogicBoxes, region: str, order_id: int, params: Any, reason: str | None) -> ActionResult:
        raise NotImplementedError

    def confirmation(self, details: dict[str, Any], params: Any, order: Order) -> str:
        """What a re-read of the order shows after a queued change ("confirmed: 35 accounts")."""
        return f"now {order.status}, {order.accounts} accounts"


def order_name(order: Order) -> str:
    """ "example.com (order 84372632)": how refusals name an order."""
    return f"{order.domain} (order {order.order_id})"
