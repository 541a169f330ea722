"""The Slack layer: the Bolt app, its listeners (bot/slack/listeners/) and how an approval's
request and outcome look in Slack. Below this package nothing knows Slack."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, BoltRequest, BoltResponse, Respond
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from bot.config import Settings
from bot.render.forms import refusal_view
from bot.render.home import refused_home
from bot.slack import boundary, listeners
from bot.slack.approval_flow import SlackChangeRequests, SlackNotifier
from bot.slack.deps import Deps
from bot.slack.identity import claim_of
from bot.slack.replays import REQUEST_SIGNATURE
from bot.slack.runtime import Runtime
from bot.slack.verification import VERIFIED, Verification, slack_origins

__all__ = ["Deps", "Runtime", "create_app", "web_client"]

log = logging.getLogger(__name__)


def web_client(settings: Settings) -> WebClient:
    """WebClient on SLACK_API_URL, retrying 429s (honouring Retry-After) and dropped connections."""
    return WebClient(
        token=settings.secret("slack_bot_token") or None,
        base_url=settings.slack_api_url,
        retry_handlers=[ConnectionErrorRetryHandler(), RateLimitErrorRetryHandler(max_retry_count=2)],
    )


class _SameToken(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN itself and, seeing our client too, warns on every start that the
    token goes unused. Our client is built from that very token: nothing for an operator to do."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


def create_app(deps: Deps, client: WebClient, token_verification: bool = True) -> App:
    bolt_log = logging.getLogger("slack_bolt.App")
    if not any(isinstance(f, _SameToken) for f in bolt_log.filters):
        bolt_log.addFilter(_SameToken())
    app = App(
        signing_secret=deps.settings.secret("slack_signing_secret"),
        client=client,
        token_verification_enabled=token_verification,
        # Listeners only parse, ack and hand slow work to deps.workers, so they can run on the
        # request's own thread: no hop through Bolt's executor (5 threads by default) before the ack.
        process_before_response=True,
        raise_error_for_unhandled_request=True,  # into the boundary: acknowledged and logged, never a 404
        # Bolt's own check raises on a timestamp that is not a number, and what a middleware raises
        # reaches the error boundary with the unsigned body: ours never raises and runs first.
        request_verification_enabled=False,
        ssl_check_enabled=False,  # answered by Verification, once the request is verified
        before_authorize=Verification(
            deps.settings.secret("slack_signing_secret"), slack_origins(deps.settings.slack_api_url)
        ),
    )
    rt = Runtime(deps, app)
    rt.uses.requests = SlackChangeRequests(rt)  # a change request is posted for the approvers in Slack

    @app.error
    def error_boundary(
        error: Exception, body: Any, response: BoltResponse | None, context: BoltContext
    ) -> BoltResponse:
        """Every listener and middleware: whatever fails is acknowledged, logged once, and said."""
        return boundary.handle(
            error,
            body,
            response,
            app.client,
            context.get("respond"),
            verified=bool(context.get(VERIFIED)),
            submit=deps.workers.submit,
        )

    @app.use
    def runtime(
        context: BoltContext, req: BoltRequest, body: dict[str, Any], ack: Ack, respond: Respond, next: Any
    ) -> Any:
        """Every surface: the bot's parts in the context, and nobody from outside the workspace
        (a Slack Connect partner) or a guest gets further; refused before LogicBoxes is asked."""
        context["rt"] = rt
        signature = (req.headers.get("x-slack-signature") or [""])[0] if req is not None else ""
        if signature and not rt.replays.first_sight_here(signature):
            log.warning("refused a replayed request (its signature was seen before)")
            return BoltResponse(status=401, body="replayed request")
        REQUEST_SIGNATURE.set(signature)  # the worker checks the other processes' memory before working
        claim = claim_of(body)
        who = rt.identify(claim)  # from Slack's directory, never from the payload's team
        context["who"] = who
        refusal = rt.access.gate(who)
        if refusal is None:
            return next()
        kind = body.get("type") or ("command" if body.get("command") else "")
        if kind == "command":
            return ack(text=refusal)  # a middleware that stops the chain returns the response
        if kind == "view_submission":
            return ack(response_action="update", view=refusal_view(refusal))
        response = ack()

        def say() -> None:  # a call to Slack: on the pool, never in the way of this ack
            if claim.workflow:
                context.fail(error=refusal)
            elif body.get("response_url"):
                respond(text=refusal, response_type="ephemeral", replace_original=False)
            elif _event_type(body) == "app_home_opened" and (who.unconfirmed or who.guest) and claim.user_id:
                rt.client.views_publish(user_id=claim.user_id, view=refused_home(refusal))  # their tab says why

        if not deps.workers.submit(say):
            log.info("too busy to say a refusal to %s", claim.user_id)
        return response

    listeners.register(app)
    deps.notices.join(SlackNotifier(rt))  # the approval workflow's news, said in Slack
    return app


def _event_type(body: Any) -> str | None:
    event = body.get("event") if isinstance(body, dict) else None
    return event.get("type") if isinstance(event, dict) else None
