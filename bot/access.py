"""Who may see and do what. Roles come from settings; membership (user groups, guests, the
installing workspace) from the Slack directory. No Slack objects here: a Who says who asks,
from which team and enterprise, in which channel."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.logs import event

log = logging.getLogger("bot.access")


class Role(StrEnum):
    READER = "READERS"
    QUOTER = "QUOTERS"
    REQUESTER = "REQUESTERS"
    APPROVER = "APPROVERS"
    COST_VIEWER = "COST_VIEWERS"


WHAT = {
    Role.READER: "look up orders",
    Role.QUOTER: "quote prices",
    Role.REQUESTER: "ask for changes",
    Role.APPROVER: "approve changes",
    Role.COST_VIEWER: "see reseller costs",
}


OPEN_WHEN_EMPTY = (Role.READER, Role.QUOTER, Role.REQUESTER)  # an empty list: everyone; APPROVERS: no one


@dataclass(frozen=True)
class Who:
    user_id: str
    team_id: str | None = None
    enterprise_id: str | None = None
    channel_id: str | None = None


@dataclass(frozen=True)
class Home:
    """The installation, from auth.test: its workspace, and its enterprise for an org-wide install."""

    team_id: str | None
    enterprise_id: str | None = None
    org_wide: bool = False

    def includes(self, who: Who) -> bool:
        if self.org_wide and self.enterprise_id:
            return who.enterprise_id == self.enterprise_id
        if who.team_id is None:
            return True  # a payload that names no team (a workflow step) is the installation's own
        return who.team_id == self.team_id and (not who.enterprise_id or who.enterprise_id == self.enterprise_id)


class Access:
    def __init__(
        self,
        roles: dict[Role, Sequence[str]],
        contains: Callable[[Sequence[str], str], bool],
        is_guest: Callable[[str], bool],
        home: Callable[[], Home],
        allow_guests: bool = False,
        on_refused: Callable[[Who, str], None] | None = None,
    ):
        self.roles, self.contains, self.is_guest, self.home = roles, contains, is_guest, home
        self.allow_guests, self.on_refused = allow_guests, on_refused

    def gate(self, who: Who) -> str | None:
        """Refusal for anyone outside the installation, and for guests unless allowed; else None."""
        if not self.home().includes(who):
            return self._refused(who, "outside", "mailops answers only people of the workspace it is installed in.")
        if not self.allow_guests and self.is_guest(who.user_id):
            return self._refused(who, "guest", "Guests cannot use mailops here (ask an admin about ALLOW_GUESTS).")
        return None

    def has(self, who: Who, role: Role) -> bool:
        listed = list(self.roles.get(role) or [])
        if role in OPEN_WHEN_EMPTY and not listed:
            return True  # READERS empty (QUOTERS, REQUESTERS follow it): every full member (the gate has run)
        if who.channel_id and who.channel_id in listed and role in (Role.READER, Role.QUOTER, Role.REQUESTER):
            return True
        return self.contains([item for item in listed if not item.startswith(("C", "G"))], who.user_id)

    def require(self, who: Who, role: Role) -> str | None:
        """None when `who` may act as `role`; else the refusal to show (and it is logged)."""
        if self.has(who, role):
            return None
        return self._refused(
            who, role.value, f"You need the {role.value} role to {WHAT[role]}: ask an admin to add you to {role.value}."
        )

    def _refused(self, who: Who, why: str, text: str) -> str:
        event(log, "refused", user=who.user_id, team=who.team_id, channel=who.channel_id, why=why)
        if self.on_refused:
            self.on_refused(who, why)
        return text
