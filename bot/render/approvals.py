"""A change request as Slack shows it: the request, its outcome, the cost estimate, a duplicate,
and the audit and access logs."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal, InvalidOperation

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    SectionBlock,
)

from bot.changes import Estimate, kind_of
from bot.logicboxes import (
    Order,
    speaks_of_payment,
)
from bot.money import PRICE_UNIT
from bot.render.blocks import (
    MAX_HEADER,
    MAX_SECTION,
    Message,
    clip,
    context,
    epoch_date,
    escape,
    fields,
    header,
    money,
    section,
    unit_money,
)
from bot.values.approvals import Approval, AuditEntry
from bot.values.states import Status


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
    return fields(
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
    return [section(f"*Reason:* {escape(approval.reason)}")] if approval.reason else []


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
        header(f"Approval needed: {verb.lower()} {approval.domain}"),
        section(f"{approver_mentions} <@{approval.requester}> asks to:\n{_what(approval)}."),
        _approval_facts(approval),
        *_reason(approval),
    ]
    estimate = _estimate(approval)
    if estimate:
        blocks.append(section(estimate))
    blocks += [
        context(f"Expires {epoch_date(approval.expires_at)}. The requester cannot approve their own request."),
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
        headline = f":hourglass_flowing_sand: *Approved*{who} {epoch_date(approval.decided_at)}, running..."
    elif approval.status is Status.WAITING:
        note = escape((approval.outcome or {}).get("note") or "another change to this order is running.")
        headline = f":hourglass_flowing_sand: *Approved*{who} {epoch_date(approval.decided_at)}, waiting: {note}"
    else:
        headline = f"{approval.status.icon} *{state[:1].upper() + state[1:]}*{who} {epoch_date(approval.decided_at)}"
    blocks: list[Block] = [
        header(clip(f"{verb} {approval.domain}: {state}", MAX_HEADER)),
        section(f"{headline}\n{_what(approval)}."),
        _approval_facts(approval),
        *_reason(approval),
    ]
    error = (approval.outcome or {}).get("error")
    if error:
        blocks.append(section(escape(error)))
    denied_because = (approval.outcome or {}).get("reason") if approval.status is Status.DENIED else None
    if denied_because:
        blocks.append(section(f"*Reason for denying:* {escape(denied_because)}"))
        summary += f": {escape(denied_because)}"
    said = outcome_details(approval)
    if said:
        blocks.append(section("*What LogicBoxes said*"))
        blocks.append(fields(said))
    if approval.late_outcome:
        late = approval.late_outcome
        blocks.append(
            section(
                f":warning: *LogicBoxes answered after this was marked unknown:* {escape(late.get('result', '?'))}"
                + (f", {escape(late['error'])}" if late.get("error") else "")
            )
        )
        late_said = outcome_details(replace(approval, outcome=late))
        if late_said:
            blocks.append(fields(late_said))
        summary += f". Late answer: {escape(late.get('result', '?'))}"
    finished = _finished_line(approval)
    if finished:
        blocks.insert(2, section(finished))
        summary += f". {finished}"
    if approval.confirmation:
        blocks.append(section(f":mag: {escape(approval.confirmation)}"))
        summary += f". {escape(approval.confirmation)}"
    elif approval.status is Status.ACCEPTED:
        waiting = waiting_for_payment(approval)
        if waiting:
            blocks.insert(2, section(f":moneybag: {escape(waiting)}"))
            summary += f". {escape(waiting)}"
        blocks.append(
            context(
                "LogicBoxes accepted the work and runs it later; this request follows LogicBoxes' action queue "
                "and says here when it has finished."
            )
        )
    elif approval.followup_at and approval.status.value == "done":
        blocks.append(context("LogicBoxes queued the work; the order will be read again to confirm it."))
    line = outcome_line(approval)
    if line:
        summary += f". {line}"
    return Message(summary, blocks)


def _finished_line(approval: Approval) -> str | None:
    """ "Completed <date>" or "Failed: <why> <date>", once LogicBoxes' action queue says so."""
    o = approval.outcome or {}
    if not approval.finished_at or "final_status" not in o:
        return None
    when = epoch_date(approval.finished_at)
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
            "Reseller cost unavailable", [section(f":lock: Reseller cost unavailable: {escape(cost.note or '')}")]
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
        [section(":lock: *Only you can see this.*"), fields(pairs), context("From the reseller cost price list.")],
    )


def render_duplicate(first: Approval, link: str | None) -> Message:
    """A second request of a kind for an order: point at the first, which is still open."""
    request = f"<{link}|request `{first.id}`>" if link else f"request `{first.id}`"
    text = (
        f":warning: There is already an open {escape(first.kind)} request for *{escape(first.domain)}*: {request}, "
        f"asked by <@{first.requester}> {epoch_date(first.created_at)}. Approve, deny or cancel that one first."
    )
    return Message(f"There is already an open {escape(first.kind)} request for {escape(first.domain)}", [section(text)])


def plain_outcome(approval: Approval) -> Message:
    """The outcome in one plain line, for when the card itself cannot be drawn."""
    error = escape(str((approval.outcome or {}).get("error") or ""))
    text = f"{escape(approval.kind)} {escape(approval.domain)} (order {approval.order_id}): {approval.status.label}"
    return Message(text + (f". {error}" if error else ""), [section(text + (f"\n{error}" if error else ""))])


def render_reads(order: Order, rows: list[dict]) -> Message:
    """The access log for one customer's orders: who looked, at what, when."""
    who = f"customer {order.customer_id}" if order.customer_id else f"order {order.order_id}"
    title = f"Who looked at {who}'s orders: {len(rows)} most recent"
    if not rows:
        return Message(title, [header(title), section("Nobody, within the access log's retention.")])
    lines = [
        f"{epoch_date(r['at'])} <@{r['user_id']}> · `{escape(r['command'])}` {escape(r.get('target') or '')}"
        f" · order `{r.get('order_id') or '?'}` · {escape(r['outcome'])}"
        for r in rows
    ]
    return Message(title, [header(title), section(clip("\n".join(lines), MAX_SECTION))])


def render_audit(entries: list[AuditEntry]) -> Message:
    if not entries:
        return Message("No audit entries.", [section("No audit entries match.")])
    lines = []
    for e in entries:
        detail = escape(e.detail.get("result") or e.detail.get("kind") or "")
        extra = escape(e.detail.get("error") or e.detail.get("eaqid") or e.detail.get("confirmation") or "")
        if e.detail.get("reason") and e.action in ("request", "execute"):
            extra = f"{extra} · reason: {escape(e.detail['reason'])}".lstrip(" ·")
        lines.append(
            f"{epoch_date(e.at)} *{e.action}* by "
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
    blocks: list[Block] = [header(f"Audit log: {len(entries)} most recent"), *[section(ch) for ch in chunks]]
    return Message(f"{len(entries)} audit entries", blocks)
