"""Every kind of change, one declaration each: the registry the parser, help, manifest hint and
the approval workflow all read. Adding a kind: write its module, list it here, test it."""

from __future__ import annotations

from typing import Any

from bot.changes import add_accounts, delete, remove_accounts, renew, suspension
from bot.changes.base import ChangeKind, Context, Estimate, Facts
from bot.values.approvals import Approval
from bot.values.intents import Change

KINDS: dict[str, ChangeKind] = {
    kind.name: kind
    for kind in (
        delete.KIND,
        add_accounts.KIND,
        remove_accounts.KIND,
        renew.KIND,
        suspension.SUSPEND,
        suspension.UNSUSPEND,
    )
}


def kind_of(approval: Approval) -> ChangeKind:
    """The declaration of a request's kind (a request is a value: it names its kind, nothing more)."""
    return KINDS[approval.kind]


def params_of(approval: Approval) -> Any:
    """The request's parameters, as its kind reads them back from what the request stored."""
    return kind_of(approval).params_from_details(approval.details)


__all__ = ["KINDS", "Change", "ChangeKind", "Context", "Estimate", "Facts", "kind_of", "params_of"]
