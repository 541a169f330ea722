"""Estimates shared by the kinds that cost money (add-accounts, renew)."""

from __future__ import annotations

from bot.changes.base import Context, Estimate
from bot.logicboxes import LogicBoxesError, Order, PriceTable
from bot.money import quote_total


def prices(order: Order, ctx: Context, price_list: str = "customer") -> PriceTable | str:
    """The order's customer's own price list for its region ("customer"), or the reseller's cost
    ("cost"); or why there is none."""
    try:
        if price_list == "cost":
            return ctx.client.price_table(order.region, "cost")
        return ctx.client.price_table(order.region, "customer", order.customer_id)
    except LogicBoxesError as exc:
        return f"no estimate: {exc}"


def estimate(
    table: PriceTable | str,
    action: str,
    band_accounts: int,
    accounts: int,
    months: int,
    tenure: int,
    ctx: Context,
    basis: str,
) -> Estimate:
    """accounts x the `action` price for `tenure` months of the band holding `band_accounts` x months."""
    if isinstance(table, str):
        return Estimate(note=table)
    band = table.band_for(band_accounts)
    prices = band.prices.get(action, {}) if band else {}
    if band is None or tenure not in prices or months <= 0:
        return Estimate(note=f"no estimate: no {action} price for {tenure} months in band of {band_accounts} accounts")
    unit = prices[tenure]
    return Estimate(quote_total(unit, accounts, months), unit, band.label, accounts, months, ctx.currency, basis)
