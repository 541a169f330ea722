"""An order, as people look it up: its card, its DNS records with zone lines, the live DNS check
with the fix, its history at LogicBoxes, the setup card, and the expiry digest."""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import (
    Block,
    MarkdownTextObject,
    SectionBlock,
)

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
)
from bot.render.blocks import (
    MAX_SECTION,
    Message,
    clip,
    context,
    customer_text,
    escape,
    field_sections,
    header,
    relative_expiry,
    request_button,
    section,
    slack_date,
)
from bot.values.results import SetupInfo


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
        header(f"{order.domain} · {order.status}"),
        *field_sections(
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
        blocks.append(section(pending_text))
    text = (
        f"{escape(order.domain)}: {escape(order.status)}, {order.accounts} accounts, order {order.order_id} "
        f"({escape(order.region)}), {relative_expiry(order.expires, now) or 'expiry unknown'}"
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
        return Message(title, [header(title), section(f"LogicBoxes lists no actions on order `{order.order_id}`.")])
    rows = []
    for action in actions:
        done = f"completed {slack_date(action.completed)}" if action.completed and action.finished else "pending"
        ended = escape(action.status or "status not given")
        said = f": {escape(action.status_description)}" if action.status_description else ""
        rows.append(
            f"*{escape(action.description or action.kind or 'action')}* · `{escape(action.eaqid)}`\n"
            f"added {slack_date(action.added)} · {done} · *{ended}*{said}"
        )
    blocks: list[Block] = [header(title)]
    for start in range(0, len(rows), 10):  # sections of 3000 characters at most
        blocks.append(section(clip("\n".join(rows[start : start + 10]), MAX_SECTION)))
    note = f"Order `{order.order_id}` · {escape(order.region)} · newest first"
    blocks.append(context(note + (" · older actions not shown" if more else "")))
    return Message(f"{len(actions)} LogicBoxes actions on {escape(order.domain)}", blocks)


def render_dns(order: Order, records: list[DnsRecord]) -> Message:
    if not records:
        return Message(
            f"LogicBoxes lists no DNS records for {escape(order.domain)}.",
            [section(f"LogicBoxes lists no DNS records for *{escape(order.domain)}* (order `{order.order_id}`).")],
        )
    rows = [
        f"*{escape(r.type)}* `{escape(r.host)}` → `{escape(r.value)}`"
        + (f" (priority {r.priority})" if r.priority is not None else "")
        + f" · {r.record_class}"
        for r in records
    ]
    zone = escape("\n".join(zone_line(r, order.domain) for r in records))  # values are LogicBoxes' text
    blocks: list[Block] = [
        header(f"DNS records for {order.domain}"),
        section("\n".join(rows)),
        section(f"Zone file lines for the DNS admin:\n```\n{clip(zone, MAX_SECTION - 80)}\n```"),
        context(f"Order `{order.order_id}` · {escape(order.region)} · {len(records)} records"),
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
        header(f"DNS check for {order.domain}"),
        section(f"{icon} *{escape(report.verdict)}*"),
        section(clip("\n".join(rows), MAX_SECTION)),
    ]
    for title, records in (("Add these records", report.add), ("Remove these records", report.remove)):
        if records:
            zone = escape("\n".join(zone_line(r, report.domain) for r in records))
            blocks.append(section(f"{title}:\n```\n{clip(zone, MAX_SECTION - 80)}\n```"))
    if report.notes and report.add:
        blocks.append(context(*(escape(note) for note in report.notes)))
    blocks.append(
        context(f"Order `{order.order_id}` · {escape(order.region)} · live DNS, asked just now; LogicBoxes' records")
    )
    return Message(escape(report.verdict), blocks)


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
        header(f"Mail setup for {info.email}"),
        section(exchange),
        section(hints),
        context(
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
    head: list[Block] = [header(title)]
    if unavailable:
        down = describe_unavailable(unavailable)
        head.append(context(f":warning: Incomplete: {down}."))
    if not orders:
        head.append(section("Nothing expires in this window."))
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
            chunk + ([context(f"Part {n} of {total}")] if total > 1 else []),
        )
        for n, chunk in enumerate(chunks, start=1)
    ]
