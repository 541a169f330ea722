"""What every Slack listener reaches (Bolt hands it to each as `context["rt"]`): the bot's parts
(bot.slack.deps), the gate, and the job runner all of them share: ack first, run slow work on the
bounded pool under a trace, never leave a person in silence."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from slack_bolt import App, Respond
from slack_sdk import WebClient
from sqlalchemy.exc import SQLAlchemyError

from bot.access import FRESH_FOR_DECISIONS, RULES, Access, Role, UseCase, Who
from bot.commands.handlers import Asker, UseCases
from bot.config import Settings
from bot.slack.delivery import tell
from bot.slack.deps import Deps
from bot.slack.directory import PERSON_TTL
from bot.slack.home_tabs import HomeTabs
from bot.slack.identity import STEP_NEEDS_A_PERSON, Claim
from bot.slack.outcomes import OutcomePublisher
from bot.slack.replays import REQUEST_SIGNATURE, Replays
from bot.telemetry import metrics, trace
from bot.telemetry.logs import event
from bot.values.approvals import APPROVALS_UNAVAILABLE

log = logging.getLogger(__name__)

BUSY = "The bot is answering too many commands right now; try again in a minute."
OOPS = "Something went wrong on our side (reference `{cid}`); the team can find it in the logs."


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
        self.homes = HomeTabs()
        desk = deps.watch  # what every surface's dispatch hands the handlers; create_app adds the requests port
        self.uses = UseCases(deps.service, deps.approvals, desk.usecase if desk is not None else None)

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

    def asker(self, who: Who, channel: str | None = None) -> Asker:
        """The asker, as the use cases see them: a cost is shown only to a cost viewer confirmed by
        Slack seconds ago; help lists what they may run; a request goes where they asked."""

        def may_see_cost() -> bool:
            fresh = self.deps.directory.person(who.user_id, who.channel_id, FRESH_FOR_DECISIONS)
            if self.access.gate(fresh) is not None:
                return False
            return self.deps.directory.contains(self.settings.effective_cost_viewers, who.user_id)

        may_run = lambda row: row.role is None or self.access.has(who, row.role)
        return Asker(who.user_id, may_see_cost, channel or who.channel_id, may_run)

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
        *,
        use_case: UseCase,
        target: str | None = None,
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
                    refusal = self.check(who, use_case)  # required: no way into work skips the gate
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
