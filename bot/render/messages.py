"""Blocks for every answer, built with slack_sdk's Block Kit models (validated at to_dict).

Each function returns a Message: the blocks plus the plain `text` fallback Slack shows in
notifications. `plain_text()` turns the same blocks into terminal text for the console.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Protocol

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.changes import Estimate, kind_of
from bot.changes.base import on_off_text
from bot.dns.check import Report, State, fqdn
from bot.logicboxes import (
    Customer,
    DnsRecord,
    Order,
    OrderSummary,
    QueuedAction,
    describe_action,
    describe_unavailable,
    speaks_of_payment,
)
from bot.money import PRICE_UNIT
from bot.values.approvals import Approval, AuditEntry
from bot.values.results import Cost, Quote, SearchResult, SetupInfo
from bot.values.states import Status

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


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=clip(text, MAX_SECTION)))


def _fields(pairs: list[tuple[str, str]]) -> SectionBlock:
    return SectionBlock(fields=[MarkdownTextObject(text=clip(f"*{k}*\n{v}", MAX_FIELD)) for k, v in pairs[:MAX_FIELDS]])


def _field_sections(pairs: list[tuple[str, str]]) -> list[SectionBlock]:
    """Fields in as many sections as Slack's 10-a-section limit needs (none dropped)."""
    return [_fields(pairs[i : i + MAX_FIELDS]) for i in range(0, len(pairs), MAX_FIELDS)]


def _context(*texts: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=clip(t, MAX_SECTION)) for t in texts[:10]])


def _header(text: str) -> HeaderBlock:
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
    return Message(message.text, [*blocks, _context(f"Shared by <@{user_id}>")])


# ---------------------------------------------------------------- answers


class HelpEntry(Protocol):
    """A subcommand as the help card shows it (bot.commands.table.Subcommand is one)."""

    name: str
    usage: str
    example: str
    summary: str
    mutates: bool


def render_help(shown: Sequence[HelpEntry], unknown: str | None = None) -> Message:
    """The subcommands the asker may run, each with its usage and an example."""
    blocks: list[Block] = [_header("Enterprise Email commands")]
    if unknown:
        blocks.insert(0, _section(f":warning: Unknown subcommand `{escape(clip(unknown, 50))}`."))
    for sub in shown:
        blocks.append(_section(_help_line(sub)))
    text = "Commands: " + ", ".join(sub.name for sub in shown)
    return Message(f"Unknown subcommand `{unknown}`. {text}" if unknown else text, blocks)


def _help_line(sub: HelpEntry) -> str:
    lock = " :lock:" if sub.mutates else ""
    return f"`/email {escape(sub.usage)}`{lock}\n{sub.summary}. Example: `/email {escape(sub.example)}`"


def render_more(names: list[str]) -> Message:
    """The rest of a list cut short: "and 3 more: a.com, b.com, 84372632"."""
    text = f"and {len(names)} more: {', '.join(names)}"
    return Message(escape(text), [_context(escape(clip(text, MAX_SECTION)))])


def render_error(message: str, usage: str | None = None) -> Message:
    blocks: list[Block] = [_section(f":warning: {escape(message)}")]
    if usage:
        blocks.append(_context(f"Usage: `{escape(usage)}`"))
    return Message(escape(message + (f" Usage: {usage}" if usage else "")), blocks)


def _pending_lines(pending: list[QueuedAction] | str | None) -> str | None:
    """LogicBoxes' unfinished actions on the order, whoever started them (escaped: its text)."""
    if pending is None:
        return None
    if isinstance(pending, str):
        return f"*Pending actions*: {escape(pending)}"
    if not pending:
        return "*Pending actions*: none"
    lines = [f"• {escape(describe_action(action))}, action `{escape(action.eaqid)}`" for action in pending[:10]]
    more = f"\n…and {len(pending) - 10} more: `/email history`" if len(pending) > 10 else ""
    return clip("*Pending at LogicBoxes* (a change waits until these finish)\n" + "\n".join(lines) + more, 3000)


def render_order(
    order: Order, now: datetime, customer: Customer | None = None, pending: list[QueuedAction] | str | None = None
) -> Message:
    flags = []
    if order.suspended_by_parent:
        flags.append("suspended by parent")
    if order.suspended_upon_expiry:
        flags.append("suspended upon expiry")
    expiry = f"{slack_date(order.expires)} ({relative_expiry(order.expires, now)})" if order.expires else "unknown"
    blocks = [
        _header(f"{order.domain} · {order.status}"),
        *_field_sections(
            [
                ("Domain", escape(order.domain)),
                ("Order id", str(order.order_id)),
                ("Status", escape(order.status)),
                ("Region / product", f"{escape(order.region)} · {escape(order.product)}"),
                ("Email accounts", str(order.accounts)),
                ("Customer", customer_text(order.customer_id, customer)),
                ("Created", slack_date(order.created)),
                ("Expires", expiry),
                ("Auto-renew", on_off_text(order.auto_renew)),
                ("Deletion allowed", "yes" if order.allow_deletion else "no"),
                ("Suspension", ", ".join(flags) or "none"),
            ]
        ),
    ]
    pending_text = _pending_lines(pending)
    if pending_text:
        blocks.append(_section(pending_text))
    text = (
        f"{escape(order.domain)}: {escape(order.status)}, {order.accounts} accounts, order {order.order_id} "
        f"({escape(order.region)}), {relative_expiry(order.expires, now) or 'expiry unknown'}"
    )
    return Message(text, blocks)


def render_search(result: SearchResult, now: datetime) -> Message:
    query = result.query
    if not result.orders:
        text = "No orders match " + f"`{query.to_text()}`."
        blocks: list[Block] = [_section(text)]
    else:
        last = result.first + len(result.orders) - 1
        text = f"Showing {result.first}-{last} of {result.total} orders"
        lines = [
            f"`{o.order_id}` *{escape(o.domain)}* · {escape(o.status)} · {escape(o.region)} · "
            f"customer {customer_text(o.customer_id, result.customers.get(o.customer_id or 0))} · "
            f"expires {slack_date(o.expires)} ({relative_expiry(o.expires, now)})"
            for o in result.orders
        ]
        blocks = [_section(f"*{text}*"), DividerBlock(), _section("\n".join(lines))]
    if result.unavailable:
        down = describe_unavailable(result.unavailable)
        blocks.append(_context(f":warning: Partial results: {down}."))
        text += f" (partial: {down})"
    blocks.append(_context(f"`/email {query.to_text()}`"))
    if result.has_next:
        blocks.append(
            ActionsBlock(
                block_id="paging",
                elements=[ButtonElement(text="Next page", action_id="next_page", value=query.to_text(query.page + 1))],
            )
        )
    return Message(text, blocks)


def zone_line(record: DnsRecord, domain: str) -> str:
    name = fqdn(record.host, domain) + "."  # "@", "autodiscover" and "webmail.example.com" alike
    value = record.value
    if record.type == "TXT":
        value = '"' + value.strip('"') + '"'
    elif record.type in ("MX", "CNAME", "NS") and not value.endswith("."):
        value += "."
    priority = f"{record.priority} " if record.priority is not None else ""
    ttl = f"{record.ttl} " if record.ttl else ""
    return f"{name} {ttl}{record.record_class} {record.type} {priority}{value}"


def render_history(order: Order, actions: list[QueuedAction], more: bool) -> Message:
    """An order's actions at LogicBoxes, newest first: what, when added and completed, and how it
    ended, in LogicBoxes' words (escaped: its text)."""
    title = f"LogicBoxes actions on {order.domain}"
    if not actions:
        return Message(title, [_header(title), _section(f"LogicBoxes lists no actions on order `{order.order_id}`.")])
    rows = []
    for action in actions:
        done = f"completed {slack_date(action.completed)}" if action.completed and action.finished else "pending"
        ended = escape(action.status or "status not given")
        said = f": {escape(action.status_description)}" if action.status_description else ""
        rows.append(
            f"*{escape(action.description or action.kind or 'action')}* · `{escape(action.eaqid)}`\n"
            f"added {slack_date(action.added)} · {done} · *{ended}*{said}"
        )
    blocks: list[Block] = [_header(title)]
    for start in range(0, len(rows), 10):  # sections of 3000 characters at most
        blocks.append(_section(clip("\n".join(rows[start : start + 10]), MAX_SECTION)))
    note = f"Order `{order.order_id}` · {escape(order.region)} · newest first"
    blocks.append(_context(note + (" · older actions not shown" if more else "")))
    return Message(f"{len(actions)} LogicBoxes actions on {escape(order.domain)}", blocks)


def render_dns(order: Order, records: list[DnsRecord]) -> Message:
    if not records:
        return Message(
            f"LogicBoxes lists no DNS records for {escape(order.domain)}.",
            [_section(f"LogicBoxes lists no DNS records for *{escape(order.domain)}* (order `{order.order_id}`).")],
        )
    rows = [
        f"*{escape(r.type)}* `{escape(r.host)}` → `{escape(r.value)}`"
        + (f" (priority {r.priority})" if r.priority is not None else "")
        + f" · {r.record_class}"
        for r in records
    ]
    zone = escape("\n".join(zone_line(r, order.domain) for r in records))  # values are LogicBoxes' text
    blocks: list[Block] = [
        _header(f"DNS records for {order.domain}"),
        _section("\n".join(rows)),
        _section(f"Zone file lines for the DNS admin:\n```\n{clip(zone, MAX_SECTION - 80)}\n```"),
        _context(f"Order `{order.order_id}` · {escape(order.region)} · {len(records)} records"),
    ]
    return Message(f"{len(records)} DNS records for {escape(order.domain)}", blocks)


_FINDING_ICONS = {
    State.MATCHES: ":white_check_mark:",
    State.MISSING: ":x:",
    State.DIFFERENT: ":warning:",
    State.WARNING: ":grey_exclamation:",
}


def render_check(order: Order, report: Report) -> Message:
    """The verdict first, then each record as matches / missing / different (what is there next to
    what must be), then the zone lines to add and to remove."""
    icon = ":white_check_mark:" if report.ok else ":rotating_light:"
    rows = []
    for f in report.findings:
        line = f"{_FINDING_ICONS[f.state]} *{escape(f.kind)}* `{escape(f.name)}` {f.state.value}"
        if f.state is State.MATCHES:
            line += f": `{escape(f.found)}`"
        elif not f.required:
            line += f": `{escape(f.found)}` is not the order's"
        else:
            line += f": must be `{escape(f.required)}`; now `{escape(f.found)}`"
        rows.append(line)
    blocks: list[Block] = [
        _header(f"DNS check for {order.domain}"),
        _section(f"{icon} *{escape(report.verdict)}*"),
        _section(clip("\n".join(rows), MAX_SECTION)),
    ]
    for title, records in (("Add these records", report.add), ("Remove these records", report.remove)):
        if records:
            zone = escape("\n".join(zone_line(r, report.domain) for r in records))
            blocks.append(_section(f"{title}:\n```\n{clip(zone, MAX_SECTION - 80)}\n```"))
    if report.notes and report.add:
        blocks.append(_context(*(escape(note) for note in report.notes)))
    blocks.append(
        _context(f"Order `{order.order_id}` · {escape(order.region)} · live DNS, asked just now; LogicBoxes' records")
    )
    return Message(escape(report.verdict), blocks)


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
        _header(f"Enterprise Email quote: {total}"),
        _fields(
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
        _context(
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
        blocks += [ActionsBlock(block_id="request", elements=[button]), _context(note)]
    return Message(text, blocks)


def render_cost(cost: Cost) -> Message:
    reseller = cost.reseller
    text = (
        f"Reseller cost {money(reseller.total, reseller.currency)}, "
        f"margin {money(cost.margin, reseller.currency)} (only you can see this)"
    )
    blocks = [
        _section(":lock: *Only you can see this.*"),
        _fields(
            [
                ("Reseller unit cost", f"{unit_money(reseller.unit_price, reseller.currency)} {reseller.unit}"),
                ("Reseller cost", money(reseller.total, reseller.currency)),
                ("Customer price", money(cost.quote.total, cost.quote.currency)),
                ("Margin", money(cost.margin, reseller.currency)),
            ]
        ),
        _context(f"Cost from the reseller cost price list; customer price from {price_source(cost.quote)}."),
    ]
    return Message(text, blocks)


def render_setup(info: SetupInfo) -> Message:
    exchange = "\n".join(
        [
            "*iPhone / iPad (Exchange)*: Settings > Mail, Contacts, Calendars > Add Account > Exchange",
            f"• Email: `{escape(info.email)}`",
            f"• Server: `{escape(info.server)}`",
            f"• Domain: `{escape(info.domain)}`",
            f"• Username: `{escape(info.username)}`",
            "• Password: your mailbox password",
            f"• Description: anything, e.g. `{escape(info.domain)} mail`",
        ]
    )
    hints = "\n".join(
        [
            "*Sync*: choose Mail, Contacts, Calendars and Reminders.",
            "*CalDAV / CardDAV* (macOS, iOS, Thunderbird): use the OX App Suite calendar and address book "
            f"at `https://{escape(info.server)}`.",
            "*Microsoft Outlook*: install OXtender 2 for Microsoft Outlook.",
            "*Phones*: OXtender for Business Mobility syncs mail, contacts and calendars; "
            f"the mobile web interface is at `https://{escape(info.server)}`.",
        ]
    )
    blocks = [
        _header(f"Mail setup for {info.email}"),
        _section(exchange),
        _section(hints),
        _context(
            f"Webmail: https://{escape(info.server)} · order `{info.order.order_id}` · {escape(info.order.status)}"
        ),
    ]
    text = escape(f"Setup for {info.email}: server {info.server}, domain {info.domain}, username {info.username}")
    return Message(text, blocks)


def render_digest(
    orders: list[OrderSummary], days: int, now: datetime, unavailable: dict[str, str], per_message: int = 45
) -> list[Message]:
    """The expiry digest, split into messages that each stay under Slack's 50 blocks."""
    title = f"Enterprise Email orders expiring in the next {days} days: {len(orders)}"
    head: list[Block] = [_header(title)]
    if unavailable:
        down = describe_unavailable(unavailable)
        head.append(_context(f":warning: Incomplete: {down}."))
    if not orders:
        head.append(_section("Nothing expires in this window."))
    rows: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(
                text=f"*{escape(o.domain)}* · `{o.order_id}` · {escape(o.region)} · {escape(o.status)} · "
                f"customer {o.customer_id or '?'}\n"
                f"expires {slack_date(o.expires)} ({relative_expiry(o.expires, now)})"
            ),
            accessory=request_button("Renew", f"renew {o.order_id}"),  # opens the renewal form
        )
        for o in orders
    ]
    blocks = head + rows
    chunks = [blocks[i : i + per_message] for i in range(0, len(blocks), per_message)] or [head]
    total = len(chunks)
    return [
        Message(
            title if n == 1 else f"{title} (part {n} of {total})",
            chunk + ([_context(f"Part {n} of {total}")] if total > 1 else []),
        )
        for n, chunk in enumerate(chunks, start=1)
    ]


# ---------------------------------------------------------------- approvals


def _epoch_date(seconds: float | None) -> str:
    if not seconds:
        return "unknown"
    when = datetime.fromtimestamp(seconds, UTC)
    return f"<!date^{int(seconds)}^{{date_short_pretty}} {{time}}|{when:%Y-%m-%d %H:%M} UTC>"


def _what(approval: Approval) -> str:
    return kind_of(approval).describe(escape(approval.domain), approval.details)


def _estimate(approval: Approval) -> str | None:
    estimate = approval.estimate
    if estimate is None:
        return None
    if estimate.amount is None or estimate.unit is None:
        return escape(estimate.note or "no estimate")
    currency = estimate.currency
    return (
        f"Estimate: {money(estimate.amount, currency)} ({estimate.accounts} x "
        f"{unit_money(estimate.unit, currency)} {PRICE_UNIT}, band {estimate.band}, x {estimate.months} "
        f"{escape(estimate.basis)}); LogicBoxes bills the actual amount"
    )


def _approval_facts(approval: Approval) -> SectionBlock:
    return _fields(
        [
            ("Domain", escape(approval.domain)),
            ("Order id", str(approval.order_id)),
            ("Region", escape(approval.region)),
            ("Status at request", escape(approval.details.get("status", "?"))),
            ("Requested by", f"<@{approval.requester}>"),
            ("Request", f"`{approval.id}`"),
            *[(name, escape(value)) for name, value in kind_of(approval).facts_shown(approval.details)],
        ]
    )


def _reason(approval: Approval) -> list[Block]:
    return [_section(f"*Reason:* {escape(approval.reason)}")] if approval.reason else []


def render_approval_request(approval: Approval, approver_mentions: str, now: datetime) -> Message:
    verb = kind_of(approval).verb
    confirm = ConfirmObject(
        title=clip(escape(f"{verb} {approval.domain}?"), 100),
        text=clip(
            f"This will {verb.lower()} {escape(approval.domain)} (order {approval.order_id})."
            + (" It cannot be undone." if kind_of(approval).danger else ""),
            300,
        ),
        confirm=clip(escape(f"{verb} {approval.domain}"), 30),
        deny="Keep it",
    )
    approve = ButtonElement(
        text="Approve",
        action_id="approve",
        value=approval.id,
        style="danger" if kind_of(approval).danger else "primary",
        confirm=confirm,
    )
    blocks: list[Block] = [
        _header(f"Approval needed: {verb.lower()} {approval.domain}"),
        _section(f"{approver_mentions} <@{approval.requester}> asks to:\n{_what(approval)}."),
        _approval_facts(approval),
        *_reason(approval),
    ]
    estimate = _estimate(approval)
    if estimate:
        blocks.append(_section(estimate))
    blocks += [
        _context(f"Expires {_epoch_date(approval.expires_at)}. The requester cannot approve their own request."),
        ActionsBlock(
            block_id="decision",
            elements=[
                approve,
                ButtonElement(text="Deny", action_id="deny", value=approval.id),
                ButtonElement(text="Cancel (requester)", action_id="cancel", value=approval.id),
            ],
        ),
    ]
    text = (
        f"Approval needed: {verb.lower()} {escape(approval.domain)} (order {approval.order_id}), "
        f"asked by <@{approval.requester}>"
    )
    return Message(text, blocks)


NOT_GIVEN = "not given"


def _amount(value: object, currency: object) -> str | None:
    """Money from a stored outcome field, or None when LogicBoxes gave nothing usable."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return money(amount, escape(currency)) if amount.is_finite() and value is not None else None


def outcome_details(approval: Approval) -> list[tuple[str, str]]:
    """What LogicBoxes said about the change, field by field; a missing or malformed field reads
    "not given" and never stops the outcome from being shown."""
    o = approval.outcome or {}
    if "action_status" not in o and "answer_shape" not in o:
        return []
    currency = o.get("currency") or ""
    pairs = [
        ("Action status", escape(o.get("action_status") or NOT_GIVEN)),
        ("Description", escape(o.get("description") or NOT_GIVEN)),
        ("eaqid", escape(o.get("eaqid") or NOT_GIVEN)),
    ]
    if o.get("answer_shape") in ("invoice", "only-add") or o.get("invoice_id"):
        pairs.append(("Invoice", escape(o.get("invoice_id") or NOT_GIVEN)))
    if o.get("answer_shape") == "only-add":
        pairs.append(("Customer cost", _amount(o.get("customer_cost"), currency) or NOT_GIVEN))
    elif o.get("answer_shape") == "invoice" or o.get("selling_amount") is not None:
        selling = _amount(o.get("selling_amount"), currency)
        if selling is None:
            pairs.append(("Amount billed", NOT_GIVEN))
        elif selling.startswith("-"):  # LogicBoxes reports a debit as a negative selling amount
            pairs.append(("Amount billed", selling[1:]))
        else:
            pairs.append(("Amount credited" if Decimal(str(o["selling_amount"])) > 0 else "Amount billed", selling))
    return pairs


def outcome_line(approval: Approval) -> str:
    """One line for the thread reply, the audit log and notifications (escaped for Slack)."""
    o = approval.outcome or {}
    parts = [f"{name}: {value}" for name, value in outcome_details(approval)]
    if o.get("error"):
        parts.insert(0, escape(o["error"]))
    return "; ".join(parts)


def render_approval_outcome(approval: Approval, now: datetime) -> Message:
    state = approval.status.label
    who = f" by <@{approval.decided_by}>" if approval.decided_by and approval.decided_by != "system" else ""
    verb = kind_of(approval).verb
    summary = f"{verb} {escape(approval.domain)}: {state}{who}"
    if approval.status is Status.EXECUTING:
        headline = f":hourglass_flowing_sand: *Approved*{who} {_epoch_date(approval.decided_at)}, running..."
    elif approval.status is Status.WAITING:
        note = escape((approval.outcome or {}).get("note") or "another change to this order is running.")
        headline = f":hourglass_flowing_sand: *Approved*{who} {_epoch_date(approval.decided_at)}, waiting: {note}"
    else:
        headline = f"{approval.status.icon} *{state[:1].upper() + state[1:]}*{who} {_epoch_date(approval.decided_at)}"
    blocks: list[Block] = [
        _header(clip(f"{verb} {approval.domain}: {state}", MAX_HEADER)),
        _section(f"{headline}\n{_what(approval)}."),
        _approval_facts(approval),
        *_reason(approval),
    ]
    error = (approval.outcome or {}).get("error")
    if error:
        blocks.append(_section(escape(error)))
    denied_because = (approval.outcome or {}).get("reason") if approval.status is Status.DENIED else None
    if denied_because:
        blocks.append(_section(f"*Reason for denying:* {escape(denied_because)}"))
        summary += f": {escape(denied_because)}"
    said = outcome_details(approval)
    if said:
        blocks.append(_section("*What LogicBoxes said*"))
        blocks.append(_fields(said))
    if approval.late_outcome:
        late = approval.late_outcome
        blocks.append(
            _section(
                f":warning: *LogicBoxes answered after this was marked unknown:* {escape(late.get('result', '?'))}"
                + (f", {escape(late['error'])}" if late.get("error") else "")
            )
        )
        late_said = outcome_details(replace(approval, outcome=late))
        if late_said:
            blocks.append(_fields(late_said))
        summary += f". Late answer: {escape(late.get('result', '?'))}"
    finished = _finished_line(approval)
    if finished:
        blocks.insert(2, _section(finished))
        summary += f". {finished}"
    if approval.confirmation:
        blocks.append(_section(f":mag: {escape(approval.confirmation)}"))
        summary += f". {escape(approval.confirmation)}"
    elif approval.status is Status.ACCEPTED:
        waiting = waiting_for_payment(approval)
        if waiting:
            blocks.insert(2, _section(f":moneybag: {escape(waiting)}"))
            summary += f". {escape(waiting)}"
        blocks.append(
            _context(
                "LogicBoxes accepted the work and runs it later; this request follows LogicBoxes' action queue "
                "and says here when it has finished."
            )
        )
    elif approval.followup_at and approval.status.value == "done":
        blocks.append(_context("LogicBoxes queued the work; the order will be read again to confirm it."))
    line = outcome_line(approval)
    if line:
        summary += f". {line}"
    return Message(summary, blocks)


def _finished_line(approval: Approval) -> str | None:
    """ "Completed <date>" or "Failed: <why> <date>", once LogicBoxes' action queue says so."""
    o = approval.outcome or {}
    if not approval.finished_at or "final_status" not in o:
        return None
    when = _epoch_date(approval.finished_at)
    if approval.status is Status.DONE:
        return f":white_check_mark: LogicBoxes completed it {when}."
    return f":x: LogicBoxes reports it failed: {escape(o.get('final_description') or 'no reason given')} ({when})."


def waiting_for_payment(approval: Approval) -> str | None:
    """ "waiting for payment of invoice N" while an accepted change waits on an unpaid invoice:
    OnlyAdd raises it without executing, and LogicBoxes' status or description may speak of payment."""
    o = approval.outcome or {}
    if o.get("answer_shape") == "only-add" or speaks_of_payment(o.get("action_status"), o.get("description")):
        return f"Waiting for payment of invoice {o.get('invoice_id') or NOT_GIVEN}."
    return None


def render_cost_estimate(approval: Approval, cost: Estimate) -> Message:
    """The reseller's cost of a requested change, shown only to a cost viewer who asked for it."""
    if cost.amount is None or cost.unit is None:
        return Message(
            "Reseller cost unavailable", [_section(f":lock: Reseller cost unavailable: {escape(cost.note or '')}")]
        )
    customer = approval.estimate
    pairs = [
        ("Reseller cost", money(cost.amount, cost.currency)),
        ("Reseller unit cost", f"{unit_money(cost.unit, cost.currency)} {PRICE_UNIT}"),
    ]
    if customer is not None and customer.amount is not None:
        pairs += [
            ("Customer estimate", money(customer.amount, customer.currency)),
            ("Margin", money(customer.amount - cost.amount, cost.currency)),
        ]
    text = f"Reseller cost of this {approval.kind}: {money(cost.amount, cost.currency)} (only you can see this)"
    return Message(
        text,
        [_section(":lock: *Only you can see this.*"), _fields(pairs), _context("From the reseller cost price list.")],
    )


def render_duplicate(first: Approval, link: str | None) -> Message:
    """A second request of a kind for an order: point at the first, which is still open."""
    request = f"<{link}|request `{first.id}`>" if link else f"request `{first.id}`"
    text = (
        f":warning: There is already an open {escape(first.kind)} request for *{escape(first.domain)}*: {request}, "
        f"asked by <@{first.requester}> {_epoch_date(first.created_at)}. Approve, deny or cancel that one first."
    )
    return Message(
        f"There is already an open {escape(first.kind)} request for {escape(first.domain)}", [_section(text)]
    )


def plain_outcome(approval: Approval) -> Message:
    """The outcome in one plain line, for when the card itself cannot be drawn."""
    error = escape(str((approval.outcome or {}).get("error") or ""))
    text = f"{escape(approval.kind)} {escape(approval.domain)} (order {approval.order_id}): {approval.status.label}"
    return Message(text + (f". {error}" if error else ""), [_section(text + (f"\n{error}" if error else ""))])


def render_reads(order: Order, rows: list[dict]) -> Message:
    """The access log for one customer's orders: who looked, at what, when."""
    who = f"customer {order.customer_id}" if order.customer_id else f"order {order.order_id}"
    title = f"Who looked at {who}'s orders: {len(rows)} most recent"
    if not rows:
        return Message(title, [_header(title), _section("Nobody, within the access log's retention.")])
    lines = [
        f"{_epoch_date(r['at'])} <@{r['user_id']}> · `{escape(r['command'])}` {escape(r.get('target') or '')}"
        f" · order `{r.get('order_id') or '?'}` · {escape(r['outcome'])}"
        for r in rows
    ]
    return Message(title, [_header(title), _section(clip("\n".join(lines), MAX_SECTION))])


def render_audit(entries: list[AuditEntry]) -> Message:
    if not entries:
        return Message("No audit entries.", [_section("No audit entries match.")])
    lines = []
    for e in entries:
        detail = escape(e.detail.get("result") or e.detail.get("kind") or "")
        extra = escape(e.detail.get("error") or e.detail.get("eaqid") or e.detail.get("confirmation") or "")
        if e.detail.get("reason") and e.action in ("request", "execute"):
            extra = f"{extra} · reason: {escape(e.detail['reason'])}".lstrip(" ·")
        lines.append(
            f"{_epoch_date(e.at)} *{e.action}* by "
            + (f"<@{e.actor}>" if e.actor != "system" else "system")
            + f" · {escape(e.domain or '?')} (`{e.order_id}`) · `{e.approval_id}` {detail} {extra}".rstrip()
        )
    chunks, current = [], ""
    for line in lines:
        if len(current) + len(line) + 1 > MAX_SECTION:
            chunks.append(current)
            current = ""
        current += line + "\n"
    chunks.append(current)
    blocks: list[Block] = [_header(f"Audit log: {len(entries)} most recent"), *[_section(ch) for ch in chunks]]
    return Message(f"{len(entries)} audit entries", blocks)


# ---------------------------------------------------------------- console


_LINK = re.compile(r"<(?:!date\^[^|>]*\|([^>]*)|[^|>]*\|([^>]*)|(@[A-Z0-9]+|#[A-Z0-9]+|https?://[^>]*))>")


def _plain(text: str) -> str:
    text = _LINK.sub(lambda m: m.group(1) or m.group(2) or m.group(3), text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def plain_text(message: Message) -> str:
    """The blocks as terminal text: what the console prints."""
    out: list[str] = []
    for block in message.as_kwargs()["blocks"]:
        kind = block["type"]
        if kind == "header":
            out.append(f"== {_plain(block['text']['text'])} ==")
        elif kind == "section":
            if "text" in block:
                out.append(_plain(block["text"]["text"]))
            for f in block.get("fields", []):
                name, _, value = f["text"].partition("\n")
                out.append(f"  {name.strip('*')}: {_plain(value)}")
        elif kind == "context":
            out.append("  " + " ".join(_plain(e.get("text", "")) for e in block["elements"]))
        elif kind == "divider":
            out.append("-" * 40)
        elif kind == "actions":
            out.append("  " + " ".join(f"[{e['text']['text']}]" for e in block["elements"]))
    return "\n".join(out) if out else message.text
