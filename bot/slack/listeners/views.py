"""Form submissions (view_submission): each ends in the same use case as its command or button."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.render.forms import DENY_FORM, REASON_BLOCK, REASON_INPUT
from bot.slack.approval_flow import publish_outcome
from bot.slack.runtime import Runtime


def value(view: dict[str, Any], block: str, action: str) -> str | None:
    """A text input's value from view.state, stripped; None when empty."""
    entry = (view.get("state", {}).get("values", {}).get(block) or {}).get(action) or {}
    text = entry.get("value")
    return text.strip() or None if isinstance(text, str) else None


def deny_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
    ack()  # close the form; the request card shows the decision
    rt: Runtime = context["rt"]
    user_id, approval_id = body["user"]["id"], view["private_metadata"]
    reason = value(view, REASON_BLOCK, REASON_INPUT)

    def work() -> None:
        result = rt.deps.approvals.decide(approval_id, user_id, "deny", reason=reason)
        if result.changed and result.approval is not None:
            publish_outcome(rt, result.approval)
        elif result.notice and result.approval is not None and result.approval.channel:
            # decided by someone else while the form was open: tell this approver where they looked
            rt.client.chat_postEphemeral(channel=result.approval.channel, user=user_id, text=result.notice)

    rt.run("deny", user_id, None, work)


def register(app: App) -> None:
    app.view(DENY_FORM)(deny_submitted)
