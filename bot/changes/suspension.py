"""`suspend <domain | order-id> reason:<text>` and `unsuspend <domain | order-id>` (orders/suspend.json,
orders/unsuspend.json: generic order calls, answered by the order's region)."""

from __future__ import annotations

from typing import Any

from bot.changes.base import ChangeKind, Context, order_name
from bot.logicboxes import ActionResult, LogicBoxes, Order
from bot.values.words import Target, one_target


class Suspend(ChangeKind):
    name = "suspend"
    usage = "suspend <domain | order-id> reason:<text>"
    example = "suspend example.com reason:abuse report 4411"
    summary = "Suspend an order: mail stops until it is unsuspended (needs approval)"
    verb = "Suspend"
    danger = True
    reason_required = True  # LogicBoxes requires one, and so do we

    def parse_args(self, words: list[str]) -> tuple[Target, Any]:
        return one_target(self.name, words), None

    def refusal(self, order: Order, params: Any, ctx: Context) -> str | None:
        if order.status == "Suspended":
            return f"{order_name(order)} is already suspended."
        return super().refusal(order, params, ctx)

    def describe(self, domain: str, details: dict[str, Any]) -> str:
        return f"Suspend *{domain}*: its {details.get('accounts')} mailboxes stop sending and receiving"

    def execute(self, client: LogicBoxes, region: str, order_id: int, params: Any, reason: str | None) -> ActionResult:
        return client.suspend(region, order_id, reason or "")

    def confirmation(self, details: dict[str, Any], params: Any, order: Order) -> str:
        return f"confirmed: {order.status}"


class Unsuspend(ChangeKind):
    name = "unsuspend"
    usage = "unsuspend <domain | order-id> [reason:<text>]"
    example = "unsuspend example.com"
    summary = "Lift a suspension (needs approval)"
    verb = "Unsuspend"

    def parse_args(self, words: list[str]) -> tuple[Target, Any]:
        return one_target(self.name, words), None

    def refusal(self, order: Order, params: Any, ctx: Context) -> str | None:
        if order.status != "Suspended":
            return f"{order_name(order)} is not suspended (it is {order.status})."
        return None

    def describe(self, domain: str, details: dict[str, Any]) -> str:
        return f"Lift the suspension of *{domain}*"

    def execute(self, client: LogicBoxes, region: str, order_id: int, params: Any, reason: str | None) -> ActionResult:
        return client.unsuspend(region, order_id)

    def confirmation(self, details: dict[str, Any], params: Any, order: Order) -> str:
        return f"confirmed: {order.status}"


SUSPEND, UNSUSPEND = Suspend(), Unsuspend()
