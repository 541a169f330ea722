"""What the approval workflow tells the rest of the bot as it happens: a change running, a request
closed, a reminder due, an action still pending, an order changed. The workflow is given its
notifier when it is built; the Slack layer and the change feed each join it when they are built."""

from __future__ import annotations

from bot.values.approvals import Approval


class Notifier:
    """Says nothing: the default, and the base of the notifiers that care about some of it."""

    def running(self, approval: Approval) -> None:
        """An approved change is being sent to LogicBoxes."""

    def closed(self, approval: Approval) -> None:
        """A request reached a final state (or its outcome changed): update its message."""

    def remind(self, approval: Approval) -> None:
        """An untouched request is near its expiry: nudge the approvers, once."""

    def stuck(self, approval: Approval, text: str) -> None:
        """LogicBoxes still has not finished an accepted action: say so in the request's thread, once."""

    def changed(self, order_id: int, domain: str | None) -> None:
        """An order changed: every instance must forget what it cached of it."""


class Notifiers(Notifier):
    """Several notifiers as one, in the order they joined."""

    def __init__(self, *members: Notifier):
        self.members = list(members)

    def join(self, member: Notifier) -> None:
        self.members.append(member)

    def running(self, approval: Approval) -> None:
        for member in self.members:
            member.running(approval)

    def closed(self, approval: Approval) -> None:
        for member in self.members:
            member.closed(approval)

    def remind(self, approval: Approval) -> None:
        for member in self.members:
            member.remind(approval)

    def stuck(self, approval: Approval, text: str) -> None:
        for member in self.members:
            member.stuck(approval, text)

    def changed(self, order_id: int, domain: str | None) -> None:
        for member in self.members:
            member.changed(order_id, domain)
