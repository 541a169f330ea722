"""One error boundary around every listener and middleware (Bolt's `app.error`).

A payload the bot cannot read (a field missing, null or of the wrong type; a request no listener
expects) is still acknowledged with HTTP 200 (an ack under Socket Mode): Slack shows no error and
retries nothing. It is logged once, as one line with a short reference, and the person behind it,
where there is one, is told that reference. A database that cannot be reached is named instead.

Only a request whose signature was verified (bot.slack.verification) is acted on: anything else is
401 here too, and nothing it names is dialled. Telling the person is a call to Slack, so it runs on
the work pool: an ack never waits on it.
"""

from __future__ import annotations

import json
import logging
import secrets
import traceback
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltResponse, Respond
from slack_bolt.error import BoltUnhandledRequestError
from slack_sdk import WebClient
from sqlalchemy.exc import SQLAlchemyError

from bot.render.forms import refusal_view
from bot.telemetry.logs import event
from bot.values.approvals import APPROVALS_UNAVAILABLE

log = logging.getLogger("bot.slack")

UNREADABLE = "Something in that request could not be read (reference {ref})."


def _where(error: BaseException) -> str:
    """file:line of the innermost frame: enough to find the cause, without a traceback per request."""
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return "-"
    last = frames[-1]
    return f"{last.filename.rsplit('/', 2)[-1]}:{last.lineno}"


def _kind(body: Any) -> str:
    if not isinstance(body, dict):
        return "unknown"
    if body.get("command"):
        return "command"
    event_ = body.get("event")
    if isinstance(event_, dict) and isinstance(event_.get("type"), str):
        return event_["type"][:40]
    kind = body.get("type")
    return kind[:40] if isinstance(kind, str) else "unknown"


def _person(body: Any) -> str | None:
    if not isinstance(body, dict):
        return None
    user = body.get("user")
    if isinstance(user, dict) and isinstance(user.get("id"), str):
        return user["id"]
    if isinstance(body.get("user_id"), str):
        return body["user_id"]
    event_ = body.get("event")
    return event_.get("user") if isinstance(event_, dict) and isinstance(event_.get("user"), str) else None


def handle(
    error: Exception,
    body: Any,
    response: BoltResponse | None,
    client: WebClient,
    respond: Respond | None,
    verified: bool,
    submit: Callable[[Callable[[], None]], bool],
) -> BoltResponse:
    """Acknowledge whatever failed; log it once; tell the person, where there is one (on the pool)."""
    if not verified:  # a request nobody vouched for: nothing of it is read, answered or dialled
        return BoltResponse(status=401, body="invalid request")
    ref = secrets.token_hex(3)
    kind = _kind(body)
    if isinstance(error, SQLAlchemyError):
        sentence = APPROVALS_UNAVAILABLE
        event(log, "database_unavailable", kind=kind, ref=ref, error=type(error).__name__)
    elif isinstance(error, BoltUnhandledRequestError):
        sentence = UNREADABLE.format(ref=ref)
        event(log, "unhandled_request", kind=kind, ref=ref)
    else:
        sentence = UNREADABLE.format(ref=ref)
        event(log, "unreadable_request", kind=kind, ref=ref, error=type(error).__name__, at=_where(error))
    if kind == "command":
        return _json({"response_type": "ephemeral", "text": sentence})
    if kind == "view_submission":
        return _json({"response_action": "update", "view": refusal_view(sentence).to_dict()})
    acked = response is not None and response.body and response.status == 500  # acked, then it failed
    person = _person(body)
    has_url = respond is not None and isinstance(body, dict) and isinstance(body.get("response_url"), str)

    def tell() -> None:
        try:
            if has_url and respond is not None:
                respond(text=sentence, response_type="ephemeral", replace_original=False)
            elif person and kind in ("block_actions", "message_action", "shortcut", "app_home_opened"):
                client.chat_postMessage(channel=person, text=sentence)
        except Exception as exc:  # telling them is a courtesy: the ack is what Slack needs
            log.info("could not tell %s about reference %s: %s", person, ref, type(exc).__name__)

    if (has_url or person) and not submit(tell):
        log.info("too busy to tell %s about reference %s", person, ref)
    if acked and response is not None:
        return BoltResponse(status=200, body=response.body, headers=response.headers)
    return BoltResponse(status=200, body="")


def _json(answer: dict[str, Any]) -> BoltResponse:
    return BoltResponse(status=200, body=json.dumps(answer), headers={"content-type": "application/json"})


def unreadable_before_bolt(error: Exception, kind: str) -> str:
    """A payload that broke Bolt's own parsing, before any listener or middleware (e.g. `enterprise`
    that is not an object): logged once, with the reference the caller acknowledges it under."""
    ref = secrets.token_hex(3)
    event(log, "unreadable_request", kind=kind, ref=ref, error=type(error).__name__, at=_where(error))
    return ref
