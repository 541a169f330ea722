"""What a change request records about the order (Facts, compared again right before the call)
and what it is expected to cost (Estimate): values, stored in the request's details."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.logicboxes import Order


@dataclass(frozen=True)
class Facts:
    """What a request recorded about the order. Right before the call the order is read again, and
    if any recorded fact changed, nothing is sent. Requests written by 0.1.0 recorded no expiry:
    only what was recorded is compared."""

    status: str | None = None
    accounts: int | None = None
    expires: int | None = None  # epoch seconds
    recurring: bool | None = None  # auto-renewal: recorded only by the kinds whose call sets it (renew)

    @classmethod
    def of(cls, order: Order, recurring: bool = False) -> Facts:
        expires = int(order.expires.timestamp()) if order.expires else None
        return cls(order.status, order.accounts, expires, order.auto_renew if recurring else None)

    @classmethod
    def from_details(cls, details: dict[str, Any]) -> Facts:
        recurring = details.get("recurring")
        return cls(
            details.get("status"),
            details.get("accounts"),
            details.get("expires"),
            recurring if isinstance(recurring, bool) else None,
        )

    def to_details(self) -> dict[str, Any]:
        facts = {"status": self.status, "accounts": self.accounts, "expires": self.expires}
        return facts if self.recurring is None else {**facts, "recurring": self.recurring}

    def changes_since(self, order: Order) -> list[str]:
        """ "12 -> 17 accounts", "status Active -> Suspended", "expiry 2026-12-01 -> 2027-12-01",
        "auto-renew on -> off"."""
        now = Facts.of(order, recurring=True)
        changed = []
        if self.accounts is not None and now.accounts != self.accounts:
            changed.append(f"{self.accounts} -> {now.accounts} accounts")
        if self.status is not None and now.status != self.status:
            changed.append(f"status {self.status} -> {now.status}")
        if self.expires is not None and now.expires != self.expires:
            changed.append(f"expiry {day(self.expires)} -> {day(now.expires)}")
        if self.recurring is not None and now.recurring != self.recurring:
            changed.append(f"auto-renew {on_off_text(self.recurring)} -> {on_off_text(now.recurring)}")
        return changed


def on_off_text(flag: bool | None) -> str:
    return "not given" if flag is None else "on" if flag else "off"


def day(epoch: int | float | None) -> str:
    return "unknown" if not epoch else f"{datetime.fromtimestamp(epoch, UTC):%Y-%m-%d}"


@dataclass(frozen=True)
class Estimate:
    """What the change is expected to cost: price x accounts x months, labelled an estimate
    (LogicBoxes bills the real amount). `note` says why there is none."""

    amount: Decimal | None = None
    unit: Decimal | None = None
    band: str = ""
    accounts: int = 0
    months: int = 0
    currency: str = ""
    basis: str = ""  # e.g. "months left on the order"
    note: str | None = None

    def to_details(self) -> dict[str, Any]:
        if self.amount is None:
            return {"estimate": None, "estimate_note": self.note or "no estimate"}
        return {
            "estimate": str(self.amount),
            "estimate_unit": str(self.unit),
            "estimate_band": self.band,
            "estimate_accounts": self.accounts,
            "months_left": self.months,  # the name 0.1.0 stored it under
            "estimate_basis": self.basis,
            "currency": self.currency,
        }

    @classmethod
    def from_details(cls, details: dict[str, Any]) -> Estimate | None:
        if "estimate" not in details:
            return None
        if not details.get("estimate"):
            return cls(note=details.get("estimate_note") or "no estimate")
        try:
            return cls(
                amount=Decimal(str(details["estimate"])),
                unit=Decimal(str(details.get("estimate_unit") or "0")),
                band=str(details.get("estimate_band") or ""),
                accounts=int(details.get("estimate_accounts") or details.get("count") or 0),
                months=int(details.get("months_left") or 0),
                currency=str(details.get("currency") or ""),
                basis=str(details.get("estimate_basis") or "months left on the order"),
            )
        except (InvalidOperation, ValueError, TypeError):
            return cls(note="no estimate")
