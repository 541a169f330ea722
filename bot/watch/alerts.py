"""A problem the watch found, as a value: what the renderers and `/email watch` show."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# How an alert's message stands: "none" (not to be posted: still suspect, or alerted in a summary),
# "due" (post it), "posted", "update" (what it says changed: update it and say so in its thread),
# "resolve" (update it and reply in its thread), "closed" (done).
NONE, DUE, POSTED, UPDATE, RESOLVE, CLOSED = "none", "due", "posted", "update", "resolve", "closed"
SUMMARY = "summary"  # the first round's problems: alerted together, in one summary
SUSPECT, OPEN, RESOLVED = "suspect", "open", "resolved"


@dataclass(frozen=True)
class Alert:
    key: str
    kind: str
    order_id: int | None
    domain: str | None
    summary: str
    detail: dict[str, Any] = field(default_factory=dict)
    state: str = SUSPECT
    bad_rounds: int = 0
    good_rounds: int = 0
    first_seen: float = 0.0
    opened_at: float | None = None
    resolved_at: float | None = None
    post: str = NONE
    channel: str | None = None
    ts: str | None = None

    @classmethod
    def from_row(cls, row: Any) -> Alert:
        values = dict(row._mapping)
        values["detail"] = values.get("detail") or {}
        return cls(**values)
