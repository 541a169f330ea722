"""Events API: the Home tab is drawn when its owner opens it."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext

from bot.access import UseCase
from bot.slack.home import publish_home, refused_tab
from bot.slack.runtime import Runtime
from bot.slack.surfaces import on


def app_home_opened(event: dict[str, Any], context: BoltContext) -> None:
    if event.get("tab") != "home":
        return
    rt: Runtime = context["rt"]
    who = context["who"]  # the gate let them in: their own tab, drawn with what they may do
    rt.homes.opened(who.user_id)
    rt.run(
        "home",
        who,
        None,
        lambda: publish_home(rt, who.user_id),
        use_case=UseCase.HOME,
        refuse=refused_tab(rt, who.user_id),
    )


def register(app: App) -> None:
    on(app, "event", "app_home_opened", app_home_opened)
