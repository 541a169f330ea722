"""Events API: the Home tab is drawn when its owner opens it."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext

from bot.slack.home import publish_home
from bot.slack.runtime import Runtime


def app_home_opened(event: dict[str, Any], context: BoltContext) -> None:
    if event.get("tab") != "home":
        return
    rt: Runtime = context["rt"]
    user_id = event["user"]
    rt.homes.opened(user_id)
    rt.run("home", user_id, None, lambda: publish_home(rt, user_id))


def register(app: App) -> None:
    app.event("app_home_opened")(app_home_opened)
