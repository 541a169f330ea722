"""`remove-accounts <domain | order-id> <N>`: N fewer *unused* accounts (KB 1776).

LogicBoxes removes only accounts no mailbox uses: mailboxes in use are deleted first in the
Email Administration interface. Nothing is refunded, an expired order cannot shrink, and an order
keeps at least one account; the request and help say so, so nobody expects otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.changes.base import ChangeKind, Context, FormField, order_name
from bot.logicboxes import ActionResult, LogicBoxes, Order
from bot.values.words import Target, options, parse_target, positive

IN_USE_NOTE = (
    "Only unused accounts go: mailboxes in use must first be deleted in the Email Administration interface, "
    "and nothing is refunded"
)


@dataclass(frozen=True)
class Params:
    count: int


class RemoveAccounts(ChangeKind):
    name = "remove-accounts"
    usage = "remove-accounts <domain | order-id> <N> [reason:<text>]"
    example = "remove-accounts example.com 2"
    summary = (
        "Remove N unused accounts from an order: mailboxes in use are deleted first in Email Administration; "
        "no refund (needs approval)"
    )
    verb = "Remove accounts from"
    danger = True  # fewer accounts, and nothing is refunded
    form = (
        FormField(
            "count",
            "Accounts to remove",
            "number",
            hint="Unused accounts only (delete mailboxes in use in Email Administration first); no refund; "
            "the order keeps at least one",
            check=lambda v: positive(v, "The number", "remove-accounts"),
        ),
    )

    def parse_args(self, words: list[str]) -> tuple[Target, Any]:
        plain, _ = options(words, (), self.name)
        if len(plain) != 2:
            raise self.missing(plain, "a number of accounts")
        return parse_target(plain[0], self.name), Params(positive(plain[1], "The number of accounts", self.name))

    def params_from_fields(self, values: dict[str, str]) -> Params:
        return Params(positive(values.get("count", ""), "The number of accounts", self.name))

    def params_from_details(self, details: dict[str, Any]) -> Params:
        return Params(int(details["count"]))

    def request_details(self, order: Order, params: Params, ctx: Context) -> dict[str, Any]:
        return {"new_accounts": order.accounts - params.count}

    def refusal(self, order: Order, params: Params, ctx: Context) -> str | None:
        if params.count >= order.accounts:
            return (
                f"{order_name(order)} has {order.accounts} account{'s' if order.accounts != 1 else ''}: removing "
                f"{params.count} would leave none (an order keeps at least one)."
            )
        if order.expires is not None and order.expires <= ctx.now:  # whatever its status says
            return (
                f"{order_name(order)} expired on {order.expires:%Y-%m-%d}: LogicBoxes cannot remove accounts from "
                "an expired order. Renew it first."
            )
        return super().refusal(order, params, ctx)

    def describe(self, domain: str, details: dict[str, Any]) -> str:
        return (
            f"Remove *{details.get('count')}* unused accounts from *{domain}*: {details.get('accounts')} -> "
            f"{details.get('new_accounts')} accounts. {IN_USE_NOTE}"
        )

    def execute(
        self, client: LogicBoxes, region: str, order_id: int, params: Params, reason: str | None
    ) -> ActionResult:
        return client.remove_accounts(region, order_id, params.count)

    def confirmation(self, details: dict[str, Any], params: Params, order: Order) -> str:
        return f"confirmed: {order.accounts} accounts"


KIND = RemoveAccounts()
