"""Approval requests in Slack terms: posting a request, and showing its outcome to everyone.

Every surface that asks for a change (the slash command, a button, a form) ends in
`request_approval`, and every way a request closes (a click, the sweep) ends in `publish_outcome`.
"""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot.access import Who
from bot.approvals.notices import Notifier
from bot.changes import kind_of
from bot.commands.handlers import Asker, Reply
from bot.logicboxes import LogicBoxesError
from bot.render import (
    Message,
    escape,
    plain_outcome,
    render_approval_outcome,
    render_approval_request,
    render_cost_estimate,
    render_duplicate,
    render_error,
)
from bot.slack.home import refresh_homes
from bot.slack.runtime import Runtime
from bot.values.approvals import Approval, DuplicateRequest
from bot.values.intents import Change
from bot.values.results import UserError

log = logging.getLogger(__name__)

NOT_IN_CHANNEL = ("not_in_channel", "channel_not_found", "is_archived")


def request_approval(rt: Runtime, change: Change, user_id: str, channel: str) -> list[Reply]:
    """Check the change, store it, post the request for the approvers; what to tell the asker."""
    approvals = rt.deps.approvals
    try:
        approval = approvals.prepare(change, user_id, channel)
    except DuplicateRequest as exc:
        first = exc.first
        return [Reply(render_duplicate(first, permalink(rt, first.channel, first.message_ts)))]
    except (UserError, LogicBoxesError) as exc:
        return [Reply(render_error(str(exc), getattr(exc, "usage", None)), failed=True)]
    target_channel = rt.settings.approval_channel or channel
    message = render_approval_request(approval, approvals.approver_mentions(), approvals.now())
    try:
        posted = rt.client.chat_postMessage(channel=target_channel, **message.as_kwargs())
    except SlackApiError as exc:
        error = exc.response.get("error", "unknown_error")
        approvals.abandon(approval.id, f"could not post the request ({error})")
        said = (
            f"I am not a member of <#{target_channel}>: invite me with `/invite @mailops` there and ask again."
            if error in NOT_IN_CHANNEL
            else f"Slack refused the approval request ({error})."
        )
        return [Reply(Message(said), failed=True)]
    approvals.attach_message(approval.id, posted["channel"], posted["ts"])
    refresh_homes(rt)
    where = "" if target_channel == channel else f" in <#{target_channel}>"
    replies = [
        Reply(
            Message(
                f"Approval requested{where}: an approver must approve before anything changes "
                f"(request `{approval.id}`)."
            )
        )
    ]
    if approval.estimate is not None and rt.asker(Who(user_id)).can_see_cost:  # asks Slack afresh
        cost = approvals.cost_estimate(approval)
        if cost is not None:
            replies.append(Reply(render_cost_estimate(approval, cost)))
    return replies


class SlackChangeRequests:
    """The change-request port of the use cases (bot.commands.handlers.ChangeRequests): posted in Slack."""

    def __init__(self, rt: Runtime):
        self.rt = rt

    def ask(self, change: Change, asker: Asker) -> list[Reply]:
        return request_approval(self.rt, change, asker.user_id, asker.channel or asker.user_id)


def permalink(rt: Runtime, channel: str | None, ts: str | None) -> str | None:
    if not channel or not ts:
        return None
    try:
        return rt.client.chat_getPermalink(channel=channel, message_ts=ts).get("permalink")
    except (SlackApiError, OSError):
        return None


def remind(rt: Runtime, approval: Approval) -> None:
    """One thread reply on a request nobody has touched, before it expires."""
    if not approval.channel or not approval.message_ts:
        return
    approvals = rt.deps.approvals
    text = (
        f"{approvals.approver_mentions()} reminder: <@{approval.requester}> still waits for an approval to "
        f"{kind_of(approval).verb.lower()} {escape(approval.domain)}; it expires "
        f"<!date^{int(approval.expires_at)}^{{time}}|soon>."
    )
    rt.outcomes.post(approval.channel, approval.message_ts, text)


def say_in_thread(rt: Runtime, approval: Approval, text: str) -> None:
    """A note on a request for its requester, in its thread (an action still pending at LogicBoxes)."""
    if approval.channel and approval.message_ts:
        rt.outcomes.post(approval.channel, approval.message_ts, f"<@{approval.requester}> {escape(text)}")


def show_running(rt: Runtime, approval: Approval) -> None:
    """While an approved change runs, its card says so, with no buttons left to click."""
    if approval.channel and approval.message_ts:
        message = render_approval_outcome(approval, rt.deps.approvals.now())
        rt.client.chat_update(channel=approval.channel, ts=approval.message_ts, **message.as_kwargs())


def publish_outcome(rt: Runtime, approval: Approval) -> None:
    """Update the request for everyone (no buttons left) and tell the requester in the thread.
    The outcome is already recorded: a failure here changes nothing in it, and is retried."""
    if not approval.channel or not approval.message_ts:
        return
    try:
        outcome = render_approval_outcome(approval, rt.deps.approvals.now())
    except Exception:  # never leave live buttons because a card could not be drawn
        log.exception("could not render the outcome of %s; posting it plainly", approval.id)
        outcome = plain_outcome(approval)
    posted = rt.outcomes.update(approval.channel, approval.message_ts, outcome)
    thread = approval.message_ts if posted == approval.message_ts else posted
    text = f"<@{approval.requester}> {outcome.text}"
    if posted != approval.message_ts:
        text += " (the request message was gone, so this is a new one)"
    rt.outcomes.post(approval.channel, thread, text)
    refresh_homes(rt)


class SlackNotifier(Notifier):
    """The approval workflow's news, said in Slack: the request message updated, the approvers
    nudged, a pending action named in the request's thread."""

    def __init__(self, rt: Runtime):
        self.rt = rt

    def running(self, approval: Approval) -> None:
        show_running(self.rt, approval)

    def closed(self, approval: Approval) -> None:
        publish_outcome(self.rt, approval)

    def remind(self, approval: Approval) -> None:
        remind(self.rt, approval)

    def stuck(self, approval: Approval, text: str) -> None:
        say_in_thread(self.rt, approval, text)
