"""What every Slack listener reaches: the bot's parts, and the few habits all of them share
(ack first, run slow work on the bounded pool under a trace, never leave a person in silence).
Bolt hands it to each handler as `context["rt"]`."""

from __future__ import annotations

import contextvars
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cachetools import TTLCache
from slack_bolt import App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import SQLAlchemyError

from bot.access import FRESH_FOR_DECISIONS, RULES, Access, Role, UseCase, Who
from bot.approvals.accesslog import AccessLog
from bot.approvals.workflow import APPROVALS_UNAVAILABLE, Approvals
from bot.commands.handlers import Asker, Reply
from bot.config import Settings
from bot.render import Message
from bot.running import metrics, trace
from bot.running.logs import event
from bot.running.workers import Workers
from bot.slack.directory import PERSON_TTL, Directory
from bot.slack.outcomes import OutcomePublisher
from bot.usecases.service import MailService

log = logging.getLogger("bot.commands.table")

BUSY = "The bot is answering too many commands right now; try again in a minute."
OOPS = "Something went wrong on our side (reference `{cid}`); the team can find it in the logs."


@dataclass
class Deps:
    settings: Settings
    service: MailService
    approvals: Approvals
    workers: Workers
    directory: Directory
    access_log: AccessLog


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


STEP_NEEDS_A_PERSON = (
    "mailops answers a workflow step only for the person who ran it, and this run names nobody (a scheduled "
    'or webhook workflow has no person). Workflow owner: edit the step and map its "Who is asking" input to '
    'the person who used the workflow (the trigger\'s interactivity), or its "Asking for" input to a person.'
)


@dataclass(frozen=True)
class Claim:
    """Who a payload says is asking, and where: only the user id is used, to ask Slack who they are."""

    user_id: str | None
    channel_id: str | None = None
    workflow: bool = False  # a workflow step: the person comes from its inputs


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def claim_of(body: dict[str, Any]) -> Claim:
    """The asker of any payload: a command, an interaction, an event, a workflow step. Malformed
    payloads give a claim without a user, which the gate refuses."""
    if not isinstance(body, dict):
        return Claim(None)
    if body.get("command"):
        return Claim(_text(body.get("user_id")), _text(body.get("channel_id")))
    user, channel = body.get("user"), body.get("channel")
    if isinstance(user, dict):
        return Claim(_text(user.get("id")), _text(channel.get("id")) if isinstance(channel, dict) else None)
    event = body.get("event") if isinstance(body.get("event"), dict) else {}
    if event.get("type") == "function_executed":
        inputs = event.get("inputs") if isinstance(event.get("inputs"), dict) else {}
        interactivity = inputs.get("interactivity") if isinstance(inputs.get("interactivity"), dict) else {}
        interactor = interactivity.get("interactor") if isinstance(interactivity.get("interactor"), dict) else {}
        return Claim(_text(interactor.get("id")) or _text(inputs.get("user")), workflow=True)
    return Claim(_text(event.get("user")), _text(event.get("channel")))


class Replays:
    """Signatures already served: Slack's signature proves origin for 5 minutes but carries no
    nonce, so a captured request could be sent again. Remembered in this process and in the
    database (across processes); if the database cannot answer, the process's memory decides."""

    def __init__(self, store: Any, window: float = 300):
        self.store, self.window = store, window
        self._seen: TTLCache = TTLCache(200_000, window * 2)
        self._lock = threading.Lock()

    def first_sight_here(self, signature: str) -> bool:
        """This process's memory: instant, so it is asked on the request's path, before the ack."""
        with self._lock:
            if signature in self._seen:
                return False
            self._seen[signature] = True
            return True

    def first_sight_anywhere(self, signature: str) -> bool:
        """Every process's memory (the database): asked on the worker, before any work, so that no
        database write ever stands between a request and its ack."""
        try:
            return self.store.first_sight(signature, time.time())
        except SQLAlchemyError as exc:
            log.warning("replay memory falls back to this process (%s)", type(exc).__name__)
            return True


REQUEST_SIGNATURE: contextvars.ContextVar[str] = contextvars.ContextVar("mailops_signature", default="")


class Runtime:
    def __init__(self, deps: Deps, app: App):
        self.deps, self.app = deps, app
        self.replays = Replays(deps.approvals.store)
        settings = deps.settings
        self.access = Access(
            {
                Role.READER: settings.readers,
                Role.QUOTER: settings.effective_quoters,
                Role.REQUESTER: settings.effective_requesters,
                Role.APPROVER: settings.approvers,
                Role.COST_VIEWER: settings.effective_cost_viewers,
            },
            deps.directory.contains,
            deps.directory.home,
            settings.allow_guests,
            on_refused=self._refused,
        )
        self.outcomes = OutcomePublisher(app.client, deps.settings.slack_retry_base)
        from bot.slack.home import HomeTabs

        self.homes = HomeTabs()

    def _refused(self, who: Who, why: str) -> None:
        self.record(who.user_id, "refused", why, "refused")
        metrics.COMMANDS.labels("-", "refused").inc()

    @property
    def client(self) -> WebClient:
        return self.app.client

    @property
    def settings(self) -> Settings:
        return self.deps.settings

    def notifier(self, body: dict[str, Any], respond: Respond) -> Callable[[str], None]:
        """How to tell the person who clicked something: privately where they clicked, or, for a
        button in the Home tab or a form (no response_url), in their messages with the app."""
        if body.get("response_url") or body.get("response_urls"):
            return lambda text: tell(respond, text)
        user_id = body["user"]["id"]
        return lambda text: self.client.chat_postMessage(channel=user_id, text=text)

    def identify(self, claim: Claim, max_age: float = PERSON_TTL) -> Who:
        """Who is asking, as Slack's directory says (users.info, cached `max_age`), never as the
        payload claims. A claim without a person gives an unconfirmed Who: the gate refuses it."""
        if claim.user_id is None:
            why = STEP_NEEDS_A_PERSON if claim.workflow else "This request names no person, so nobody can be answered."
            return Who("", channel_id=claim.channel_id, unconfirmed=why)
        return self.deps.directory.person(claim.user_id, claim.channel_id, max_age)

    def check(self, who: Who, use_case: UseCase) -> str | None:
        """The one gate for a use case: the person as fresh as the use case needs, then their role."""
        fresh = RULES[use_case].fresh
        if who.unconfirmed is None and who.user_id and fresh < PERSON_TTL:
            who = self.deps.directory.person(who.user_id, who.channel_id, fresh)
        return self.access.check(who, use_case, approvers=self.deps.approvals.approver_mentions())

    def asker(self, who: Who) -> Asker:
        """The asker of a read; a cost is shown only to a cost viewer confirmed by Slack seconds ago."""

        def may_see_cost() -> bool:
            fresh = self.deps.directory.person(who.user_id, who.channel_id, FRESH_FOR_DECISIONS)
            if self.access.gate(fresh) is not None:
                return False
            return self.deps.directory.contains(self.settings.effective_cost_viewers, who.user_id)

        return Asker(who.user_id, may_see_cost)

    def record(self, user_id: str, command: str, target: str | None, outcome: str, touched=()) -> None:
        """One access-log row per order looked at (or one without), written off the request's path
        in batches (bot.approvals.accesslog): a database that cannot take it costs a warning, never a lookup."""
        now = time.time()
        rows = [
            {
                "at": now,
                "user_id": user_id,
                "command": command[:32],
                "target": (target or "")[:255] or None,
                "order_id": order_id,
                "customer_id": customer_id,
                "outcome": outcome[:32],
            }
            for order_id, customer_id in (list(touched) or [(None, None)])
        ]

        self.deps.access_log.add(rows)

    def run(
        self,
        name: str,
        who: Who,
        respond: Respond | None,
        work: Callable[[], None],
        target: str | None = None,
        use_case: UseCase | None = None,
        refuse: Callable[[str], None] | None = None,
    ) -> None:
        """Run `work` on the bounded pool under a fresh trace, logging one line for it. Every
        surface hands its work over here, so here the gate checks `use_case` for `who` before any
        work: a refusal is said (`refuse`, else privately where they asked, else in a DM) and
        LogicBoxes is asked nothing. A crash becomes a short apology with a reference, a full pool
        a "busy" note."""
        started = time.monotonic()
        settings = self.settings
        user_id = who.user_id or "-"

        def job() -> None:
            with trace.command_trace(settings.command_deadline) as t:
                outcome = "ok"
                signature = REQUEST_SIGNATURE.get()
                REQUEST_SIGNATURE.set("")  # checked once: work this job starts is not a replay of it
                if signature and not self.replays.first_sight_anywhere(signature):
                    log.warning("refused a replayed request (another process served its signature)")
                    self.record(user_id, name, target, "replayed")
                    metrics.COMMANDS.labels(name, "replayed").inc()
                    return
                try:
                    refusal = self.check(who, use_case) if use_case is not None else None
                    if refusal is not None:
                        outcome = "refused"
                        (refuse or self._teller(who, respond))(refusal)
                        return
                    work()
                except SQLAlchemyError as exc:  # only approvals need the database: say so, never "went wrong"
                    outcome = "database_unavailable"
                    log.warning("%s: the database cannot be reached (%s)", name, type(exc).__name__)
                    (refuse or self._teller(who, respond))(APPROVALS_UNAVAILABLE)
                except Exception:
                    outcome = "crash"
                    log.exception("command %s failed", name)
                    if respond is not None:
                        tell(respond, OOPS.format(cid=t.cid))
                    raise
                finally:
                    if outcome == "ok":
                        outcome = t.outcome  # answered: found, or why not (not_found, timeout, bad_input, ...)
                    if outcome != "refused":  # the gate has logged, counted and recorded the refusal
                        self.record(user_id, name, target, outcome, t.touched)
                        metrics.COMMANDS.labels(name, outcome).inc()
                    metrics.ANSWER_SECONDS.labels(name).observe(time.monotonic() - started)
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

        if not self.deps.workers.submit(job):
            self.count_busy(name)
            if respond is not None:
                tell(respond, BUSY)

    def _teller(self, who: Who, respond: Respond | None) -> Callable[[str], None]:
        """How to tell someone something when the surface gave no better way: privately where they
        asked, else in their messages with the app."""
        if respond is not None:
            return lambda text: tell(respond, text)
        if not who.user_id:
            return lambda text: log.info("nobody to tell: %s", text)
        return lambda text: self.client.chat_postMessage(channel=who.user_id, text=text)

    @staticmethod
    def count_busy(name: str) -> None:
        """A request turned away because the work queue is full (told in its ack or a reply)."""
        metrics.BUSY_REFUSALS.inc()
        metrics.COMMANDS.labels(name, "busy").inc()
