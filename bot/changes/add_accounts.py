"""`add-accounts <domain | order-id> <N>`: more mailboxes, billed up to the order's expiry."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bot.changes import pricing
from bot.changes.base import ChangeKind, Context, Estimate, FormField, discount_field, invoice_field
from bot.config import INVOICE_OPTIONS
from bot.logicboxes import ActionResult, LogicBoxes, Order
from bot.values.words import Target, amount, invoice_option, options, parse_target, positive

DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class Params:
    count: int
    invoice_option: str | None = None  # None: DEFAULT_INVOICE_OPTION, decided when the request is made
    discount: Decimal | None = None


def months_left(order: Order, ctx: Context) -> int:
    if order.expires is None or order.expires <= ctx.now:
        return 0
    return math.ceil((order.expires - ctx.now).total_seconds() / 86400 / DAYS_PER_MONTH)


class AddAccounts(ChangeKind):
    name = "add-accounts"
    usage = (
        "add-accounts <domain | order-id> <N> [invoice:" + "|".join(INVOICE_OPTIONS) + "] [discount:<amount>] "
        "[reason:<text>]"
    )
    example = "add-accounts example.com 5"
    summary = "Add mailboxes to an order (needs approval)"
    verb = "Add accounts to"
    options = ("invoice", "discount")
    form = (
        FormField("count", "Accounts to add", "number", check=lambda v: positive(v, "The number", "add-accounts")),
        invoice_field(),
        discount_field("add-accounts"),
    )

    def parse_args(self, words: list[str]) -> tuple[Target, Any]:
        plain, found = options(words, self.options, self.name)
        if len(plain) != 2:
            raise self.missing(plain, "a number of accounts")
        target = parse_target(plain[0], self.name)
        count = positive(plain[1], "The number of accounts", self.name)
        invoice = invoice_option(found["invoice"][0], self.name) if "invoice" in found else None
        discount = amount(found["discount"][0], "discount", self.name) if "discount" in found else None
        return target, Params(count, invoice, discount)

    def params_from_fields(self, values: dict[str, str]) -> Params:
        invoice = invoice_option(values["invoice"], self.name) if values.get("invoice") else None
        discount = amount(values["discount"], "discount", self.name) if values.get("discount") else None
        return Params(positive(values.get("count", ""), "The number of accounts", self.name), invoice, discount)

    def params_to_details(self, params: Params) -> dict[str, Any]:
        return {
            "count": params.count,
            "invoice_option": params.invoice_option,
            "discount": None if params.discount is None else str(params.discount),
        }

    def params_from_details(self, details: dict[str, Any]) -> Params:
        discount = details.get("discount")
        return Params(int(details["count"]), details.get("invoice_option"), Decimal(discount) if discount else None)

    def request_details(self, order: Order, params: Params, ctx: Context) -> dict[str, Any]:
        return {
            "new_accounts": order.accounts + params.count,
            "invoice_option": params.invoice_option or ctx.default_invoice,
        }

    def refusal(self, order: Order, params: Params, ctx: Context) -> str | None:
        pending = sum(self.params_from_details(p.details).count for p in ctx.pending if p.kind == self.name)
        if pending + params.count > ctx.max_add_accounts:
            already = f" ({pending} already asked for this order)" if pending else ""
            return (
                f"At most {ctx.max_add_accounts} accounts can be added in one request or be pending for one "
                f"order{already} (MAX_ADD_ACCOUNTS)."
            )
        return super().refusal(order, params, ctx)

    def estimate(self, order: Order, params: Params, ctx: Context, price_list: str = "customer") -> Estimate:
        """LogicBoxes bills added accounts up to the order's expiry: count x the add price of the band
        holding the new total x the months left (the shortest tenure's monthly price)."""
        months = months_left(order, ctx)
        table = pricing.prices(order, ctx, price_list)
        if months == 0:
            return Estimate(note="no estimate: no time left on the order")
        tenure = min(table.tenures("add"), default=1) if not isinstance(table, str) else 1
        return pricing.estimate(
            table, "add", order.accounts + params.count, params.count, months, tenure, ctx, "months left on the order"
        )

    def describe(self, domain: str, details: dict[str, Any]) -> str:
        count, accounts = details.get("count"), details.get("accounts")
        discount = f", discount {details['discount']}" if details.get("discount") else ""
        new = details.get("new_accounts") or (accounts or 0) + (count or 0)
        return (
            f"Add *{count}* accounts to *{domain}*: {accounts} -> {new} accounts, "
            f"invoice option {details.get('invoice_option')}{discount}"
        )

    def execute(
        self, client: LogicBoxes, region: str, order_id: int, params: Params, reason: str | None
    ) -> ActionResult:
        assert params.invoice_option is not None
        return client.add_accounts(region, order_id, params.count, params.invoice_option, params.discount)

    def confirmation(self, details: dict[str, Any], params: Params, order: Order) -> str:
        return f"confirmed: {order.accounts} accounts"


KIND = AddAccounts()
