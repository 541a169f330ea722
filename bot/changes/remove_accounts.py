"""`remove-accounts <domain | order-id> <N>`: fewer mailboxes; an order keeps at least one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.changes.base import ChangeKind, Context, FormField, order_name
from bot.logicboxes import ActionResult, LogicBoxes, Order
from bot.parsing import Target, options, parse_target, positive


@dataclass(frozen=True)
class Params:
    count: int


class RemoveAccounts(ChangeKind):
    name = "remove-accounts"
    usage = "remove-accounts <domain | order-id> <N> [reason:<text>]"
    example = "remove-accounts example.com 2"
    summary = "Remove mailboxes from an order (needs approval)"
    verb = "Remove accounts from"
    danger = True  # the mailboxes and their mail go
    form = (
        FormField(
            "count",
            "Accounts to remove",
            "{}",
            "number",
            hint="The order keeps at least one",
            check=lambda v: positive(v, "The number", "remove-accounts"),
        ),
    )

    def parse_args(self, words: list[str]) -> tuple[Target, Any]:
        plain, _ = options(words, (), self.name)
        if len(plain) != 2:
            raise self.missing(plain, "a number of accounts")
        return parse_target(plain[0], self.name), Params(positive(plain[1], "The number of accounts", self.name))

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
        return super().refusal(order, params, ctx)

    def describe(self, domain: str, details: dict[str, Any]) -> str:
        return (
            f"Remove *{details.get('count')}* accounts from *{domain}*: {details.get('accounts')} -> "
            f"{details.get('new_accounts')} accounts (their mailboxes are deleted)"
        )

    def execute(
        self, client: LogicBoxes, region: str, order_id: int, params: Params, reason: str | None
    ) -> ActionResult:
        return client.remove_accounts(region, order_id, params.count)

    def confirmation(self, details: dict[str, Any], params: Params, order: Order) -> str:
        return f"confirmed: {order.accounts} accounts"


KIND = RemoveAccounts()
