"""Modals (views.open): Block Kit forms built with slack_sdk's view models. Each form's
callback_id names the view_submission listener that receives it."""

from __future__ import annotations

from slack_sdk.models.blocks import InputBlock, PlainTextInputElement, PlainTextObject, SectionBlock
from slack_sdk.models.views import View

from bot.approvals import Approval
from bot.render.messages import MarkdownTextObject, clip, escape

DENY_FORM = "deny_reason"
REASON_BLOCK, REASON_INPUT = "reason", "reason_input"


def deny_form(approval: Approval) -> View:
    """Deny, with an optional reason that the requester is shown and the audit keeps."""
    return View(
        type="modal",
        callback_id=DENY_FORM,
        private_metadata=approval.id,
        title=PlainTextObject(text="Deny this request"),
        submit=PlainTextObject(text="Deny"),
        close=PlainTextObject(text="Back"),
        blocks=[
            SectionBlock(
                text=MarkdownTextObject(
                    text=clip(
                        f"<@{approval.requester}> asked to {approval.change.verb.lower()} *{escape(approval.domain)}* "
                        f"(request `{approval.id}`).",
                        3000,
                    )
                )
            ),
            InputBlock(
                block_id=REASON_BLOCK,
                label=PlainTextObject(text="Reason (optional)"),
                element=PlainTextInputElement(action_id=REASON_INPUT, multiline=True, max_length=500),
                optional=True,
                hint=PlainTextObject(text="The requester sees it; the audit log keeps it."),
            ),
        ],
    )
