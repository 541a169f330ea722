"""Who may see and do what: the one gate every surface passes.

Roles come from settings; who someone is (their own workspace, guest or Slack Connect stranger)
from Slack's users.info, never from the payload; group membership from the Slack directory. Each
use case declares the role it needs (RULES), and `Access.check` enforces it wherever a use case
is reached: the slash command, buttons, forms, the shortcut, the Home tab, workflow steps. No
Slack objects here: a Who is plain values."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.telemetry.logs import event

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
    """The person behind a request, as Slack's directory describes them (not as the payload claims)."""

    user_id: str
    team_id: str | None = None  # their own workspace (users.info), which may differ from the channel's
    enterprise_id: str | None = None
    channel_id: str | None = None
    guest: bool = False  # a single- or multi-channel guest, or a deactivated account
    stranger: bool = False  # a person of another organisation (Slack Connect)
    teams: tuple[str, ...] = ()  # on Enterprise Grid, every workspace of the org they belong to
    unconfirmed: str | None = None  # why Slack could not say who this is: refused (fail closed)


COULD_NOT_CONFIRM = "Could not confirm your account with Slack; try again."


class UseCase(StrEnum):
    LOOKUP = "lookup"  # an order's card: /email order, the shortcut, Home's Look up, the lookup step
    SEARCH = "search"
    DNS = "dns"
    CHECK = "check"  # the live DNS check
    SETUP = "setup"
    HISTORY = "history"  # an order's actions at LogicBoxes, pending and finished
    CUSTOMER = "customer"  # a customer and all their orders
    WATCH = "watch"  # the watch's last round and open alerts
    WATCH_ADMIN = "watch_admin"  # a round now, mute and unmute
    QUOTE = "quote"
    REQUEST = "request"  # ask for a change (any kind)
    DECIDE = "decide"  # approve or deny a request
    CANCEL = "cancel"  # withdraw one's own request
    AUDIT = "audit"  # the audit log and the access log
    HOME = "home"  # the Home tab itself: what it shows follows the other use cases
    HELP = "help"


@dataclass(frozen=True)
class Rule:
    role: Role | None  # None: anyone the workspace lets in (the gate's membership check still runs)
    refusal: str | None = None  # the sentence instead of "You need the ROLE role to ...", if any
    shareable: bool = False  # its answer may be posted for everyone (Share) from the value a button carries
    pageable: bool = False  # its answer has a Next page button whose value is re-run
    fresh: float = 300.0  # at most this old may what Slack said about the person be (users.info)


FRESH_FOR_DECISIONS = 5.0  # an approval decided or a cost shown: as fresh as group membership

RULES: dict[UseCase, Rule] = {
    UseCase.LOOKUP: Rule(Role.READER, shareable=True),
    UseCase.SEARCH: Rule(Role.READER, shareable=True, pageable=True),
    UseCase.DNS: Rule(Role.READER, shareable=True),
    UseCase.CHECK: Rule(Role.READER, shareable=True),
    UseCase.SETUP: Rule(Role.READER, shareable=True),
    UseCase.HISTORY: Rule(Role.READER, shareable=True),
    UseCase.CUSTOMER: Rule(Role.READER, shareable=True, pageable=True),
    UseCase.WATCH: Rule(Role.READER),
    UseCase.WATCH_ADMIN: Rule(Role.APPROVER, "Only approvers ({approvers}) can run, mute or unmute the watch."),
    UseCase.QUOTE: Rule(Role.QUOTER),
    UseCase.REQUEST: Rule(Role.REQUESTER),
    UseCase.DECIDE: Rule(
        Role.APPROVER, "Only approvers ({approvers}) can approve or deny this request.", fresh=FRESH_FOR_DECISIONS
    ),
    UseCase.CANCEL: Rule(Role.REQUESTER, fresh=FRESH_FOR_DECISIONS),
    UseCase.AUDIT: Rule(Role.APPROVER, "Only approvers can read the audit log."),
    UseCase.HOME: Rule(None),
    UseCase.HELP: Rule(None),
}

NOT_SHAREABLE = "This answer cannot be shared."


@dataclass(frozen=True)
class Home:
    """The installation, from auth.test: its workspace, and its enterprise for an org-wide install."""

    team_id: str | None
    enterprise_id: str | None = None
    org_wide: bool = False

    def includes(self, who: Who) -> bool:
        if who.stranger:
            return False
        if self.org_wide and self.enterprise_id:
            return who.enterprise_id == self.enterprise_id
        same_org = not who.enterprise_id or who.enterprise_id == self.enterprise_id
        return same_org and (who.team_id == self.team_id or (self.team_id is not None and self.team_id in who.teams))


class Access:
    def __init__(
        self,
        roles: dict[Role, Sequence[str]],
        contains: Callable[[Sequence[str], str], bool],
        home: Callable[[], Home],
        allow_guests: bool = False,
        on_refused: Callable[[Who, str], None] | None = None,
    ):
        self.roles, self.contains, self.home = roles, contains, home
        self.allow_guests, self.on_refused = allow_guests, on_refused

    def gate(self, who: Who) -> str | None:
        """Refusal for anyone Slack cannot vouch for, anyone outside the installation, and guests
        unless allowed; else None. Runs before any use case, on every surface."""
        if who.unconfirmed is not None:  # with no person at all, why is the sentence (a workflow step's)
            return self._refused(who, "unconfirmed", COULD_NOT_CONFIRM if who.user_id else who.unconfirmed)
        if not self.home().includes(who):
            return self._refused(who, "outside", "mailops answers only people of the workspace it is installed in.")
        if not self.allow_guests and who.guest:
            return self._refused(who, "guest", "Guests cannot use mailops here (ask an admin about ALLOW_GUESTS).")
        return None

    def check(self, who: Who, use_case: UseCase, **wording: str) -> str | None:
        """The one gate: None when `who` may do `use_case`; else the refusal to show (logged).
        `wording` fills the use case's own refusal sentence (e.g. the approvers' names)."""
        refusal = self.gate(who)
        if refusal is not None:
            return refusal
        rule = RULES[use_case]
        if rule.role is None or self.has(who, rule.role):
            return None
        if rule.refusal is not None:
            return self._refused(who, rule.role.value, rule.refusal.format(**wording))
        return self.require(who, rule.role)

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
