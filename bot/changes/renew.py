"""`renew <domain | order-id> <M>mo`: extend the order, the most frequent change that costs money."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bot.changes import pricing
from bot.changes.base import (
    ChangeKind,
    Context,
    Estimate,
    FormField,
    add_months,
    day,
    discount_field,
    invoice_field,
)
from bot.config import INVOICE_OPTIONS
from bot.logicboxes import ActionResult, LogicBoxes, Order
from bot.parsing import (
    Target,
    amount,
    invoice_option,
    join_tenures,
    months,
    on_off,
    options,
    parse_target,
)


@dataclass(frozen=True)
class Params:
    months: int
    invoice_option: str | None = None
    discount: Decimal | None = None
    auto_renew: bool = False  # the API requires it; off unless asked


class Renew(ChangeKind):
    name = "renew"
    usage = (
        "renew <domain | order-id> <M>mo [invoice:" + "|".join(INVOICE_OPTIONS) + "] [discount:<amount>] "
        "[autorenew:on|off] [reason:<text>]"
    )
    example = "renew example.com 12mo"
    summary = "Renew an order for M months (needs approval)"
    verb = "Renew"
    options = ("invoice", "discount", "autorenew")
    form = (
        FormField("months", "Renew for (months)", "{}mo", "choice", ("1", "3", "6", "12", "24", "36"), initial="12"),
        invoice_field(),
        discount_field("renew"),
        FormField("autorenew", "Auto-renew", "autorenew:{}", "choice", ("off", "on"), initial="off"),
    )

    def parse_args(self, words: list[str]) -> tuple[Target, Any]:
        plain, found = options(words, self.options, self.name)
        plain = join_tenures(plain)
        if len(plain) != 2:
            raise self.missing(plain, "a tenure like `12mo` or `1y`")
        target = parse_target(plain[0], self.name)
        tenure = months(plain[1], self.name)
        invoice = invoice_option(found["invoice"][0], self.name) if "invoice" in found else None
        discount = amount(found["discount"][0], "discount", self.name) if "discount" in found else None
        auto = on_off(found["autorenew"][0], "autorenew", self.name) if "autorenew" in found else False
        return target, Params(tenure, invoice, discount, auto)

    def params_to_details(self, params: Params) -> dict[str, Any]:
        return {
            "months": params.months,
            "invoice_option": params.invoice_option,
            "discount": None if params.discount is None else str(params.discount),
            "auto_renew": params.auto_renew,
        }

    def params_from_details(self, details: dict[str, Any]) -> Params:
        discount = details.get("discount")
        return Params(
            int(details["months"]),
            details.get("invoice_option"),
            Decimal(discount) if discount else None,
            bool(details.get("auto_renew")),
        )

    def request_details(self, order: Order, params: Params, ctx: Context) -> dict[str, Any]:
        after = add_months(order.expires, params.months) if order.expires else None
        return {
            "invoice_option": params.invoice_option or ctx.default_invoice,
            "expires_after": int(after.timestamp()) if after else None,
        }

    def refusal(self, order: Order, params: Params, ctx: Context) -> str | None:
        table = pricing.prices(order, ctx)
        tenures = table.tenures("renew") if not isinstance(table, str) else []
        if tenures and params.months not in tenures:
            allowed = ", ".join(f"{t}mo" for t in tenures)
            return f"LogicBoxes renews {order.domain} for {allowed}, not {params.months} months."
        return super().refusal(order, params, ctx)

    def estimate(self, order: Order, params: Params, ctx: Context, price_list: str = "customer") -> Estimate:
        """The renew price for M months of the band holding the current accounts x accounts x M."""
        table = pricing.prices(order, ctx, price_list)
        return pricing.estimate(
            table, "renew", order.accounts, order.accounts, params.months, params.months, ctx, "months renewed"
        )

    def describe(self, domain: str, details: dict[str, Any]) -> str:
        discount = f", discount {details['discount']}" if details.get("discount") else ""
        auto = "on" if details.get("auto_renew") else "off"
        return (
            f"Renew *{domain}* for *{details.get('months')} months*: expires {day(details.get('expires'))} → "
            f"{day(details.get('expires_after'))}, {details.get('accounts')} accounts, "
            f"invoice option {details.get('invoice_option')}{discount}, auto-renew {auto}"
        )

    def facts_shown(self, details: dict[str, Any]) -> list[tuple[str, str]]:
        return [("Expiry now → after", f"{day(details.get('expires'))} → {day(details.get('expires_after'))}")]

    def execute(
        self, client: LogicBoxes, region: str, order_id: int, params: Params, reason: str | None
    ) -> ActionResult:
        assert params.invoice_option is not None
        return client.renew(region, order_id, params.months, params.auto_renew, params.invoice_option, params.discount)

    def confirmation(self, details: dict[str, Any], params: Params, order: Order) -> str:
        expires = int(order.expires.timestamp()) if order.expires else None
        return f"confirmed: expires {day(expires)}"


KIND = Renew()
