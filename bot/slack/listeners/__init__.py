"""Bolt listeners by kind, as bolt-python's starter template lays them out: each module holds
small top-level handlers and a `register(app)`; handlers reach the bot through `context["rt"]`."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.listeners import actions, commands, events, functions, shortcuts, views


def register(app: App) -> None:
    for module in (commands, actions, views, shortcuts, events, functions):
        module.register(app)
