"""The pieces every answer is built from: the Message (blocks plus the plain `text` fallback),
escaping, clipping, money and dates as people read them, and Block Kit builders within Slack's
limits (slack_sdk's models validate at to_dict)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.logicboxes import (
    Customer,
)

MAX_BLOCKS = 50
MAX_SECTION = 3000
CHECK_DNS = "check_dns"  # the button's action id
LOOK_UP = "look_up"  # the button that shows one order's card
CUSTOMER_CARD = "customer_card"  # the button that shows one customer's card
MAX_FIELD = 2000
MAX_FIELDS = 10
MAX_HEADER = 150


@dataclass
class Message:
    text: str
    blocks: list[Block] = field(default_factory=list)

    def as_kwargs(self) -> dict[str, Any]:
        blocks = [block.to_dict() for block in self.blocks[:MAX_BLOCKS]]
        return {"text": clip(self.text, 3000), "blocks": blocks}


def escape(text: object) -> str:
    """Slack reads <, > and & as markup in mrkdwn and in the `text` fallback (`<!channel>` notifies a
    channel): escape every text we did not write, user input and LogicBoxes' answers alike."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def money(amount: Decimal, currency: str) -> str:
    """Two decimals and the currency: "1,108.80 USD", or "£90.54" when LogicBoxes gives a symbol."""
    figure = f"{amount.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"
    if currency and not currency.isalpha():
        return f"-{currency}{figure[1:]}" if figure.startswith("-") else f"{currency}{figure}"
    return f"{figure} {currency}".rstrip()


def customer_text(customer_id: int | None, customer: Customer | None) -> str:
    """ "20001 · Jane Doe, Acme Ltd", or the id alone when the name could not be had (escaped)."""
    if not customer_id:
        return "unknown"
    name = customer.display if customer is not None else ""
    return f"{customer_id} ({escape(name)})" if name else str(customer_id)


def unit_money(amount: Decimal, currency: str) -> str:
    """Unit prices keep up to 3 decimals (the API's precision), never fewer than 2."""
    places = max(2, min(3, -amount.normalize().as_tuple().exponent))
    return f"{amount:,.{places}f} {currency}"


def slack_date(when: datetime | None) -> str:
    """A Slack date token (shown in the reader's time zone) with a UTC fallback."""
    if when is None:
        return "unknown"
    return f"<!date^{int(when.timestamp())}^{{date_short}}|{when:%Y-%m-%d} UTC>"


def relative_expiry(expires: datetime | None, now: datetime) -> str:
    if expires is None:
        return ""
    days = (expires.date() - now.date()).days
    if days > 0:
        return f"expires in {days} day{'s' if days != 1 else ''}"
    if days == 0:
        return "expires today"
    return f"expired {-days} day{'s' if days != -1 else ''} ago"


def section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=clip(text, MAX_SECTION)))


def fields(pairs: list[tuple[str, str]]) -> SectionBlock:
    return SectionBlock(fields=[MarkdownTextObject(text=clip(f"*{k}*\n{v}", MAX_FIELD)) for k, v in pairs[:MAX_FIELDS]])


def field_sections(pairs: list[tuple[str, str]]) -> list[SectionBlock]:
    """Fields in as many sections as Slack's 10-a-section limit needs (none dropped)."""
    return [fields(pairs[i : i + MAX_FIELDS]) for i in range(0, len(pairs), MAX_FIELDS)]


def context(*texts: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=clip(t, MAX_SECTION)) for t in texts[:10]])


def header(text: str) -> HeaderBlock:
    """Escaped too: Slack is not documented to leave markup in plain_text alone, and a header
    quotes LogicBoxes' text (a domain, a status)."""
    return HeaderBlock(text=clip(escape(text), MAX_HEADER))


def request_button(label: str, command: str) -> ButtonElement:
    """A button that asks for a change as if its clicker had typed `/email <command>`: the request
    still needs a second person's approval."""
    return ButtonElement(text=label, action_id="request_change", value=clip(command, 2000))


def share_button(command: str, check_order: int | None = None, customer_id: int | None = None) -> ActionsBlock:
    """Lookups are private first; Share posts the same card for everyone (rebuilt from `command`).
    Order and DNS cards also offer Check DNS: live DNS against what that order needs; order cards
    a Customer button: the customer's card with all their orders."""
    elements = [ButtonElement(text="Share in channel", action_id="share", value=clip(command, 2000))]
    if check_order is not None:
        elements.append(ButtonElement(text="Check DNS", action_id=CHECK_DNS, value=f"check {check_order}"))
    if customer_id:
        elements.append(ButtonElement(text="Customer", action_id=CUSTOMER_CARD, value=f"customer {customer_id}"))
    return ActionsBlock(block_id="share", elements=elements)


def with_share(
    message: Message, command: str, check_order: int | None = None, customer_id: int | None = None
) -> Message:
    return Message(message.text, [*message.blocks, share_button(command, check_order, customer_id)])


def shared_by(message: Message, user_id: str) -> Message:
    """The channel's copy of a private card: no buttons (Share, Next page) and who shared it."""
    blocks = [block for block in message.blocks if block.type != "actions"]
    return Message(message.text, [*blocks, context(f"Shared by <@{user_id}>")])


def epoch_date(seconds: float | None) -> str:
    if not seconds:
        return "unknown"
    when = datetime.fromtimestamp(seconds, UTC)
    return f"<!date^{int(seconds)}^{{date_short_pretty}} {{time}}|{when:%Y-%m-%d %H:%M} UTC>"
