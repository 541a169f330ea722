"""What the watch says in ALERTS_CHANNEL: one message per problem (or one summary of many), the
same message once resolved, and `/email watch`'s status. Only what Share would show: never cost
or balance."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement

from bot.logicboxes import DnsRecord
from bot.render.blocks import (
    CHECK_DNS,
    LOOK_UP,
    MAX_SECTION,
    Message,
    clip,
    context,
    escape,
    header,
    request_button,
    section,
)
from bot.render.orders import zone_line
from bot.watch.alerts import OPEN, RESOLVED, Alert

MUTE = "watch_mute"  # the button that mutes a domain pointed elsewhere on purpose
ICONS = {
    "mail": ":mailbox_closed:",
    "expiry": ":hourglass:",
    "failed": ":x:",
    "stuck": ":turtle:",
    "outage": ":warning:",
}
TITLES = {
    "mail": "Mail not reaching Enterprise Email",
    "expiry": "Expiring with auto-renew off",
    "failed": "A LogicBoxes action failed",
    "stuck": "A LogicBoxes action is pending too long",
    "outage": "The watch could not check DNS",
}


def _when(epoch: float | None) -> str:
    if not epoch:
        return "unknown"
    when = datetime.fromtimestamp(epoch, UTC)
    return f"<!date^{int(epoch)}^{{date_short_pretty}} {{time}}|{when:%Y-%m-%d %H:%M} UTC>"


def _fix(alert: Alert) -> str | None:
    """The zone lines that bring mail back: the MX lines to add and those to remove."""
    domain = alert.domain or ""
    add = [zone_line(DnsRecord(**record), domain) for record in alert.detail.get("add", [])]
    remove = [zone_line(DnsRecord(**record), domain) for record in alert.detail.get("remove", [])]
    parts = []
    if add:
        parts.append("*Add*\n```" + "\n".join(add) + "```")
    if remove:
        parts.append("*Remove*\n```" + "\n".join(remove) + "```")
    return clip("\n".join(parts), MAX_SECTION) if parts else None


def _line(alert: Alert) -> str:
    state = ":white_check_mark: ~" if alert.state == RESOLVED else ""
    end = "~" if state else ""
    return f"{ICONS.get(alert.kind, '')} {state}{escape(alert.summary)}{end}"


def _buttons(alert: Alert) -> list[ButtonElement]:
    buttons = []
    if alert.kind == "mail" and alert.order_id:
        buttons.append(ButtonElement(text="Check DNS", action_id=CHECK_DNS, value=f"check {alert.order_id}"))
    if alert.order_id:
        buttons.append(ButtonElement(text="Look up", action_id=LOOK_UP, value=f"order {alert.order_id}"))
    if alert.kind == "expiry" and alert.order_id:
        buttons.append(request_button("Renew", f"renew {alert.order_id}"))
    if alert.kind == "mail" and alert.domain:
        buttons.append(ButtonElement(text="Mute", action_id=MUTE, value=alert.domain))
    return buttons


def render_alert(alert: Alert) -> Message:
    """One problem: what is wrong, since when, the fix, and what can be done from here."""
    title = "Expired without renewal" if alert.detail.get("lapsed") else TITLES.get(alert.kind, "Needs attention")
    blocks: list[Block] = [header(clip(title, 150))]
    if alert.state == RESOLVED:
        blocks.append(section(f":white_check_mark: *Resolved* {_when(alert.resolved_at)}: ~{escape(alert.summary)}~"))
    else:
        blocks.append(section(f"{ICONS.get(alert.kind, '')} {escape(alert.summary)}"))
    facts = [f"since {_when(alert.first_seen)}"]
    if alert.order_id:
        facts.append(f"order `{alert.order_id}`")
    if alert.detail.get("said"):
        facts.append(f"LogicBoxes: {escape(alert.detail['said'])}")
    if alert.detail.get("request"):
        facts.append(f"<{alert.detail['request']}|the request>")
    blocks.append(context(" · ".join(facts)))
    fix = _fix(alert) if alert.state == OPEN else None
    if fix:
        blocks.append(section(fix))
    buttons = _buttons(alert) if alert.state == OPEN else []
    if buttons:
        blocks.append(ActionsBlock(block_id="watch", elements=buttons))
    prefix = "Resolved: " if alert.state == RESOLVED else ""
    return Message(escape(f"{prefix}{TITLES.get(alert.kind, '')}: {alert.summary}"), blocks)


def render_summary(alerts: list[Alert], title: str) -> Message:
    """Many problems in one message: a line each (the first round's, or what is over the cap)."""
    lines = [_line(alert) for alert in alerts]
    blocks: list[Block] = [header(clip(title, 150))]
    text = ""
    for line in lines:  # sections of at most 3,000 characters, and at most 45 of them
        if len(text) + len(line) + 1 > MAX_SECTION:
            blocks.append(section(text))
            text = ""
        text += ("\n" if text else "") + line
    if text:
        blocks.append(section(text))
    if len(blocks) > 46:
        blocks = [*blocks[:45], context("and more: `/email watch` lists every open problem")]
    named = "; ".join(alert.summary for alert in alerts[:5]) + (
        f"; and {len(alerts) - 5} more" if len(alerts) > 5 else ""
    )
    return Message(escape(clip(f"{title}: {named}", 2900)), blocks)


def render_resolved_reply(alert: Alert, why: str = "") -> str:
    """The thread's word that a problem went, and why where the watch knows ("auto-renew was turned on")."""
    why = why or escape(str(alert.detail.get("resolved_because") or ""))
    return f":white_check_mark: Resolved {_when(alert.resolved_at)}{why}: {escape(alert.summary)}"


def render_updated_reply(alert: Alert) -> str:
    """The thread's word that the problem is now another: what it is now, in LogicBoxes' words where given."""
    said = f" LogicBoxes: {escape(alert.detail['said'])}" if alert.detail.get("said") else ""
    return f"{ICONS.get(alert.kind, ':warning:')} Now: {escape(alert.summary)}.{said}"


def render_note(text: str) -> Message:
    """A short private answer that is not an error (a round started, a domain unmuted)."""
    return Message(escape(text), [section(escape(text))])


def render_watch_status(place: dict[str, Any], open_alerts: list[Alert], enabled: bool) -> Message:
    """`/email watch`: the last round and the open problems."""
    if not enabled:
        text = "The watch is off: set ALERTS_CHANNEL (and leave WATCH on) to have the order book watched."
        return Message(text, [section(text)])
    if place.get("finished"):
        last = (
            f"Last round {_when(place.get('finished'))}: {place.get('orders', 0)} orders, "
            f"{place.get('checked', 0)} DNS checked, {place.get('unchecked', 0)} could not be checked"
        )
    else:
        last = "No round has finished yet."
    if place.get("running"):
        last += " · a round is running now"
    blocks: list[Block] = [header("The watch"), section(last)]
    if open_alerts:
        blocks.append(section(f"*Open ({len(open_alerts)})*\n" + "\n".join(_line(a) for a in open_alerts[:40])))
    else:
        blocks.append(section("Nothing needs attention."))
    return Message(f"{last}. {len(open_alerts)} open problem(s).", blocks)


def render_round(report: Any, opened: list[Alert]) -> Message:
    """A round run where it was asked (the console): what it covered and what it found."""
    line = (
        f"Round {report.number}: {report.orders} orders, {report.checked} DNS checked, "
        f"{report.unchecked} could not be checked; {len(opened)} new problem(s), {len(report.resolved)} resolved."
    )
    return Message(escape(line), [section(escape(line))])


def render_alert_list(alerts: list[Alert]) -> Message:
    """Each new problem as its alert would read in ALERTS_CHANNEL, one after the other (at most 45 blocks)."""
    blocks: list[Block] = [block for alert in alerts for block in render_alert(alert).blocks]
    if len(blocks) > 45:
        blocks = [*blocks[:44], context("and more: `/email watch` lists every open problem")]
    return Message(escape("; ".join(alert.summary for alert in alerts[:5])), blocks)
