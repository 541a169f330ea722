"""The approval workflow's values, as the renderers and the Slack layer take them: a request
(Approval), a decision's result, an audit row. Plain data: no store, no LogicBoxes calls."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.values.facts import Estimate, Facts
from bot.values.results import UserError
from bot.values.states import Status

APPROVALS_UNAVAILABLE = "Approvals are unavailable: the database cannot be reached; lookups still work."


@dataclass(frozen=True)
class AuditEntry:
    at: float
    approval_id: str | None
    action: str
    actor: str
    order_id: int | None
    domain: str | None
    detail: dict[str, Any]


@dataclass(frozen=True)
class Approval:
    id: str
    kind: str
    order_id: int
    domain: str
    region: str
    details: dict[str, Any]
    requester: str
    status: Status
    created_at: float
    expires_at: float
    channel: str | None = None
    message_ts: str | None = None
    decided_by: str | None = None
    decided_at: float | None = None
    outcome: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None  # why the requester asked (`reason:`), on the request, outcome and audit
    late_outcome: dict[str, Any] = field(default_factory=dict)  # an answer that came after "unknown"
    followup_at: float | None = None
    confirmation: str | None = None  # what a re-read showed after queued work
    reminded_at: float | None = None
    accepted_at: float | None = None  # when LogicBoxes accepted the work (the bot's record of it)
    check_every: float | None = None
    stuck_said_at: float | None = None
    finished_at: float | None = None  # when LogicBoxes finished it, per its action queue

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Approval:
        known = set(cls.__dataclass_fields__)
        values = {key: value for key, value in row.items() if key in known}
        values.update(
            status=Status(row["status"]),
            outcome=row.get("outcome") or {},
            late_outcome=row.get("late_outcome") or {},
            details=row.get("details") or {},
        )
        return cls(**values)

    @property
    def facts(self) -> Facts:
        return Facts.from_details(self.details)

    @property
    def estimate(self) -> Estimate | None:
        return Estimate.from_details(self.details)


@dataclass(frozen=True)
class Decision:
    approval: Approval | None
    changed: bool  # the request message must be updated for everyone
    notice: str | None = None  # said to the person who clicked, and only to them


class DuplicateRequest(UserError):
    """A request of the same kind is already open for the order: the first one is named."""

    def __init__(self, first: Approval):
        self.first = first
        super().__init__(
            f"There is already an open {first.kind} request for {first.domain} (request `{first.id}`): "
            "approve, deny or cancel that one first."
        )
