"""The customer card, the list of customers a name or company matches, and the balance: from
the values bot.usecases.customers returns. No login, address, phone or email is ever shown."""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, DividerBlock, SectionBlock

from bot.changes.base import on_off_text
from bot.logicboxes import Balance, describe_action, describe_unavailable
from bot.render.blocks import (
    CHECK_DNS,
    CUSTOMER_CARD,
    LOOK_UP,
    MAX_SECTION,
    Message,
    clip,
    context,
    escape,
    field_sections,
    header,
    money,
    relative_expiry,
    section,
    slack_date,
)
from bot.usecases.customers import CustomerCard, CustomerMatches, HeldOrder
from bot.values.intents import CustomerLookup


def customer_button(customer_id: int, label: str = "Customer") -> ButtonElement:
    return ButtonElement(text=label, action_id=CUSTOMER_CARD, value=f"customer {customer_id}")


def _order_line(held: HeldOrder, now: datetime) -> str:
    summary, order = held.summary, held.order
    parts = [f"*{escape(summary.domain)}* · {escape(summary.status)} · {escape(summary.region)} · `{summary.order_id}`"]
    if order is not None:
        parts.append(f"{order.accounts} account{'s' if order.accounts != 1 else ''}")
    if summary.expires is not None:
        parts.append(f"expires {slack_date(summary.expires)} ({relative_expiry(summary.expires, now)})")
    if order is not None:
        parts.append(f"auto-renew {on_off_text(order.auto_renew)}")
    else:
        parts.append("details could not be read")
    line = " · ".join(parts)
    if isinstance(held.pending, str):
        line += f"\n:grey_question: Pending actions {escape(held.pending)}"
    elif held.pending:
        shown = "; ".join(escape(describe_action(action)) for action in held.pending[:3])
        more = f" and {len(held.pending) - 3} more" if len(held.pending) > 3 else ""
        line += f"\n:hourglass_flowing_sand: Pending at LogicBoxes: {shown}{more}"
    return clip(line, MAX_SECTION)


def render_customer(card: CustomerCard, now: datetime) -> Message:
    customer, query = card.customer, card.query
    title = customer.display or f"Customer {customer.customer_id}"
    blocks: list[Block] = [
        header(clip(title, 150)),
        *field_sections(
            [
                ("Customer id", str(customer.customer_id)),
                ("Status", escape(customer.status or "not given")),
                ("Customer since", slack_date(customer.since) if customer.since else "not given"),
            ]
        ),
    ]
    if customer.status and customer.status.lower() != "active":
        blocks.append(section(f":warning: This customer is *{escape(customer.status)}* at LogicBoxes."))
    if not card.orders:
        none = "No Enterprise Email orders." if card.total == 0 else "No orders on this page."
        blocks.append(section(none))
        text = f"{title}: customer {customer.customer_id}, no Enterprise Email orders"
    else:
        last = card.first + len(card.orders) - 1
        expiry = card.next_expiry
        totals = [
            f"*{card.total} order{'s' if card.total != 1 else ''}*"
            + (f", showing {card.first}-{last}" if card.total > len(card.orders) else ""),
            f"{card.accounts} accounts in the orders shown",
        ]
        if expiry is not None:
            totals.append(f"next expiry {escape(expiry.domain)} {slack_date(expiry.expires)}")
        blocks += [section(" · ".join(totals)), DividerBlock()]
        for held in card.orders:
            blocks.append(
                SectionBlock(block_id=f"order-{held.summary.order_id}", text=_order_line(held, now)),
            )
            blocks.append(
                ActionsBlock(
                    block_id=f"order-actions-{held.summary.order_id}",
                    elements=[
                        ButtonElement(text="Look up", action_id=LOOK_UP, value=f"order {held.summary.order_id}"),
                        ButtonElement(text="Check DNS", action_id=CHECK_DNS, value=f"check {held.summary.order_id}"),
                    ],
                )
            )
        text = f"{title}: customer {customer.customer_id}, {card.total} Enterprise Email order(s)"
    if card.unavailable:
        down = describe_unavailable(card.unavailable)
        blocks.append(context(f":warning: Partial: {down}."))
        text += f" (partial: {down})"
    by_id = CustomerLookup(customer_id=customer.customer_id, page=query.page)  # never the login or the text
    buttons = [ButtonElement(text="Share in channel", action_id="share", value=by_id.to_text())]
    if card.has_next:
        buttons.append(ButtonElement(text="Next page", action_id="next_page", value=by_id.to_text(query.page + 1)))
    blocks.append(ActionsBlock(block_id="share", elements=buttons))
    return Message(escape(text), blocks)


def render_customer_matches(matches: CustomerMatches) -> Message:
    """Several customers match: each a button to their card; the rest counted, to refine the search."""
    text = f"{'' if matches.exact else 'At least '}{matches.total} customers match “{matches.query.text}”"
    lines = [
        f"`{c.customer_id}` *{escape(c.display or 'no name')}*" + (f" · {escape(c.status)}" if c.status else "")
        for c in matches.customers
    ]
    blocks: list[Block] = [section(f"*{escape(text)}*"), section("\n".join(lines))]
    blocks.append(
        ActionsBlock(
            block_id="customers",
            elements=[
                customer_button(c.customer_id, clip(c.display or str(c.customer_id), 70)) for c in matches.customers
            ],
        )
    )
    more = matches.total - len(matches.customers)
    if more > 0:
        blocks.append(context(f"and {'' if matches.exact else 'at least '}{more} more: refine the search"))
    return Message(escape(text), blocks)


def render_balance(balance: Balance, currency: str) -> Message:
    """The customer's balance, for cost viewers only (never shared): each amount LogicBoxes gives,
    under its name (available, locked, total), never one computed from the others."""
    symbol = balance.symbol or currency
    given = [
        (name, money(amount, symbol))
        for name, amount in (("Available", balance.available), ("Locked", balance.locked), ("Total", balance.total))
        if amount is not None
    ]
    first, *rest = given
    line = f"{first[0]} balance: *{escape(first[1])}*" + "".join(f" · {n}: {escape(a)}" for n, a in rest)
    text = f"{first[0]} balance {first[1]}" + "".join(f", {n.lower()} {a}" for n, a in rest)
    return Message(f"{text} (only you can see this)", [section(f":lock: *Only you can see this.* {line}")])
