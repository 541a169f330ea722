"""The audit log's hash chain: each row carries SHA-256 over the previous row's hash and its own
content, so an edited, inserted or removed row breaks every hash after it.

Pure functions, shared by the store (appending), the migration that chains rows written by
0.1.0, and `python -m bot audit verify`. The content format is part of the stored data: never
change it without a new FORMAT and a migration.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

FORMAT = 1
GENESIS = "0" * 64  # the prev_hash of the first row


def row_hash(prev_hash: str, row: Mapping[str, Any]) -> str:
    """SHA-256 of the previous hash and the row's content (everything but its id and hashes)."""
    content = [
        FORMAT,
        repr(float(row["at"])),
        row.get("approval_id"),
        row["action"],
        row["actor"],
        None if row.get("order_id") is None else int(row["order_id"]),
        row.get("domain"),
        row["detail"],
    ]
    canonical = json.dumps(content, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(f"{prev_hash}\n{canonical}".encode()).hexdigest()


@dataclass(frozen=True)
class Verdict:
    ok: bool
    rows: int
    head: str  # the last good hash
    broken_id: int | None = None
    why: str = ""


def verify(rows: Iterable[Mapping[str, Any]]) -> Verdict:
    """Walk the rows in id order; the first that does not follow from its predecessor is named."""
    prev, count = GENESIS, 0
    for row in rows:
        if row.get("prev_hash") != prev:
            return Verdict(
                False, count, prev, row["id"], "does not follow the row before it (a row was removed or inserted)"
            )
        if row.get("row_hash") != row_hash(prev, row):
            return Verdict(False, count, prev, row["id"], "does not match its hash (the row was edited)")
        prev, count = row["row_hash"], count + 1
    return Verdict(True, count, prev)
