"""`renew <domain | order-id> <M>mo`: extend the order, the most frequent change that costs money."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from bot.changes import pricing
from bot.changes.base import (
    ChangeKind,
    Context,
    Estimate,
    Facts,
    FormField,
    FormUnavailable,
    add_months,
    day,
    discount_field,
    invoice_field,
    on_off_text,
)
from bot.config import INVOICE_OPTIONS
from bot.logicboxes import ActionResult, LogicBoxes, Order
from bot.values.words import Target, amount, invoice_option, join_tenures, months, on_off, options, parse_target


@dataclass(frozen=True)
class Params:
    months: int
    invoice_option: str | None = None
    discount: Decimal | None = None
    auto_renew: bool | None = None  # renew.json *sets* auto-renewal; None: keep the order's current value


AUTO_RENEW_UNKNOWN = (
    "LogicBoxes does not say whether auto-renew is on for {domain}, and a renewal sets it: ask again with "
    "`autorenew:on` or `autorenew:off`."
)


def auto_renew_change(details: dict[str, Any]) -> str:
    """What the renewal does to auto-renewal: "auto-renew stays on", "turns off"... A request
    written by 0.1.0 recorded only what it would send: "auto-renew off"."""
    sent = bool(details.get("auto_renew"))
    if "recurring" not in details and "auto_renew_asked" not in details:
        return f"auto-renew {on_off_text(sent)}"
    now = details.get("recurring")
    if not isinstance(now, bool):
        return f"auto-renew set {on_off_text(sent)} (LogicBoxes did not say whether it is on now)"
    return f"auto-renew {'stays' if sent == now else 'turns'} {on_off_text(sent)}"


def tenure_choice(tenures: list[int]) -> int:
    """12 months where sold (a year is what most renewals are), else the longest sold."""
    return 12 if 12 in tenures else max(tenures)


class Renew(ChangeKind):
    name = "renew"
    usage = (
        "renew <domain | order-id> <M>mo [invoice:" + "|".join(INVOICE_OPTIONS) + "] [discount:<amount>] "
        "[autorenew:on|off] [reason:<text>]"
    )
    example = "renew example.com 12mo"
    summary = "Renew an order for M months, keeping its auto-renew unless `autorenew:` says (needs approval)"
    verb = "Renew"
    options = ("invoice", "discount", "autorenew")
    form = (
        FormField("months", "Renew for (months)", "choice"),  # choices: the order's price list
        invoice_field(),
        discount_field("renew"),
        FormField("autorenew", "Auto-renew after this renewal", "choice", ("on", "off")),
    )
    form_waits_for_order = True

    def parse_args(self, words: list[str]) -> tuple[Target, Any]:
        plain, found = options(words, self.options, self.name)
        plain = join_tenures(plain)
        if len(plain) != 2:
            raise self.missing(plain, "a tenure like `12mo` or `1y`")
        target = parse_target(plain[0], self.name)
        tenure = months(plain[1], self.name)
        invoice = invoice_option(found["invoice"][0], self.name) if "invoice" in found else None
        discount = amount(found["discount"][0], "discount", self.name) if "discount" in found else None
        auto = on_off(found["autorenew"][0], "autorenew", self.name) if "autorenew" in found else None
        return target, Params(tenure, invoice, discount, auto)

    def params_from_fields(self, values: dict[str, str]) -> Params:
        invoice = invoice_option(values["invoice"], self.name) if values.get("invoice") else None
        discount = amount(values["discount"], "discount", self.name) if values.get("discount") else None
        auto = on_off(values["autorenew"], "autorenew", self.name) if values.get("autorenew") else None
        return Params(months(values.get("months", ""), self.name), invoice, discount, auto)

    def form_for(self, order: Order, ctx: Context) -> tuple[FormField, ...]:
        """Exactly the tenures the order's price list sells in its region, 12 months proposed when
        sold; auto-renew must be chosen, preselected with the order's current value when known."""
        tenures = self.tenures(order, ctx)
        if isinstance(tenures, str):
            raise FormUnavailable(tenures)
        months_field, invoice, discount, auto = self.form
        return (
            replace(months_field, choices=tuple(map(str, tenures)), initial=str(tenure_choice(tenures))),
            invoice,
            discount,
            replace(auto, initial=None if order.auto_renew is None else on_off_text(order.auto_renew)),
        )

    def facts(self, order: Order) -> Facts:
        return Facts.of(order, recurring=True)  # the call sets auto-renewal: its value must not have moved

    def params_to_details(self, params: Params) -> dict[str, Any]:
        return {
            "months": params.months,
            "invoice_option": params.invoice_option,
            "discount": None if params.discount is None else str(params.discount),
            "auto_renew_asked": params.auto_renew,
        }

    def params_from_details(self, details: dict[str, Any]) -> Params:
        discount = details.get("discount")
        return Params(
            int(details["months"]),
            details.get("invoice_option"),
            Decimal(discount) if discount else None,
            bool(details.get("auto_renew")),  # decided at request time (0.1.0 stored what it sent, too)
        )

    def request_details(self, order: Order, params: Params, ctx: Context) -> dict[str, Any]:
        after = add_months(order.expires, params.months) if order.expires else None
        return {
            "invoice_option": params.invoice_option or ctx.default_invoice,
            "expires_after": int(after.timestamp()) if after else None,
            "auto_renew": params.auto_renew if params.auto_renew is not None else bool(order.auto_renew),
        }

    def tenures(self, order: Order, ctx: Context) -> list[int] | str:
        """The months the order's price list sells renewals for in its region, or why they are unknown."""
        table = pricing.prices(order, ctx)
        if isinstance(table, str):
            return f"Could not read the {order.region} price list to see which renewal tenures are sold: " + (
                table.removeprefix("no estimate: ")
            )
        tenures = table.tenures("renew")
        return tenures or f"The {order.region} price list sells no Enterprise Email renewals."

    def refusal(self, order: Order, params: Params, ctx: Context) -> str | None:
        deleted = super().refusal(order, params, ctx)
        if deleted:
            return deleted
        tenures = self.tenures(order, ctx)
        if isinstance(tenures, str):
            return tenures
        if params.months not in tenures:
            allowed = ", ".join(f"{t}mo" for t in tenures)
            return f"LogicBoxes renews {order.domain} ({order.region}) for {allowed}, not {params.months} months."
        if params.auto_renew is None and order.auto_renew is None:
            return AUTO_RENEW_UNKNOWN.format(domain=order.domain)
        return None

    def estimate(self, order: Order, params: Params, ctx: Context, price_list: str = "customer") -> Estimate:
        """The renew price for M months of the band holding the current accounts x accounts x M."""
        table = pricing.prices(order, ctx, price_list)
        return pricing.estimate(
            table, "renew", order.accounts, order.accounts, params.months, params.months, ctx, "months renewed"
        )

    def describe(self, domain: str, details: dict[str, Any]) -> str:
        discount = f", discount {details['discount']}" if details.get("discount") else ""
        auto = auto_renew_change(details)
        return (
            f"Renew *{domain}* for *{details.get('months')} months*: expires {day(details.get('expires'))} → "
            f"{day(details.get('expires_after'))}, {details.get('accounts')} accounts, "
            f"invoice option {details.get('invoice_option')}{discount}, {auto}"
        )

    def facts_shown(self, details: dict[str, Any]) -> list[tuple[str, str]]:
        return [
            ("Expiry now → after", f"{day(details.get('expires'))} → {day(details.get('expires_after'))}"),
            ("Auto-renew", auto_renew_change(details)),
        ]

    def execute(
        self, client: LogicBoxes, region: str, order_id: int, params: Params, reason: str | None
    ) -> ActionResult:
        assert params.invoice_option is not None
        return client.renew(region, order_id, params.months, params.auto_renew, params.invoice_option, params.discount)

    def confirmation(self, details: dict[str, Any], params: Params, order: Order) -> str:
        expires = int(order.expires.timestamp()) if order.expires else None
        return f"confirmed: expires {day(expires)}"


KIND = Renew()
