"""A page of the order search."""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    DividerBlock,
)

from bot.logicboxes import (
    describe_unavailable,
)
from bot.render.blocks import Message, context, customer_text, escape, relative_expiry, section, slack_date
from bot.values.results import SearchResult


def render_search(result: SearchResult, now: datetime) -> Message:
    query = result.query
    if not result.orders:
        text = "No orders match " + f"`{query.to_text()}`."
        blocks: list[Block] = [section(text)]
    else:
        last = result.first + len(result.orders) - 1
        text = f"Showing {result.first}-{last} of {result.total} orders"
        lines = [
            f"`{o.order_id}` *{escape(o.domain)}* · {escape(o.status)} · {escape(o.region)} · "
            f"customer {customer_text(o.customer_id, result.customers.get(o.customer_id or 0))} · "
            f"expires {slack_date(o.expires)} ({relative_expiry(o.expires, now)})"
            for o in result.orders
        ]
        blocks = [section(f"*{text}*"), DividerBlock(), section("\n".join(lines))]
    if result.unavailable:
        down = describe_unavailable(result.unavailable)
        blocks.append(context(f":warning: Partial results: {down}."))
        text += f" (partial: {down})"
    blocks.append(context(f"`/email {query.to_text()}`"))
    if result.has_next:
        blocks.append(
            ActionsBlock(
                block_id="paging",
                elements=[ButtonElement(text="Next page", action_id="next_page", value=query.to_text(query.page + 1))],
            )
        )
    return Message(text, blocks)
