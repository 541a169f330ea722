"""Saying things back to Slack through a response_url: replies, private notes and cards. If Slack
cannot be reached there is no one left to tell, so a failed delivery is logged, never raised."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Respond
from slack_sdk.errors import SlackApiError

from bot.commands.handlers import Reply
from bot.render import Message

log = logging.getLogger(__name__)


def send(respond: Respond, **message: Any) -> None:
    """Post to the response_url; if Slack cannot be reached there is no one left to tell, so log it."""
    try:
        respond(**message)
    except (OSError, SlackApiError, ValueError) as exc:  # ValueError: the payload carried no response_url
        log.warning("could not deliver a reply to Slack: %s", type(exc).__name__)


def tell(respond: Respond, text: str) -> None:
    """A private note to the person who asked or clicked, leaving their message as it is."""
    send(respond, text=text, response_type="ephemeral", replace_original=False)


def show_privately(respond: Respond, message: Message) -> None:
    """A card only the person who asked or clicked sees, leaving their message as it is."""
    send(respond, **message.as_kwargs(), response_type="ephemeral", replace_original=False)


def deliver(respond: Respond, replies: list[Reply], replace: bool = False) -> None:
    for reply in replies:
        send(
            respond,
            **reply.message.as_kwargs(),
            response_type="in_channel" if reply.in_channel else "ephemeral",
            replace_original=replace,
        )
