"""Modals (views.open): Block Kit forms built with slack_sdk's view models. Each form's
callback_id names the view_submission listener that receives it."""

from __future__ import annotations

from slack_sdk.models.blocks import InputBlock, MarkdownTextObject, PlainTextInputElement, PlainTextObject, SectionBlock
from slack_sdk.models.views import View

from bot.changes import kind_of
from bot.render.blocks import clip, escape
from bot.values.approvals import Approval

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
                        f"<@{approval.requester}> asked to {kind_of(approval).verb.lower()} "
                        f"*{escape(approval.domain)}* "
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


LOOKUP_FORM = "lookup_form"
QUOTE_FORM = "quote_form"


def _modal(callback_id: str, title: str, blocks: list, submit: str | None = "Submit", metadata: str = "") -> View:
    return View(
        type="modal",
        callback_id=callback_id,
        private_metadata=metadata,
        title=PlainTextObject(text=clip(title, 24)),
        submit=PlainTextObject(text=submit) if submit else None,
        close=PlainTextObject(text="Close"),
        blocks=blocks,
    )


def _text_input(
    block_id: str, label: str, hint: str | None = None, optional: bool = False, initial: str = ""
) -> InputBlock:
    return InputBlock(
        block_id=block_id,
        label=PlainTextObject(text=label),
        element=PlainTextInputElement(action_id="value", initial_value=initial or None),
        optional=optional,
        hint=PlainTextObject(text=hint) if hint else None,
    )


def lookup_form() -> View:
    return _modal(
        LOOKUP_FORM,
        "Look up",
        [
            _text_input(
                "target",
                "Domain, email address, order id or customer",
                "e.g. example.com, jane@example.com, 84372632, or a customer's id, name or company",
            )
        ],
        submit="Look up",
    )


def quote_form(channel_id: str | None) -> View:
    """Accounts, months, add or renew, optionally an order or customer, and where to post it."""
    from slack_sdk.models.blocks import ConversationSelectElement, Option, RadioButtonsElement

    kinds = [Option(value="add", label="New accounts"), Option(value="renew", label="Renewal")]
    return _modal(
        QUOTE_FORM,
        "New quote",
        [
            _text_input("accounts", "Accounts", "How many mailboxes"),
            _text_input("months", "Tenure", "Months like 6 or 6mo, or years like 1y"),
            InputBlock(
                block_id="action",
                label=PlainTextObject(text="Type"),
                element=RadioButtonsElement(action_id="value", options=kinds, initial_option=kinds[0]),
            ),
            _text_input(
                "whom",
                "For an existing order or customer (optional)",
                "A domain, an order id, a customer's login email or customer:<id>: that customer's own price",
                optional=True,
            ),
            _text_input(
                "region", "Region (optional)", "us or in; without an order, the first configured", optional=True
            ),
            InputBlock(
                block_id="channel",
                label=PlainTextObject(text="Post the quote in"),
                element=ConversationSelectElement(
                    action_id="value",
                    initial_conversation=channel_id,
                    default_to_current_conversation=channel_id is None,
                ),
            ),
        ],
        submit="Post quote",
    )


def working_view(callback_id: str, title: str, text: str) -> View:
    return _modal(callback_id, title, [SectionBlock(text=MarkdownTextObject(text=clip(text, 3000)))], submit=None)


def result_view(title: str, blocks: list) -> View:
    """An answer shown in the form it was asked from (no buttons: there is no channel to share in)."""
    kept = [block for block in blocks if getattr(block, "type", None) != "actions"][:100]
    return _modal("lookup_result", title, kept, submit=None)


CHANGE_FORM = "change_form"


def change_form(
    kind, target: str, metadata: str, about: str | None = None, failed: bool = False, fields: tuple | None = None
) -> View:
    """The form of a change that was asked without its values: the kind's fields (`fields`, as
    offered for the order once it is read), a reason (required where the command requires one),
    and what LogicBoxes knows about the order (`about`, filled in by views.update once it has
    answered). A kind whose choices come from the order shows no field until then."""
    from slack_sdk.models.blocks import ContextBlock, Option, StaticSelectElement

    info = about or f"Looking up {escape(target)}..."
    blocks: list = [SectionBlock(text=MarkdownTextObject(text=clip(info, 3000)))]
    if fields is None and kind.form_waits_for_order:
        failed = True  # nothing to submit yet: the choices are not known
    if failed:
        return _modal(CHANGE_FORM, clip(f"{kind.verb} {target}", 24), blocks, submit=None, metadata=metadata)
    for field in kind.form if fields is None else fields:
        if field.kind == "choice":
            options = [Option(value=choice, label=choice) for choice in field.choices]
            initial = next((o for o in options if o.value == field.initial), None)
            element = StaticSelectElement(action_id="value", options=options, initial_option=initial)
        else:
            element = PlainTextInputElement(action_id="value", initial_value=field.initial)
        blocks.append(
            InputBlock(
                block_id=field.name,
                label=PlainTextObject(text=field.label),
                element=element,
                optional=field.optional,
                hint=PlainTextObject(text=field.hint) if field.hint else None,
            )
        )
    blocks.append(
        InputBlock(
            block_id=REASON_BLOCK,
            label=PlainTextObject(text="Reason" if kind.reason_required else "Reason (optional)"),
            element=PlainTextInputElement(action_id=REASON_INPUT, multiline=True, max_length=500),
            optional=not kind.reason_required,
            hint=PlainTextObject(text="On the request, the outcome and the audit log."),
        )
    )
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text="An approver who is not you must approve it.")]))
    return _modal(CHANGE_FORM, clip(f"{kind.verb} {target}", 24), blocks, submit="Ask for approval", metadata=metadata)


def refusal_view(text: str) -> View:
    """What a form shows when the person may not submit it."""
    blocks = [SectionBlock(text=MarkdownTextObject(text=clip(f":no_entry: {text}", 3000)))]
    return _modal("refused", "mailops", blocks, submit=None)
