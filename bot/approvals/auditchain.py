"""The audit log's hash chain: each row carries SHA-256 over the previous row's hash and its own
content, so an edited, inserted or removed row breaks every hash after it.

A chain cannot notice its own tail being cut: delete the newest rows and what is left still
follows. So each row's position and hash are logged as it is written (`audit_row row=N hash=H`),
and a head kept outside the database (`N:H`) is checked against the chain: rows missing after it,
or a chain that no longer passes through it, are named.

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


@dataclass(frozen=True)
class Head:
    """A position in the chain and the hash of the row there, as `python -m bot audit verify` prints it."""

    rows: int
    hash: str

    @classmethod
    def parse(cls, text: str) -> Head:
        """`<rows>:<hash>`; ValueError saying what is wrong otherwise."""
        rows, sep, digest = text.strip().partition(":")
        if not sep or not rows.isascii() or not rows.isdigit() or len(digest) != 64:
            raise ValueError(f"a head is <rows>:<64 hex digits>, as `audit verify` prints it, not {text!r}")
        try:
            int(digest, 16)
        except ValueError:
            raise ValueError(f"a head's hash is 64 hex digits, not {digest!r}") from None
        return cls(int(rows), digest.lower())

    def __str__(self) -> str:
        return f"{self.rows}:{self.hash}"


def verify(rows: Iterable[Mapping[str, Any]], kept: Head | None = None) -> Verdict:
    """Walk the rows in id order; the first that does not follow from its predecessor is named.
    With a head kept from earlier, the chain must pass through it: fewer rows means rows after it
    were removed, another hash at its position means rows up to it were rewritten."""
    prev, count = GENESIS, 0
    at_head: str | None = GENESIS if kept is not None and kept.rows == 0 else None
    for row in rows:
        if row.get("prev_hash") != prev:
            return Verdict(
                False, count, prev, row["id"], "does not follow the row before it (a row was removed or inserted)"
            )
        if row.get("row_hash") != row_hash(prev, row):
            return Verdict(False, count, prev, row["id"], "does not match its hash (the row was edited)")
        prev, count = row["row_hash"], count + 1
        if kept is not None and count == kept.rows:
            at_head = prev
    if kept is not None and count < kept.rows:
        missing = f"row {kept.rows}" if kept.rows == count + 1 else f"rows {count + 1}-{kept.rows}"
        return Verdict(
            False, count, prev, None, f"has {count} rows, but the head kept names {kept.rows}: {missing} missing"
        )
    if kept is not None and at_head != kept.hash:
        return Verdict(
            False, count, prev, None, f"does not pass through the head kept at row {kept.rows} (rows were rewritten)"
        )
    return Verdict(True, count, prev)
