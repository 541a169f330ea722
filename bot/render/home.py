"""The App Home tab: what waits for this person, orders about to expire, and two ways in."""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    DividerBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.changes import kind_of
from bot.logicboxes import OrderSummary
from bot.render.blocks import (
    clip,
    context,
    epoch_date,
    escape,
    header,
    relative_expiry,
    request_button,
    section,
    slack_date,
)
from bot.render.watch import ICONS
from bot.values.approvals import Approval
from bot.values.states import Status
from bot.watch.alerts import Alert

MAX_HOME_BLOCKS = 100
MAX_ROWS = 15  # per list: the Home tab holds 100 blocks


def _request_row(approval: Approval, buttons: list[ButtonElement]) -> list[Block]:
    text = (
        f"{kind_of(approval).describe(escape(approval.domain), approval.details)}.\n"
        f"Asked by <@{approval.requester}> {epoch_date(approval.created_at)}, request `{approval.id}`"
        + (f" · reason: {escape(approval.reason)}" if approval.reason else "")
    )
    if approval.status is Status.ACCEPTED:  # in progress at LogicBoxes: nothing left to click
        text += f"\n{approval.status.icon} In progress: {approval.status.label}"
    section = SectionBlock(text=MarkdownTextObject(text=clip(text, 3000)))
    return [section, ActionsBlock(elements=buttons)] if buttons else [section]


def _approve(approval: Approval) -> ButtonElement:
    return ButtonElement(
        text="Approve",
        action_id="approve",
        value=approval.id,
        style="danger" if kind_of(approval).danger else "primary",
        confirm=ConfirmObject(
            title="Approve this change?",
            text=clip(f"{kind_of(approval).verb} {escape(approval.domain)} (order {approval.order_id}).", 300),
            confirm="Approve",
            deny="Back",
        ),
    )


def render_home(
    waiting_for_me: list[Approval],
    mine: list[Approval],
    expiring: list[OrderSummary] | None,
    expiring_note: str | None,
    now: datetime,
    may_read: bool = True,
    may_quote: bool = True,
    attention: list[Alert] | None = None,
) -> View:
    """The Home tab: what waits for its viewer, their requests, what the watch found (Needs
    attention) and the orders about to expire; only what the viewer may see."""
    entry = []
    if may_read:
        entry.append(ButtonElement(text="Look up", action_id="home_lookup", value="lookup", style="primary"))
    if may_quote:
        entry.append(ButtonElement(text="New quote", action_id="home_quote", value="quote"))
    blocks: list[Block] = [header("Enterprise Email")]
    if entry:
        blocks.append(ActionsBlock(block_id="home_entry", elements=entry))
    blocks.append(DividerBlock())
    if waiting_for_me:
        blocks.append(section(f"*Waiting for your approval ({len(waiting_for_me)})*"))
        for approval in waiting_for_me[:MAX_ROWS]:
            deny = ButtonElement(text="Deny", action_id="deny", value=approval.id)
            blocks += _request_row(approval, [_approve(approval), deny])
    blocks.append(section(f"*Your open requests ({len(mine)})*" if mine else "*Your open requests*: none"))
    for approval in mine[:MAX_ROWS]:
        cancel = [ButtonElement(text="Cancel", action_id="cancel", value=approval.id)]
        blocks += _request_row(approval, cancel if approval.status is Status.PENDING else [])
    blocks.append(DividerBlock())
    if not may_read:
        return View(type="home", blocks=blocks[:MAX_HOME_BLOCKS])
    if attention:
        blocks.append(section(f"*Needs attention ({len(attention)})*"))
        lines = [f"{ICONS.get(alert.kind, '')} {escape(alert.summary)}" for alert in attention[:MAX_ROWS]]
        blocks.append(section(clip("\n".join(lines), 3000)))
        if len(attention) > MAX_ROWS:
            blocks.append(context(f"and {len(attention) - MAX_ROWS} more: `/email watch`"))
        blocks.append(DividerBlock())
    if expiring is None:
        blocks.append(section(f"*Expiring in the next 30 days*: {escape(expiring_note or 'unavailable')}"))
    else:
        blocks.append(section(f"*Expiring in the next 30 days ({len(expiring)})*"))
        for order in expiring[:MAX_ROWS]:
            blocks.append(
                SectionBlock(
                    text=MarkdownTextObject(
                        text=f"*{escape(order.domain)}* · `{order.order_id}` · {escape(order.status)}\n"
                        f"expires {slack_date(order.expires)} ({relative_expiry(order.expires, now)})"
                    ),
                    accessory=request_button("Renew", f"renew {order.order_id}"),
                )
            )
        if len(expiring) > MAX_ROWS:
            blocks.append(context(f"and {len(expiring) - MAX_ROWS} more: `/email search expiring:30d`"))
        if expiring_note:
            blocks.append(context(f":warning: {escape(expiring_note)}"))
    return View(type="home", blocks=blocks[:MAX_HOME_BLOCKS])


def refused_home(refusal: str) -> View:
    """The Home tab of someone the gate refused: why, and nothing else."""
    return View(type="home", blocks=[header("Enterprise Email"), section(f":no_entry: {escape(refusal)}")])
