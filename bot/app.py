"""Bolt listeners: the thin Slack layer.

Each listener acks at once (Slack allows 3 s), hands the slow part to the bounded worker
pool, and delivers what `dispatch` / `approvals` return. No business logic lives here.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)

from bot import commands as c
from bot import trace
from bot.approvals import Approval, Approvals, DuplicateRequest
from bot.config import Settings
from bot.directory import Directory
from bot.dispatch import Asker, Reply, answer, is_read_only, progress_text
from bot.logicboxes import LogicBoxesError
from bot.logs import event
from bot.render import (
    Message,
    plain_outcome,
    render_approval_outcome,
    render_approval_request,
    render_audit,
    render_cost_estimate,
    render_duplicate,
    render_error,
    render_help,
    shared_by,
)
from bot.service import MailService, UserError
from bot.slack_outcomes import OutcomePublisher
from bot.workers import Workers

log = logging.getLogger("bot.commands")

BUSY = "The bot is answering too many commands right now; try again in a minute."
OOPS = "Something went wrong on our side (reference `{cid}`); the team can find it in the logs."


@dataclass
class Deps:
    settings: Settings
    service: MailService
    approvals: Approvals
    workers: Workers
    directory: Directory


def web_client(settings: Settings) -> WebClient:
    """WebClient on SLACK_API_URL, retrying 429s (honouring Retry-After) and dropped connections."""
    return WebClient(
        token=settings.secret("slack_bot_token") or None,
        base_url=settings.slack_api_url,
        retry_handlers=[ConnectionErrorRetryHandler(), RateLimitErrorRetryHandler(max_retry_count=2)],
    )


def create_app(deps: Deps, client: WebClient, token_verification: bool = True) -> App:
    app = App(
        signing_secret=deps.settings.secret("slack_signing_secret"),
        client=client,
        token_verification_enabled=token_verification,
        # Listeners only parse, ack and hand slow work to deps.workers, so they can run on the
        # request's own thread: no hop through Bolt's executor (5 threads by default) before the ack.
        process_before_response=True,
    )
    register_listeners(app, deps)
    return app


def send(respond: Respond, **message: Any) -> None:
    """Post to the response_url; if Slack cannot be reached there is no one left to tell, so log it."""
    try:
        respond(**message)
    except (OSError, SlackApiError) as exc:
        log.warning("could not deliver a reply to Slack: %s", type(exc).__name__)


def register_listeners(app: App, deps: Deps) -> None:
    def run_later(respond: Respond, job: Callable[[], None]) -> None:
        if not deps.workers.submit(job):
            send(respond, text=BUSY, response_type="ephemeral", replace_original=False)

    def deliver(respond: Respond, replies: list[Reply], replace: bool = False) -> None:
        for reply in replies:
            send(
                respond,
                **reply.message.as_kwargs(),
                response_type="in_channel" if reply.in_channel else "ephemeral",
                replace_original=replace,
            )

    def asker(user_id: str) -> Asker:
        return Asker(user_id, deps.directory.contains(deps.settings.effective_cost_viewers, user_id))

    def logged(name: str, user_id: str, work: Callable[[], None]) -> Callable[[], None]:
        """Run `work` under a fresh trace and log one line for the command (latency from its arrival)."""
        started = time.monotonic()

        def job() -> None:
            with trace.command_trace(deps.settings.command_deadline) as t:
                outcome = "ok"
                try:
                    work()
                except Exception:
                    outcome = "crash"
                    log.exception("command %s failed", name)
                    raise
                finally:
                    event(
                        log,
                        "command",
                        command=name,
                        user=user_id,
                        ms=round((time.monotonic() - started) * 1000),
                        upstream_calls=t.upstream_calls,
                        cache_hits=t.cache_hits,
                        upstream_status=t.upstream_status,
                        outcome=outcome,
                    )

        return job

    def guarded(respond: Respond, work: Callable[[], None]) -> Callable[[], None]:
        """Never leave the user in silence: any crash becomes a short apology with a reference."""

        def job() -> None:
            try:
                work()
            except Exception:
                send(
                    respond,
                    text=OOPS.format(cid=trace.current().cid),
                    response_type="ephemeral",
                    replace_original=False,
                )
                raise

        return job

    @app.command("/email")
    def email(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        text, user_id = command.get("text") or "", command["user_id"]
        try:
            intent = c.parse(text)
        except c.ParseError as exc:
            ack(**render_error(str(exc), exc.usage).as_kwargs())
            return
        if isinstance(intent, c.Help):
            ack(**render_help(intent.unknown).as_kwargs())
            return
        ack(text=progress_text(intent))
        name = text.split()[0].lower()
        if is_read_only(intent):
            work: Callable[[], None] = lambda: deliver(respond, answer(deps.service, intent, asker(user_id)))
        elif isinstance(intent, c.Audit):
            work = lambda: deliver(respond, [Reply(audit(intent, user_id))])
        else:
            work = lambda: request_approval(intent, user_id, command["channel_id"], respond)
        run_later(respond, logged(name, user_id, guarded(respond, work)))

    def audit(intent: c.Audit, user_id: str) -> Message:
        try:
            return render_audit(deps.approvals.audit(intent, user_id))
        except UserError as exc:
            return render_error(str(exc), exc.usage)

    # ---- sharing and paging

    @app.action("share")
    def share(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        user_id, text = body["user"]["id"], body["actions"][0]["value"]

        def work() -> None:
            intent = c.parse(text)  # rebuilt from the button: Slack does not send ephemeral messages back
            for reply in answer(deps.service, intent, Asker(user_id)):
                send(
                    respond,
                    **shared_by(reply.message, user_id).as_kwargs(),
                    response_type="in_channel",
                    replace_original=False,
                )

        run_later(respond, logged("share", user_id, guarded(respond, work)))

    @app.action("next_page")
    def next_page(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        user_id, text = body["user"]["id"], body["actions"][0]["value"]
        work = lambda: deliver(respond, answer(deps.service, c.parse(text), Asker(user_id)), replace=True)
        run_later(respond, logged("next_page", user_id, guarded(respond, work)))

    # ---- approvals

    def request_approval(change: c.Change, user_id: str, channel: str, respond: Respond) -> None:
        try:
            approval = deps.approvals.prepare(change, user_id, channel)
        except DuplicateRequest as exc:
            first = exc.first
            deliver(respond, [Reply(render_duplicate(first, permalink(first.channel, first.message_ts)))])
            return
        except (UserError, LogicBoxesError) as exc:
            deliver(respond, [Reply(render_error(str(exc), getattr(exc, "usage", None)))])
            return
        target_channel = deps.settings.approval_channel or channel
        message = render_approval_request(approval, deps.approvals.approver_mentions(), deps.approvals.now())
        try:
            posted = app.client.chat_postMessage(channel=target_channel, **message.as_kwargs())
        except SlackApiError as exc:
            error = exc.response.get("error", "unknown_error")
            deps.approvals.abandon(approval.id, f"could not post the request ({error})")
            hint = (
                f"I am not a member of <#{target_channel}>: invite me with `/invite @mailops` there and ask again."
                if error in ("not_in_channel", "channel_not_found", "is_archived")
                else f"Slack refused the approval request ({error})."
            )
            send(respond, text=hint, response_type="ephemeral", replace_original=False)
            return
        deps.approvals.attach_message(approval.id, posted["channel"], posted["ts"])
        where = "" if target_channel == channel else f" in <#{target_channel}>"
        send(
            respond,
            text=f"Approval requested{where}: an approver must approve before anything changes "
            f"(request `{approval.id}`).",
            response_type="ephemeral",
            replace_original=False,
        )
        if approval.estimate is not None and asker(user_id).can_see_cost:
            cost = deps.approvals.cost_estimate(approval)
            if cost is not None:
                send(
                    respond,
                    **render_cost_estimate(approval, cost).as_kwargs(),
                    response_type="ephemeral",
                    replace_original=False,
                )

    @app.action("request_change")
    def request_change(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        """A Renew button in the digest, or Request these accounts / Request renewal under a quote:
        the same request the typed command makes, asked by whoever clicked."""
        ack()
        user_id, text = body["user"]["id"], body["actions"][0]["value"]
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")

        def work() -> None:
            try:
                change = c.parse(text)
            except c.ParseError as exc:
                send(
                    respond,
                    **render_error(str(exc), exc.usage).as_kwargs(),
                    response_type="ephemeral",
                    replace_original=False,
                )
                return
            if not isinstance(change, c.Change) or not channel:
                return
            request_approval(change, user_id, channel, respond)

        run_later(respond, logged("request_change", user_id, guarded(respond, work)))

    def decide(decision: str) -> Callable[..., None]:
        def listener(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
            ack()
            user_id, approval_id = body["user"]["id"], body["actions"][0]["value"]

            def work() -> None:
                result = deps.approvals.decide(approval_id, user_id, decision)
                if result.notice:
                    send(respond, text=result.notice, response_type="ephemeral", replace_original=False)
                if result.changed:
                    publish_outcome(result.approval)

            run_later(respond, logged(decision, user_id, guarded(respond, work)))

        return listener

    def permalink(channel: str | None, ts: str | None) -> str | None:
        if not channel or not ts:
            return None
        try:
            return app.client.chat_getPermalink(channel=channel, message_ts=ts).get("permalink")
        except (SlackApiError, OSError):
            return None

    def publish_outcome(approval: Approval) -> None:
        """Update the request for everyone (no buttons left) and tell the requester in the thread.
        The outcome is already recorded: a failure here changes nothing in it, and is retried."""
        if not approval.channel or not approval.message_ts:
            return
        try:
            outcome = render_approval_outcome(approval, deps.approvals.now())
        except Exception:  # never leave live buttons because a card could not be drawn
            log.exception("could not render the outcome of %s; posting it plainly", approval.id)
            outcome = plain_outcome(approval)
        posted = outcomes.update(approval.channel, approval.message_ts, outcome)
        thread = approval.message_ts if posted == approval.message_ts else posted
        text = f"<@{approval.requester}> {outcome.text}"
        if posted != approval.message_ts:
            text += " (the request message was gone, so this is a new one)"
        outcomes.post(approval.channel, thread, text)

    outcomes = OutcomePublisher(app.client, deps.settings.slack_retry_base)

    for decision in ("approve", "deny", "cancel"):
        app.action(decision)(decide(decision))

    deps.approvals.on_closed = publish_outcome
