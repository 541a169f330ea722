"""Every kind of change, one declaration each: the registry the parser, help, manifest hint and
the approval workflow all read. Adding a kind: write its module, list it here, test it."""

from __future__ import annotations

from bot.changes import add_accounts, delete, remove_accounts, renew, suspension
from bot.changes.base import ChangeKind, Context, Estimate, Facts
from bot.commands.intents import Change

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

__all__ = ["KINDS", "Change", "ChangeKind", "Context", "Estimate", "Facts"]
