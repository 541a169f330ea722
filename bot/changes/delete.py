"""`delete <domain | order-id>`: delete the order and every mailbox in it."""

from __future__ import annotations

from typing import Any

from bot.changes.base import ChangeKind, Context, order_name
from bot.logicboxes import ActionResult, LogicBoxes, Order
from bot.values.words import Target, one_target


class Delete(ChangeKind):
    name = "delete"
    usage = "delete <domain | order-id> [reason:<text>]"
    example = "delete example.com reason:customer left"
    summary = "Delete an order (needs approval)"
    verb = "Delete"
    danger = True

    def parse_args(self, words: list[str]) -> tuple[Target, Any]:
        return one_target(self.name, words), None

    def refusal(self, order: Order, params: Any, ctx: Context) -> str | None:
        if not order.allow_deletion and order.status != "Deleted":
            return f"LogicBoxes does not allow deleting {order_name(order)} now (deletion allowed: no)."
        return super().refusal(order, params, ctx)

    def describe(self, domain: str, details: dict[str, Any]) -> str:
        return f"Delete the Enterprise Email order for *{domain}* and all of its mailboxes"

    def execute(self, client: LogicBoxes, region: str, order_id: int, params: Any, reason: str | None) -> ActionResult:
        return client.delete(region, order_id)

    def confirmation(self, details: dict[str, Any], params: Any, order: Order) -> str:
        return f"confirmed: {order.status}"


KIND = Delete()
