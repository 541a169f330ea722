"""Changes that cost money or data: request, four-eyes approval, exactly-once execution, audit.

No Slack objects here: the Slack layer posts and updates messages; this module decides who
may do what, claims the request atomically in the store, calls LogicBoxes once, and writes
the audit log.
"""

from __future__ import annotations

import logging
import math
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from bot import commands as c
from bot.logicboxes import ActionResult, LogicBoxesError, Order
from bot.service import MailService, UserError, quote_total
from bot.store import AuditEntry, Store

log = logging.getLogger(__name__)

KINDS = {c.Delete: "delete", c.AddAccounts: "add-accounts"}
FINAL = {
    "done": "approved and done",
    "failed": "approved but failed",
    "unknown": "approved, outcome unknown",
    "denied": "denied",
    "cancelled": "cancelled",
    "expired": "expired",
    "executing": "approved, running",
}
DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class Approval:
    id: str
    kind: str
    order_id: int
    domain: str
    region: str
    details: dict[str, Any]
    requester: str
    status: str
    created_at: float
    expires_at: float
    channel: str | None = None
    message_ts: str | None = None
    decided_by: str | None = None
    decided_at: float | None = None
    outcome: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None  # why the requester asked (`reason:`), on the request, outcome and audit

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Approval:
        return cls(**{**row, "outcome": row.get("outcome") or {}})


@dataclass(frozen=True)
class Decision:
    approval: Approval | None
    changed: bool  # the request message must be updated for everyone
    notice: str | None = None  # said to the person who clicked, and only to them


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


def months_left(expires: datetime | None, now: datetime) -> int:
    if expires is None or expires <= now:
        return 0
    return math.ceil((expires - now).total_seconds() / 86400 / DAYS_PER_MONTH)


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
    ):
        self.service, self.store, self.approvers = service, store, list(approvers)
        self.is_member, self.ttl, self.max_add_accounts = is_member, ttl, max_add_accounts
        self.default_invoice, self.clock = default_invoice, clock
        self.stuck_after = stuck_after
        self.on_closed: Callable[[Approval], None] | None = None  # the Slack layer updates the message

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    def approver_mentions(self) -> str:
        return " ".join(f"<!subteam^{a}>" if a.startswith("S") else f"<@{a}>" for a in self.approvers)

    # ---- request

    def prepare(self, intent: c.Delete | c.AddAccounts, requester: str, channel: str) -> Approval:
        """Check the request can succeed, then store it as pending (with a `request` audit row)."""
        if not self.approvers:
            raise UserError(
                "Deleting orders and adding accounts need an approver, and none is configured: set APPROVERS "
                "to Slack user ids (U...) or user-group ids (S...) and restart the bot."
            )
        order = self.service.find_order(intent.target)
        kind = KINDS[type(intent)]
        refusal = self._refusal(kind, order, intent)
        if refusal:
            raise UserError(refusal)
        details: dict[str, Any] = {"status": order.status, "accounts": order.accounts}
        if isinstance(intent, c.AddAccounts):
            details.update(
                count=intent.count,
                new_accounts=order.accounts + intent.count,
                invoice_option=intent.invoice_option or self.default_invoice,
                discount=str(intent.discount) if intent.discount is not None else None,
                **self._estimate(order, intent.count),
            )
        now = self.clock()
        row = dict(
            id=secrets.token_hex(8),
            kind=kind,
            order_id=order.order_id,
            domain=order.domain,
            region=order.region,
            details=details,
            requester=requester,
            channel=channel,
            message_ts=None,
            status="pending",
            created_at=now,
            expires_at=now + self.ttl,
            decided_by=None,
            decided_at=None,
            outcome=None,
        )
        self.store.add(row)
        self.store.audit("request", requester, row, {"kind": kind, **details})
        return Approval.from_row(row)

    def _refusal(self, kind: str, order: Order, intent: c.Delete | c.AddAccounts) -> str | None:
        """Why this request cannot succeed now, or None."""
        name = f"{order.domain} (order {order.order_id})"
        if order.status == "Deleted":
            return f"{name} is already deleted."
        if kind == "delete" and not order.allow_deletion:
            return f"LogicBoxes does not allow deleting {name} now (deletion allowed: no)."
        if isinstance(intent, c.AddAccounts) and intent.count > self.max_add_accounts:
            return f"At most {self.max_add_accounts} accounts can be added in one request (MAX_ADD_ACCOUNTS)."
        return None

    def _estimate(self, order: Order, count: int) -> dict[str, Any]:
        """count x the add price of the band holding the new total x the months left, labelled an estimate."""
        months = months_left(order.expires, self.now())
        try:  # the order's customer's own price: what LogicBoxes will bill them
            table = self.service.client.price_table(order.region, "customer", order.customer_id)
        except LogicBoxesError as exc:
            return {"estimate": None, "estimate_note": f"no estimate: {exc}"}
        band = table.band_for(order.accounts + count)
        prices = band.prices.get("add", {}) if band else {}
        if not prices or months == 0:
            return {"estimate": None, "estimate_note": "no estimate: no add price or no time left on the order"}
        unit = prices[min(prices)]  # the shortest tenure's monthly price
        return {
            "estimate": str(quote_total(unit, count, months)),
            "estimate_unit": str(unit),
            "estimate_band": band.label if band else "",
            "months_left": months,
            "currency": self.service.currency,
        }

    def attach_message(self, approval_id: str, channel: str, ts: str) -> None:
        self.store.set_message(approval_id, channel, ts)

    def abandon(self, approval_id: str, reason: str) -> None:
        """The request could not be posted: close it so it can never be approved."""
        if self.store.claim(approval_id, "failed", "system", self.clock()):
            self.store.finish(approval_id, "failed", {"error": reason})
            row = self.store.get(approval_id)
            self.store.audit("abandon", "system", row, {"reason": reason})

    # ---- decisions

    def decide(self, approval_id: str, user: str, decision: str) -> Decision:
        row = self.store.get(approval_id)
        if row is None:
            return Decision(None, False, "This approval request no longer exists.")
        approval = Approval.from_row(row)
        if approval.status != "pending":
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
        status = {"approve": "executing", "deny": "denied", "cancel": "cancelled"}[decision]
        if not self.store.claim(approval.id, status, user, now):
            current = self._reload(approval)
            return Decision(current, False, self._already(current))
        self.store.audit(decision, user, row)
        if decision == "approve":
            try:
                final, outcome = self._execute(approval)
            except Exception:  # a bug must not leave the request "running" forever
                log.exception("approval %s failed while running", approval.id)
                final, outcome = "unknown", {"error": self._unknown("The bot failed while running it.", approval)}
            self.store.finish(approval.id, final, outcome)
            self.store.audit("execute", user, row, {"result": final, **outcome})
        return Decision(self._reload(approval), True)

    def _permission(self, approval: Approval, user: str, decision: str) -> str | None:
        if decision == "cancel":
            if user != approval.requester:
                return f"Only <@{approval.requester}>, who asked, can cancel this request; approvers use Deny."
            return None
        if not self.is_member(self.approvers, user):
            return f"Only approvers ({self.approver_mentions()}) can approve or deny this request."
        if decision == "approve" and user == approval.requester:
            return "You asked for this change, so another approver must approve it (four eyes)."
        return None

    def _already(self, approval: Approval) -> str:
        who = f" by <@{approval.decided_by}>" if approval.decided_by and approval.decided_by != "system" else ""
        when = (
            f" at {datetime.fromtimestamp(approval.decided_at, UTC):%Y-%m-%d %H:%M} UTC" if approval.decided_at else ""
        )
        return f"This request was already {FINAL.get(approval.status, approval.status)}{who}{when}."

    def _reload(self, approval: Approval) -> Approval:
        row = self.store.get(approval.id)
        return Approval.from_row(row) if row else approval

    def _execute(self, approval: Approval) -> tuple[str, dict[str, Any]]:
        """Re-read the order uncached, then make the one POST. Never retried."""
        client = self.service.client
        try:
            order = client.order_details(approval.region, approval.order_id, fresh=True)
        except LogicBoxesError as exc:
            return "failed", {"error": f"could not re-read the order, nothing was sent: {exc}"}
        stale = self._refusal(approval.kind, order, self._intent(approval))
        if stale:
            return "failed", {"error": f"{stale} Nothing was sent."}
        try:
            if approval.kind == "delete":
                result = client.delete(approval.region, approval.order_id)
            else:
                d = approval.details
                discount = Decimal(d["discount"]) if d.get("discount") else None
                result = client.add_accounts(
                    approval.region, approval.order_id, d["count"], d["invoice_option"], discount
                )
        except LogicBoxesError as exc:
            if not exc.sent:  # refused, or never left this server: LogicBoxes did not act
                return "failed", {"error": f"{exc} Nothing was changed."}
            return "unknown", {"error": self._unknown(str(exc), approval)}  # sent; we cannot tell what happened
        finally:
            client.forget_order(approval.order_id, approval.domain)
        outcome = outcome_fields(result)
        if outcome["currency"] is None:  # OnlyAdd names no currency: the reseller's selling currency
            outcome["currency"] = self.service.currency
        if result.failed:
            reason = result.description or "no reason given"
            return "failed", {**outcome, "error": f"LogicBoxes reports the change failed: {reason}"}
        return "done", outcome

    @staticmethod
    def _unknown(why: str, approval: Approval) -> str:
        return f"{why} The outcome is unknown: check `/email order {approval.order_id}` before asking again."

    @staticmethod
    def _intent(approval: Approval) -> c.Delete | c.AddAccounts:
        target = c.Target(order_id=approval.order_id)
        if approval.kind == "delete":
            return c.Delete(target)
        return c.AddAccounts(target, approval.details["count"])

    # ---- expiry

    def _expire(self, approval: Approval, now: float) -> Approval | None:
        if not self.store.claim(approval.id, "expired", "system", now):
            return None
        row = self.store.get(approval.id)
        self.store.audit("expire", "system", row)
        return Approval.from_row(row) if row else approval

    def sweep(self) -> list[Approval]:
        """Close what nobody will close: requests untouched past their TTL become expired, and runs
        whose process died mid-call (still "executing" after `stuck_after`) become unknown.
        Safe to run in every process at once: each row is settled by one conditional update."""
        closed = []
        for row in self.store.overdue(self.clock()):
            approval = self._expire(Approval.from_row(row), self.clock())
            if approval is not None:
                closed.append(approval)
        for row in self.store.running_since(self.clock() - self.stuck_after):
            approval = Approval.from_row(row)
            why = self._unknown("The bot stopped while running it.", approval)
            if self.store.settle(approval.id, "executing", "unknown", {"error": why}):
                self.store.audit("execute", "system", row, {"result": "unknown", "error": why})
                closed.append(self._reload(approval))
        for approval in closed:
            if self.on_closed:
                self.on_closed(approval)
        return closed

    # ---- audit

    def audit(self, intent: c.Audit, user: str) -> list[AuditEntry]:
        if not self.is_member(self.approvers, user):
            raise UserError("Only approvers can read the audit log.")
        target = intent.target
        return self.store.recent(
            intent.limit,
            order_id=target.order_id if target else None,
            domain=target.domain if target else None,
        )
