"""Who a payload says is asking (a Claim): only the user id is taken from it, and Slack's directory
(bot.slack.directory) then says who that is. Every kind of payload: a command, an interaction, an
event, a workflow step."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

STEP_NEEDS_A_PERSON = (
    "mailops answers a workflow step only for the person who ran it, and this run names nobody (a scheduled "
    'or webhook workflow has no person). Workflow owner: edit the step and map its "Who is asking" input to '
    'the person who used the workflow (the trigger\'s interactivity), or its "Asking for" input to a person.'
)


@dataclass(frozen=True)
class Claim:
    """Who a payload says is asking, and where: only the user id is used, to ask Slack who they are."""

    user_id: str | None
    channel_id: str | None = None
    workflow: bool = False  # a workflow step: the person comes from its inputs


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def claim_of(body: dict[str, Any]) -> Claim:
    """The asker of any payload: a command, an interaction, an event, a workflow step. Malformed
    payloads give a claim without a user, which the gate refuses."""
    if not isinstance(body, dict):
        return Claim(None)
    if body.get("command"):
        return Claim(_text(body.get("user_id")), _text(body.get("channel_id")))
    user, channel = body.get("user"), body.get("channel")
    if isinstance(user, dict):
        return Claim(_text(user.get("id")), _text(channel.get("id")) if isinstance(channel, dict) else None)
    event = body.get("event") if isinstance(body.get("event"), dict) else {}
    if event.get("type") == "function_executed":
        inputs = event.get("inputs") if isinstance(event.get("inputs"), dict) else {}
        interactivity = inputs.get("interactivity") if isinstance(inputs.get("interactivity"), dict) else {}
        interactor = interactivity.get("interactor") if isinstance(interactivity.get("interactor"), dict) else {}
        return Claim(_text(interactor.get("id")) or _text(inputs.get("user")), workflow=True)
    return Claim(_text(event.get("user")), _text(event.get("channel")))
