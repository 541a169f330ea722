"""What goes wrong, and help: the error card with its usage line, the help card, "and N more"."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from slack_sdk.models.blocks import (
    Block,
)

from bot.render.blocks import MAX_SECTION, Message, clip, context, escape, header, section


class HelpEntry(Protocol):
    """A subcommand as the help card shows it (bot.commands.table.Subcommand is one)."""

    name: str
    usage: str
    example: str
    summary: str
    mutates: bool


def render_help(shown: Sequence[HelpEntry], unknown: str | None = None) -> Message:
    """The subcommands the asker may run, each with its usage and an example."""
    blocks: list[Block] = [header("Enterprise Email commands")]
    if unknown:
        blocks.insert(0, section(f":warning: Unknown subcommand `{escape(clip(unknown, 50))}`."))
    for sub in shown:
        blocks.append(section(_help_line(sub)))
    text = "Commands: " + ", ".join(sub.name for sub in shown)
    return Message(f"Unknown subcommand `{unknown}`. {text}" if unknown else text, blocks)


def _help_line(sub: HelpEntry) -> str:
    lock = " :lock:" if sub.mutates else ""
    return f"`/email {escape(sub.usage)}`{lock}\n{sub.summary}. Example: `/email {escape(sub.example)}`"


def render_more(names: list[str]) -> Message:
    """The rest of a list cut short: "and 3 more: a.com, b.com, 84372632"."""
    text = f"and {len(names)} more: {', '.join(names)}"
    return Message(escape(text), [context(escape(clip(text, MAX_SECTION)))])


def render_error(message: str, usage: str | None = None) -> Message:
    blocks: list[Block] = [section(f":warning: {escape(message)}")]
    if usage:
        blocks.append(context(f"Usage: `{escape(usage)}`"))
    return Message(escape(message + (f" Usage: {usage}" if usage else "")), blocks)
