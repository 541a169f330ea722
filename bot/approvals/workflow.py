"""Changes that cost money or data: request, four-eyes approval, exactly-once execution, audit.

The same workflow for every change kind (bot/changes/): no Slack objects here. The Slack layer
posts and updates messages; this module decides who may do what, claims the request atomically
in the store, calls LogicBoxes once, and records what happened before anything is rendered.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from bot.approvals.backlog import Backlog
from bot.approvals.notices import Notifier
from bot.approvals.store import Store
from bot.changes import KINDS, Context, Estimate, kind_of, params_of
from bot.changes.base import FormField
from bot.logicboxes import ActionResult, LogicBoxesError, Order, QueuedAction, describe_action
from bot.telemetry import metrics
from bot.usecases.service import MailService
from bot.values.approvals import Approval, AuditEntry, Decision, DuplicateRequest
from bot.values.intents import Audit, Change, Target
from bot.values.results import UserError
from bot.values.states import DECISIONS, Status

log = logging.getLogger(__name__)

REMIND_AT = 0.8  # of APPROVAL_TTL: an untouched request gets one reminder then
MAX_CHECK_EVERY = 3600.0  # an accepted action is looked at again at most this long after the last look


def _row(approval: Approval) -> dict[str, Any]:
    """What an audit row names of its request."""
    return {"id": approval.id, "order_id": approval.order_id, "domain": approval.domain}


def outcome_fields(result: ActionResult) -> dict[str, Any]:
    """What LogicBoxes said, as stored with the approval and the audit row (None: not given)."""
    return {
        "action_status": result.status,
        "description": result.description,
        "action": result.action,
        "eaqid": result.eaqid,
        "invoice_id": result.invoice_id,
        "selling_amount": None if result.selling_amount is None else str(result.selling_amount),
        "currency": result.currency,
        "customer_cost": None if result.customer_cost is None else str(result.customer_cost),
        "answer_shape": result.shape,
    }


class Approvals:
    def __init__(
        self,
        service: MailService,
        store: Store,
        approvers: Sequence[str],
        is_member: Callable[[Sequence[str], str], bool],
        ttl: int = 1800,
        max_add_accounts: int = 500,
        default_invoice: str = "NoInvoice",
        clock: Callable[[], float] = time.time,
        stuck_after: float = 300,
        followup_after: float = 300,
        action_stuck_after: float = 86400,
        notifier: Notifier | None = None,
        order_wait: float = 0.0,
        spawn: Callable[[Callable[[], None]], object] | None = None,
    ):
        self.service, self.store, self.approvers = service, store, list(approvers)
        self.is_member, self.ttl, self.max_add_accounts = is_member, ttl, max_add_accounts
        self.default_invoice, self.clock = default_invoice, clock
        self.stuck_after = stuck_after  # longer than any call can still answer (timeouts and retries)
        self.followup_after = followup_after  # the first look at an accepted action's queue entry
        self.action_stuck_after = action_stuck_after  # then said once in the thread, if still pending
        self.notifier = notifier or Notifier()  # the Slack layer and the change feed (bot.approvals.notices)
        self.backlog = Backlog()
        self.order_wait = order_wait  # COMMAND_DEADLINE: how long an approval waits for another change to its order
        self.spawn = spawn or (lambda job: job())  # where a change that waited runs (the work pool)
        self._released = threading.Condition()  # an order given back in this process: its waiters look again

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    def approver_mentions(self) -> str:
        return " ".join(f"<!subteam^{a}>" if a.startswith("S") else f"<@{a}>" for a in self.approvers)

    def _context(self, order: Order, exclude: str | None = None) -> Context:
        open_requests = [Approval.from_row(row) for row in self.store.open_for(order.order_id)]
        return Context(
            client=self.service.client,
            currency=self.service.currency,
            now=self.now(),
            max_add_accounts=self.max_add_accounts,
            default_invoice=self.default_invoice,
            pending=[a for a in open_requests if a.id != exclude],
        )

    # ---- request

    def prepare(self, change: Change, requester: str, channel: str) -> Approval:
        """Check the change can succeed, then store it as pending (with a `request` audit row)."""
        if not self.approvers:
            raise UserError(
                "Changes need an approver, and none is configured: set APPROVERS to Slack user ids (U...) or "
                "user-group ids (S...) and restart the bot."
            )
        kind = KINDS[change.kind]
        self.store.ping()  # the database first: if it cannot take the request, LogicBoxes is asked nothing
        order = self.service.find_order(change.target)
        ctx = self._context(order)
        refusal = kind.refusal(order, change.params, ctx) or self._pending_at_logicboxes(order)
        if refusal:
            raise UserError(refusal)
        estimate = kind.estimate(order, change.params, ctx)
        discount = getattr(change.params, "discount", None)
        if discount is not None and estimate is not None and estimate.amount is not None and discount > estimate.amount:
            raise UserError(
                f"A discount of {discount} is more than the estimated {estimate.amount:.2f} {estimate.currency} "
                "for this change; check the amount."
            )
        details = {
            **kind.facts(order).to_details(),
            **kind.params_to_details(change.params),
            **kind.request_details(order, change.params, ctx),
            **(estimate.to_details() if estimate else {}),
        }
        now = self.clock()
        row = dict(
            id=secrets.token_hex(8),
            kind=kind.name,
            order_id=order.order_id,
            domain=order.domain,
            region=order.region,
            details=details,
            requester=requester,
            channel=channel,
            message_ts=None,
            status=Status.PENDING.value,
            created_at=now,
            expires_at=now + self.ttl,
            reason=change.reason,
        )
        first = self.store.add_unless_open(row)
        if first is not None:
            raise DuplicateRequest(Approval.from_row(first))
        self.store.audit("request", requester, row, {"kind": kind.name, "reason": change.reason, **details})
        return Approval.from_row(row)

    def form_for(self, kind: str, order: Order) -> tuple[FormField, ...]:
        """The fields a change's form offers for this order (raises FormUnavailable)."""
        return KINDS[kind].form_for(order, self._context(order))

    def _pending_at_logicboxes(self, order: Order) -> str | None:
        """Why no change may go into this order now: an action LogicBoxes has not finished, whoever
        started it (a second one would meet "There is already an action pending on this Order.").
        Asked afresh, at request time and again right before the call."""
        try:
            pending = self.service.client.pending_actions(order.order_id, fresh=True)
        except LogicBoxesError as exc:
            return f"Could not check LogicBoxes' pending actions for {order.domain} ({exc}); ask again."
        if not pending:
            return None
        names = "; ".join(describe_action(action) for action in pending[:3])
        return (
            f"{order.domain} (order {order.order_id}) has an action pending at LogicBoxes: {names}. "
            f"Ask again once it has finished (`/email order {order.order_id}` shows it)."
        )

    def cost_estimate(self, approval: Approval) -> Estimate | None:
        """The same estimate at the reseller's cost price: for cost viewers only, never stored."""
        try:
            order = self.service.find_order(Target(order_id=approval.order_id))
        except LogicBoxesError:
            return None
        return kind_of(approval).estimate(order, params_of(approval), self._context(order, exclude=approval.id), "cost")

    def waiting(self, user: str) -> tuple[list[Approval], list[Approval]]:
        """What waits for `user`: requests they may approve (an approver, not theirs), and their own
        (pending, or accepted by LogicBoxes and not finished)."""
        pending = [Approval.from_row(row) for row in self.store.pending()]
        now = self.clock()
        pending = [a for a in pending if a.expires_at > now]
        in_progress = [Approval.from_row(row) for row in self.store.accepted_for(user)]
        mine = [a for a in pending if a.requester == user] + in_progress  # accepted: in progress at LogicBoxes
        may_approve = self.is_member(self.approvers, user)
        return ([a for a in pending if a.requester != user] if may_approve else []), mine

    def attach_message(self, approval_id: str, channel: str, ts: str) -> None:
        self.store.set_message(approval_id, channel, ts)

    def abandon(self, approval_id: str, reason: str) -> None:
        """The request could not be posted: close it so it can never be approved."""
        if self.store.claim(approval_id, Status.FAILED, "system", self.clock(), outcome={"error": reason}):
            row = self.store.get(approval_id)
            self.store.audit("abandon", "system", row, {"reason": reason})
            _count_final(row, Status.FAILED)

    # ---- decisions

    def request(self, approval_id: str) -> Approval | None:
        """One request as it stands (the deny form names it)."""
        row = self.store.get(approval_id)
        return Approval.from_row(row) if row is not None else None

    def refusal_to_decide(self, approval_id: str, user: str, decision: str) -> str | None:
        """Why `user` may not make this decision now (checked before a form is opened for it)."""
        approval = self.request(approval_id)
        if approval is None:
            return "This approval request no longer exists."
        if approval.status is not Status.PENDING:
            return self._already(approval)
        return self._permission(approval, user, decision)

    def decide(self, approval_id: str, user: str, decision: str, reason: str | None = None) -> Decision:
        """Approve, deny (with an optional reason) or cancel; exactly one decision wins."""
        row = self.store.get(approval_id)
        if row is None:
            return Decision(None, False, "This approval request no longer exists.")
        approval = Approval.from_row(row)
        if approval.status is not Status.PENDING:
            return Decision(approval, False, self._already(approval))
        refusal = self._permission(approval, user, decision)
        if refusal:
            return Decision(approval, False, refusal)
        now = self.clock()
        if now >= approval.expires_at:
            expired = self._expire(approval, now)
            return Decision(
                expired or self._reload(approval),
                expired is not None,
                "This request has expired; nothing was done. Ask again if it is still needed.",
            )
        outcome = {"reason": reason} if decision == "deny" and reason else None
        if not self.store.claim(approval.id, DECISIONS[decision], user, now, outcome=outcome):  # before any call
            current = self._reload(approval)
            return Decision(current, False, self._already(current))
        self.store.audit(decision, user, row, {"reason": reason} if reason else None)
        if DECISIONS[decision].final:
            _count_final(row, DECISIONS[decision])
        if decision == "approve":
            try:
                self.notifier.running(self._reload(approval))
            except Exception:  # showing it is a courtesy: the change runs whatever Slack says
                log.exception("could not show request %s as running", approval.id)
        if decision == "approve" and not self._run(approval, user):
            return Decision(
                None,
                False,
                "LogicBoxes has answered, but the database cannot be reached right now: the outcome is in the "
                "logs and will be recorded, and this request updated, as soon as the database is back.",
            )
        current = self._reload(approval)
        return Decision(current, True, current.outcome.get("note") if current.status is Status.WAITING else None)

    def _permission(self, approval: Approval, user: str, decision: str) -> str | None:
        if decision == "cancel":
            if user != approval.requester:
                return f"Only <@{approval.requester}>, who asked, can cancel this request; approvers use Deny."
            return None
        if user == approval.requester:  # approve or deny: approvers only (the gate has checked), never their own
            if decision == "approve":
                return "You asked for this change, so another approver must approve it (four eyes)."
            return (
                "You asked for this change, so another approver must decide it (four eyes); use Cancel to withdraw it."
            )
        return None

    def _already(self, approval: Approval) -> str:
        who = f" by <@{approval.decided_by}>" if approval.decided_by and approval.decided_by != "system" else ""
        when = (
            f" at {datetime.fromtimestamp(approval.decided_at, UTC):%Y-%m-%d %H:%M} UTC" if approval.decided_at else ""
        )
        if approval.status is Status.ACCEPTED:
            return f"This request was already approved{who}{when}: {approval.status.label}."
        return f"This request was already {approval.status.label}{who}{when}."

    def _reload(self, approval: Approval) -> Approval:
        row = self.store.get(approval.id)
        return Approval.from_row(row) if row else approval

    # ---- execution

    def _run(self, approval: Approval, user: str) -> bool:
        """Claim the order, make the call, then record what happened: LogicBoxes' answer first, in
        its own transaction, then the final state (only if the request is still running: a final
        state is never overwritten), then the audit row, then give the order back. Rendering and
        Slack come after, elsewhere. False when the database could not take it: the write is then
        queued until it can (and the sweep gives the order back)."""
        if not self._claim_order(approval):
            self._wait_for_order(approval)
            return True
        try:
            return self._run_claimed(approval, user)
        finally:
            self._release_order(approval)

    # ---- one change per order between its approval and LogicBoxes' answer

    def _claim_order(self, approval: Approval) -> bool:
        """The order for this request's call, waiting up to `order_wait` for another change to it
        to have LogicBoxes' answer: a give-back in this process wakes the wait, another process's
        is seen at the next look."""
        deadline = time.monotonic() + self.order_wait
        while not self.store.claim_order(approval.order_id, approval.id, self.clock()):
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            with self._released:
                self._released.wait(min(left, 0.2))
        return True

    def _release_order(self, approval: Approval) -> None:
        try:
            self.store.release_order(approval.order_id, approval.id)
        except SQLAlchemyError as exc:  # the sweep gives it back once the database is there
            log.warning("could not give order %s back (%s); the sweep will", approval.order_id, type(exc).__name__)
            return
        with self._released:
            self._released.notify_all()
        self.resume_waiting(approval.order_id)

    def _wait_for_order(self, approval: Approval) -> None:
        """Another change to this order is on its way to LogicBoxes: this one waits, recorded, and is
        checked again (by whoever gives the order back, or the sweep) once that one has its answer."""
        note = (
            f"Another change to {approval.domain} is running; this one is checked again when that one has "
            "LogicBoxes' answer."
        )
        if self.store.move(approval.id, Status.EXECUTING, Status.WAITING, {"note": note}):
            self.store.audit("wait", "system", _row(approval), {"holder": self.store.order_holder(approval.order_id)})
        self.resume_waiting(approval.order_id)  # given back meanwhile: nobody else would wake it

    def resume_waiting(self, order_id: int) -> None:
        """The oldest approval waiting for this order, if the order is free: run again (re-checked first)."""
        for row in self.store.waiting(order_id):
            if self.store.order_holder(order_id) is not None:
                return
            approval = Approval.from_row(row)
            if self.store.move(approval.id, Status.WAITING, Status.EXECUTING, started_at=self.clock()):
                self.spawn(lambda approval=approval: self._resume(approval))
                return

    def _resume(self, approval: Approval) -> None:
        resumed = self._reload(approval)
        if self._run(resumed, resumed.decided_by or "system"):
            current = self._reload(approval)
            if current.status is not Status.WAITING:
                self.notifier.closed(current)

    def _run_claimed(self, approval: Approval, user: str) -> bool:
        try:
            final, outcome, answer = self._execute(approval)
        except SQLAlchemyError:
            raise  # before any call (the re-read's checks): nothing was sent
        except Exception:  # a bug must not leave the request "running" forever
            log.exception("approval %s failed while running", approval.id)
            final, outcome, answer = (
                Status.UNKNOWN,
                {"error": self._unknown("The bot failed while running it.", approval)},
                None,
            )
        steps = {"answer": answer is None}

        def record() -> None:
            if not steps["answer"]:
                self.store.audit("answer", user, _row(approval), answer)
                steps["answer"] = True
            self._settle(approval, user, final, outcome)

        try:
            record()
            return True
        except SQLAlchemyError:
            log.error(
                "could not record LogicBoxes' answer for request %s (result %s) in the database; it will be "
                "written when the database is back: %s",
                approval.id,
                final.value,
                json.dumps({"answer": answer, "outcome": outcome}, default=str),
            )

            def record_then_publish() -> None:
                record()
                self.notifier.closed(self._reload(approval))

            self.backlog.add(f"outcome of {approval.id}", record_then_publish)
            return False

    def _settle(self, approval: Approval, user: str, final: Status, outcome: dict[str, Any]) -> None:
        if final is Status.ACCEPTED:
            settled = self.store.accept(approval.id, outcome, self.clock(), self.followup_after)
        else:
            settled = self.store.settle(approval.id, Status.EXECUTING, final, outcome)
        if settled:
            self.store.audit(
                "execute", user, _row(approval), {"result": final.value, "reason": approval.reason, **outcome}
            )
            if final.final:  # an accepted change is counted when LogicBoxes finishes it
                metrics.APPROVALS.labels(approval.kind, final.value).inc()
            return
        current = self._reload(approval)  # settled meanwhile (the sweep gave up on it): keep both
        if current.late_outcome:
            return  # recorded already (a retried write)
        late = {"result": final.value, **outcome}
        self.store.set_late(approval.id, late)
        self.store.audit("late-answer", user, _row(current), late)
        log.warning("approval %s: LogicBoxes answered after it was marked %s", approval.id, current.status)

    def _execute(self, approval: Approval) -> tuple[Status, dict[str, Any], dict[str, Any] | None]:
        """Re-read the order uncached; if what the request recorded changed, send nothing. Else
        make the one POST (never retried). Returns the final state, the outcome, and LogicBoxes'
        raw answer (or the error) to record, None when nothing was sent."""
        client, kind = self.service.client, kind_of(approval)
        try:
            order = client.order_details(approval.region, approval.order_id, fresh=True)
        except LogicBoxesError as exc:
            return Status.FAILED, {"error": f"Could not re-read the order, so nothing was sent: {exc}"}, None
        changed = approval.facts.changes_since(order)
        if changed:
            return (
                Status.FAILED,
                {"error": f"{'; '.join(changed)} since this was asked; ask again. Nothing was sent."},
                None,
            )
        refusal = kind.refusal(order, params_of(approval), self._context(order, exclude=approval.id))
        refusal = refusal or self._pending_at_logicboxes(order)
        if refusal:
            return Status.FAILED, {"error": f"{refusal} Nothing was sent."}, None
        try:
            result = kind.execute(client, approval.region, approval.order_id, params_of(approval), approval.reason)
        except LogicBoxesError as exc:
            answer = {"error": str(exc), "sent": exc.sent}
            if not exc.sent:  # refused, or never left this server: LogicBoxes did not act
                return Status.FAILED, {"error": f"{exc} Nothing was changed."}, answer
            return Status.UNKNOWN, {"error": self._unknown(str(exc), approval)}, answer  # sent; cannot tell
        finally:
            self._changed(approval)
        outcome = outcome_fields(result)
        if outcome["currency"] is None:  # OnlyAdd names no currency: the reseller's selling currency
            outcome["currency"] = self.service.currency
        answer = {"raw": result.raw}
        if result.failed:
            reason = result.description or "no reason given"
            return Status.FAILED, {**outcome, "error": f"LogicBoxes reports the change failed: {reason}"}, answer
        if result.done:
            return Status.DONE, outcome, answer
        return Status.ACCEPTED, outcome, answer  # InvoicePaid, ExecutionStarted, OnlyAdd...: not done yet

    @staticmethod
    def _unknown(why: str, approval: Approval) -> str:
        return f"{why} The outcome is unknown: check `/email order {approval.order_id}` before asking again."

    # ---- expiry, stuck runs, follow-ups

    def _expire(self, approval: Approval, now: float) -> Approval | None:
        if not self.store.claim(approval.id, Status.EXPIRED, "system", now):
            return None
        row = self.store.get(approval.id)
        self.store.audit("expire", "system", row)
        _count_final(row, Status.EXPIRED)
        return Approval.from_row(row) if row else approval

    def sweep(self) -> list[Approval]:
        """Close what nobody will close: requests untouched at 80% of their TTL get one reminder, and
        past it become expired; runs
        whose process died mid-call (still "executing" past any time their call could still
        answer) become unknown; queued work due a follow-up is confirmed from a fresh read.
        Safe to run in every process at once: each row is settled by one conditional update."""
        closed = []
        for row in self.store.overdue(self.clock()):
            approval = self._expire(Approval.from_row(row), self.clock())
            if approval is not None:
                closed.append(approval)
        for row in self.store.running_since(self.clock() - self.stuck_after):
            approval = Approval.from_row(row)
            why = self._unknown("The bot stopped while running it.", approval)
            if self.store.settle(approval.id, Status.EXECUTING, Status.UNKNOWN, {"error": why}):
                self.store.audit("execute", "system", row, {"result": "unknown", "error": why})
                _count_final(row, Status.UNKNOWN)
                closed.append(self._reload(approval))
        self.store.release_orphaned_claims()  # their requests were settled above, or before a crash
        for order_id in dict.fromkeys(row["order_id"] for row in self.store.waiting()):
            self.resume_waiting(order_id)
        for row in self.store.due_reminders(self.clock() - REMIND_AT * self.ttl):
            if self.store.mark_reminded(row["id"], self.clock()):
                self.notifier.remind(Approval.from_row(row))
        for row in self.store.followups_due(self.clock()):  # 0.x: done after a queued answer, re-read once
            if row["status"] != Status.ACCEPTED.value:
                confirmed = self._follow_up(Approval.from_row(row))
                if confirmed is not None:
                    closed.append(confirmed)
        closed += self.follow_accepted()
        for approval in closed:
            self.notifier.closed(approval)
        return closed

    def follow_accepted(self) -> list[Approval]:
        """Ask LogicBoxes' action queue about every accepted request that is due: their eaqids in
        search-current, those no longer current in search-archived, every page of both. Each is
        claimed first (a conditional update of its next check, doubling up to an hour), so any
        number of instances share the work and each action is asked about by one. Returns the
        requests LogicBoxes finished; a still-pending one past ACTION_STUCK_AFTER is said once."""
        now = self.clock()
        claimed = []
        for row in self.store.accepted_due(now):
            approval = Approval.from_row(row)
            every = min(2 * (approval.check_every or self.followup_after), MAX_CHECK_EVERY)
            if self.store.claim_check(approval.id, row["followup_at"], now + every, every):
                claimed.append(approval)
        by_eaqid = {str(a.outcome.get("eaqid")): a for a in claimed if a.outcome.get("eaqid")}
        finished: list[Approval] = []
        for approval in claimed:
            if not approval.outcome.get("eaqid"):  # LogicBoxes named no action: the order's re-read decides
                done = self._confirm_by_reading(approval)
                if done is not None:
                    finished.append(done)
        if not by_eaqid:
            return finished
        client = self.service.client
        try:
            found = {a.eaqid: a for a in client.actions_by_eaqid(by_eaqid)}
            current_read = True
        except LogicBoxesError as exc:  # the archive may still say how they ended
            log.info("current action queue unreadable for %d accepted requests: %s", len(by_eaqid), exc)
            found, current_read = {}, False
        gone = [eaqid for eaqid in by_eaqid if eaqid not in found or not found[eaqid].finished]
        try:  # "no longer lists" only once both lists were read in full for it
            found |= {a.eaqid: a for a in client.actions_by_eaqid(gone, finished=True)} if gone else {}
            archive_read = True
        except LogicBoxesError as exc:
            log.info("archived action queue unreadable, %d accepted requests asked about later: %s", len(gone), exc)
            archive_read = False
        for eaqid, approval in by_eaqid.items():
            action = found.get(eaqid)
            if action is not None and (action.done or action.failed):
                done = self._finish(approval, action)
                if done is not None:
                    finished.append(done)
            elif action is None and not (current_read and archive_read):
                continue  # not seen, and not every list could be read: no evidence either way
            elif now - (approval.accepted_at or now) >= self.action_stuck_after:
                self._say_stuck(approval, action, now)
        return finished

    def _finish(self, approval: Approval, action: QueuedAction) -> Approval | None:
        status = Status.DONE if action.done else Status.FAILED
        at = action.completed.timestamp() if action.completed else self.clock()
        outcome = {
            **approval.outcome,
            "final_status": action.status,
            "final_description": action.status_description,
            "finished_at": at,
        }
        if status is Status.FAILED:
            outcome["error"] = f"LogicBoxes reports the change failed: {action.status_description or 'no reason given'}"
        if not self.store.finish(approval.id, status, outcome, at):
            return None
        self._changed(approval)  # LogicBoxes changed the order now: no instance may show it as it was
        row = self.store.get(approval.id)
        self.store.audit("finish", "system", row, {"result": status.value, "eaqid": action.eaqid, **outcome})
        _count_final(row, status)
        return self._reload(approval)

    def _confirm_by_reading(self, approval: Approval) -> Approval | None:
        """No eaqid to follow: read the order again, as 0.x did, and take that as done."""
        text = self._confirmation(approval)
        if text is None:
            return None
        if not self.store.finish(approval.id, Status.DONE, approval.outcome, self.clock()):
            return None
        self._changed(approval)
        self.store.confirm(approval.id, text)
        row = self.store.get(approval.id)
        self.store.audit("confirm", "system", row, {"confirmation": text})
        _count_final(row, Status.DONE)
        return self._reload(approval)

    def _changed(self, approval: Approval) -> None:
        """Drop the order from this process's caches and tell the other instances: after the call,
        and again when LogicBoxes finishes what it accepted."""
        self.service.client.forget_order(approval.order_id, approval.domain)
        self.notifier.changed(approval.order_id, approval.domain)

    def _say_stuck(self, approval: Approval, action: QueuedAction | None, now: float) -> None:
        if approval.stuck_said_at is not None or not self.store.mark_stuck(approval.id, now):
            return
        eaqid = approval.outcome.get("eaqid")
        if action is None:
            text = f"LogicBoxes no longer lists action {eaqid}: check `/email order {approval.order_id}`."
        elif action.waiting_for_payment:
            text = f"Still waiting for payment of invoice {approval.outcome.get('invoice_id') or 'not given'}: " + (
                f"LogicBoxes shows action {eaqid} as {action.status} ({action.status_description or 'no description'})."
            )
        else:
            text = (
                f"Still pending at LogicBoxes: action {eaqid} is {action.status or 'not given'} "
                f"({action.status_description or 'no description'})."
            )
        self.store.audit("stuck", "system", self.store.get(approval.id), {"eaqid": eaqid, "said": text})
        self.notifier.stuck(self._reload(approval), text)

    def _confirmation(self, approval: Approval) -> str | None:
        """What a fresh read of the order shows after its change ("confirmed: 10 accounts"); None
        when LogicBoxes cannot be read now (the next sweep tries again)."""
        try:
            order = self.service.client.order_details(approval.region, approval.order_id, fresh=True)
        except LogicBoxesError as exc:
            log.info("re-read of %s postponed: %s", approval.id, exc)
            return None
        return kind_of(approval).confirmation(approval.details, params_of(approval), order)

    def _follow_up(self, approval: Approval) -> Approval | None:
        """A 0.x request closed as done on queued work, with no eaqid: confirmed by a re-read, once."""
        text = self._confirmation(approval)
        if text is None or not self.store.confirm(approval.id, text):
            return None
        self.store.audit("confirm", "system", self.store.get(approval.id), {"confirmation": text})
        return self._reload(approval)

    # ---- audit

    def reads(self, intent: Audit) -> tuple[Order, list[dict[str, Any]]]:
        """Who looked at the customer's orders (the access log): approvers only (the gate checks)."""
        assert intent.target is not None
        order = self.service.find_order(intent.target)
        return order, self.store.reads(order.customer_id, order.order_id, intent.limit)

    def audit(self, intent: Audit) -> list[AuditEntry]:
        """Recent requests, decisions and answers: approvers only (the gate checks)."""
        target = intent.target
        return self.store.recent(
            intent.limit,
            order_id=target.order_id if target else None,
            domain=target.domain if target else None,
        )


def _count_final(row: dict[str, Any] | None, status: Status) -> None:
    """One more request of this kind closed in this state (mailops_approvals_total)."""
    metrics.APPROVALS.labels((row or {}).get("kind", "?"), status.value).inc()
