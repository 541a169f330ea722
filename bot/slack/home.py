"""Publishing the App Home tab, when it is opened and when a request its viewer sees changes."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_sdk.errors import SlackApiError

from bot.access import Role, UseCase
from bot.logicboxes import LogicBoxesError
from bot.render.home import refused_home, render_home
from bot.slack.identity import Claim
from bot.slack.runtime import Runtime

log = logging.getLogger(__name__)

EXPIRING_DAYS = 30


def publish_home(rt: Runtime, user_id: str) -> None:
    """The tab shows only what its owner may do: no order data for someone who may not read it,
    and only why for someone the gate refuses (Slack could not confirm them, a guest...)."""
    who = rt.identify(Claim(user_id))
    refusal = rt.check(who, UseCase.HOME)
    if refusal is not None:
        _publish(rt, user_id, refused_home(refusal))
        return
    approvals = rt.deps.approvals
    waiting_for_me, mine = approvals.waiting(user_id)
    may_read, may_quote = rt.access.has(who, Role.READER), rt.access.has(who, Role.QUOTER)
    expiring, note = None, None
    if may_read:
        try:
            expiring, unavailable = rt.deps.service.expiring(EXPIRING_DAYS)
            note = "; ".join(f"{region} unavailable ({why})" for region, why in unavailable.items()) or None
        except LogicBoxesError as exc:
            note = str(exc)
    watch = rt.uses.watch
    attention = watch.status()[1] if may_read and watch is not None else None  # the open alerts
    view = render_home(
        waiting_for_me,
        mine,
        expiring,
        note,
        rt.deps.service.now(),
        may_read=may_read,
        may_quote=may_quote,
        attention=attention,
    )
    _publish(rt, user_id, view)


def refused_tab(rt: Runtime, user_id: str) -> Callable[[str], None]:
    """How the gate says no on the Home tab: the tab itself says why (never a message)."""
    return lambda refusal: _publish(rt, user_id, refused_home(refusal))


def _publish(rt: Runtime, user_id: str, view) -> None:
    try:
        rt.client.views_publish(user_id=user_id, view=view)
    except SlackApiError as exc:
        log.warning("could not publish the Home tab of %s: %s", user_id, exc.response.get("error"))


def refresh_homes(rt: Runtime) -> None:
    """A request changed: bring the open Home tabs up to date (in the background)."""
    for user_id in rt.homes.recent_viewers():  # each tab passes the gate again as it is drawn
        work = lambda user_id=user_id: publish_home(rt, user_id)
        who = rt.identify(Claim(user_id))  # as Slack says (cached): the gate judges the person, not an id
        rt.run("home", who, None, work, use_case=UseCase.HOME, refuse=refused_tab(rt, user_id))
