"""An approval request's states and the only moves between them.

    pending -> executing -> done | failed | unknown | accepted
    executing -> waiting -> executing (another change to the same order was on its way to LogicBoxes)
    accepted -> done | failed (when LogicBoxes' action queue says Success or Failed)
    pending -> denied | cancelled | expired | failed (the request could not be posted)

Only LogicBoxes' `Success` is done and `Failed` failed. Any other answer (InvoicePaid,
ExecutionStarted, PendingExecution, a status not seen yet) means LogicBoxes accepted the work and
will run it later: the request is *accepted*, and the bot follows the action in LogicBoxes'
action queue until LogicBoxes says it finished.

A final state is never left: an answer that arrives after "unknown" is recorded beside it
(the audit's `late-answer` row and the card), never in its place.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    PENDING = "pending"
    EXECUTING = "executing"
    WAITING = "waiting"  # approved; another change to the same order is between approval and answer
    ACCEPTED = "accepted"
    DONE = "done"
    FAILED = "failed"
    UNKNOWN = "unknown"
    DENIED = "denied"
    CANCELLED = "cancelled"
    EXPIRED = "expired"

    @property
    def final(self) -> bool:
        return self not in (Status.PENDING, Status.EXECUTING, Status.WAITING, Status.ACCEPTED)

    @property
    def label(self) -> str:
        """How the state reads in a sentence: "This request was already <label>"."""
        return _LABELS[self]

    @property
    def icon(self) -> str:
        return _ICONS.get(self, "")


_LABELS = {
    Status.PENDING: "waiting for approval",
    Status.EXECUTING: "approved, running",
    Status.WAITING: "approved, waiting for another change to the same order",
    Status.ACCEPTED: "accepted by LogicBoxes, being processed",
    Status.DONE: "approved and done",
    Status.FAILED: "approved but failed",
    Status.UNKNOWN: "approved, outcome unknown",
    Status.DENIED: "denied",
    Status.CANCELLED: "cancelled",
    Status.EXPIRED: "expired",
}
_ICONS = {
    Status.WAITING: ":hourglass_flowing_sand:",
    Status.ACCEPTED: ":hourglass_flowing_sand:",
    Status.DONE: ":white_check_mark:",
    Status.FAILED: ":x:",
    Status.UNKNOWN: ":grey_question:",
    Status.DENIED: ":no_entry:",
    Status.CANCELLED: ":heavy_multiplication_x:",
    Status.EXPIRED: ":hourglass:",
}

TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.PENDING: frozenset({Status.EXECUTING, Status.DENIED, Status.CANCELLED, Status.EXPIRED, Status.FAILED}),
    Status.EXECUTING: frozenset({Status.DONE, Status.FAILED, Status.UNKNOWN, Status.ACCEPTED, Status.WAITING}),
    Status.WAITING: frozenset({Status.EXECUTING}),
    Status.ACCEPTED: frozenset({Status.DONE, Status.FAILED}),
}


class IllegalTransition(ValueError):
    pass


def check(current: Status, new: Status) -> None:
    """Raise unless `current -> new` is one of the moves above."""
    if new not in TRANSITIONS.get(current, frozenset()):
        raise IllegalTransition(f"an approval cannot go from {current} to {new}")


DECISIONS = {"approve": Status.EXECUTING, "deny": Status.DENIED, "cancel": Status.CANCELLED}
"""What each button asks for; the action ids are the ones 0.1.0 posted, so old buttons keep working."""
