"""A quote, and the reseller's cost and margin for cost viewers."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
)

from bot.render.blocks import (
    Message,
    context,
    customer_text,
    escape,
    fields,
    header,
    money,
    request_button,
    section,
    unit_money,
)
from bot.values.results import Cost, Quote


def price_source(quote: Quote) -> str:
    """Whose price a quote is: the generic list, or one customer's own (and through which order)."""
    who = quote.price_for
    if who.customer_id is None:
        return "the generic customer price list"
    text = f"the own price of customer {customer_text(who.customer_id, who.customer)}"
    if who.order is not None:
        text += f", order {who.order.order_id} ({escape(who.order.domain)})"
    return text


def render_quote(quote: Quote) -> Message:
    band = f"{quote.band.label} accounts"
    action = "new accounts" if quote.action == "add" else "renewal"
    total = money(quote.total, quote.currency)
    source = price_source(quote)
    text = f"Quote: {quote.accounts} accounts x {quote.months} months ({action}, {quote.region}) = {total}"
    if quote.price_for.customer_id is not None:
        text += f", {source}"
    blocks = [
        header(f"Enterprise Email quote: {total}"),
        fields(
            [
                ("Accounts", str(quote.accounts)),
                ("Tenure", f"{quote.months} month{'s' if quote.months != 1 else ''}"),
                ("Type", action),
                ("Region", quote.region),
                ("Price band", band),
                ("Unit price", f"{unit_money(quote.unit_price, quote.currency)} {quote.unit}"),
                ("Total", f"*{total}*"),
                ("Price", source),
            ]
        ),
        context(
            f"{unit_money(quote.unit_price, quote.currency)} x {quote.accounts} accounts x {quote.months} months"
            f" = {total}"
        ),
    ]
    order = quote.price_for.order
    if order is not None:  # a quote for an existing order can become the request it prices
        if quote.action == "add":
            button = request_button("Request these accounts", f"add-accounts {order.order_id} {quote.accounts}")
            note = (
                "LogicBoxes bills added accounts up to the order's expiry: the request estimates over the months left."
            )
        else:
            button = request_button("Request renewal", f"renew {order.order_id} {quote.months}mo")
            note = "The renewal request needs a second person's approval."
        blocks += [ActionsBlock(block_id="request", elements=[button]), context(note)]
    return Message(text, blocks)


def render_cost(cost: Cost) -> Message:
    reseller = cost.reseller
    text = (
        f"Reseller cost {money(reseller.total, reseller.currency)}, "
        f"margin {money(cost.margin, reseller.currency)} (only you can see this)"
    )
    blocks = [
        section(":lock: *Only you can see this.*"),
        fields(
            [
                ("Reseller unit cost", f"{unit_money(reseller.unit_price, reseller.currency)} {reseller.unit}"),
                ("Reseller cost", money(reseller.total, reseller.currency)),
                ("Customer price", money(cost.quote.total, cost.quote.currency)),
                ("Margin", money(cost.margin, reseller.currency)),
            ]
        ),
        context(f"Cost from the reseller cost price list; customer price from {price_source(cost.quote)}."),
    ]
    return Message(text, blocks)
