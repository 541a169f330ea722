"""Every subcommand, declared once: one row carries its words (usage, example, summary), its intent
type and parser, what it does (its use case, and so the role it needs and whether its answer may be
shared), the acknowledgement shown while it works, and its handler (use case and renderer).

Help, every error's usage line, the role map, dispatch, the README's command table and both
manifests' usage hint come from these rows; the rows of the changes come from their own
declarations in bot/changes/. Adding a read-only subcommand: its intent, parser, handler and
renderer, and one row here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.access import RULES, Role, UseCase
from bot.changes import KINDS
from bot.commands import parsers
from bot.commands.handlers import (
    Asker,
    Handler,
    Reply,
    UseCases,
    answer_with,
    request_change,
    show_audit,
    show_check,
    show_customer,
    show_dns,
    show_history,
    show_order,
    show_price,
    show_search,
    show_setup,
    show_watch,
)
from bot.render import Message, render_help
from bot.values.intents import (
    Audit,
    Change,
    CustomerLookup,
    DnsCheck,
    DnsLookup,
    Help,
    History,
    Intent,
    OrderLookup,
    PriceQuote,
    Search,
    SetupHelp,
    WatchCommand,
)
from bot.values.words import ParseError

__all__ = ["SUBCOMMANDS", "Subcommand", "dispatch", "help_for", "parse", "row_of", "usage_of"]


def _working(intent: Any) -> str:
    return "Working on it..."


@dataclass(frozen=True)
class Subcommand:
    """One subcommand, everything about it that is not its parsing, its use case or its rendering."""

    name: str
    usage: str
    example: str
    summary: str
    intent: type
    use_case: UseCase  # what it does: the rule (role, shareable, ...) the gate applies, bot.access.RULES
    parser: Callable[[list[str]], Any] | None = None  # the words after its name -> its intent
    progress: Callable[[Any], str] = _working  # the acknowledgement while LogicBoxes works
    handler: Handler | None = None  # its answer: use cases, then renderer (bot.commands.handlers)
    mutates: bool = False  # asks for a change: a second person approves it
    in_ack: bool = False  # answered in the acknowledgement itself: no LogicBoxes, no database
    logs_target: bool = True  # the access log keeps what was asked about (not for a customer's name or login)
    use_case_for: Callable[[Any], UseCase] | None = None  # when what it does depends on its words

    def use_case_of(self, intent: Any) -> UseCase:
        """What this intent does: the rule the gate applies to it."""
        return self.use_case_for(intent) if self.use_case_for is not None else self.use_case

    @property
    def role(self) -> Role | None:
        """Who may run it (None: anyone the workspace lets in)."""
        return RULES[self.use_case].role

    @property
    def shareable(self) -> bool:
        """Its answer may be posted for everyone with Share."""
        return RULES[self.use_case].shareable

    @property
    def usage_line(self) -> str:
        return f"/email {self.usage}"


def _pricing(intent: PriceQuote) -> str:
    whom = f" for {intent.order or intent.login}" if intent.order or intent.login else ""
    whom = whom or (f" for customer {intent.customer_id}" if intent.customer_id else "")
    return f"Pricing {intent.accounts} accounts for {intent.months} months{whom}..."


def _show_help(uses: UseCases, intent: Help, asker: Asker) -> list[Reply]:
    """The help card, listing what the asker may run; an unknown word is named (and fails)."""
    return [Reply(help_for(intent.unknown, asker.may_run), failed=intent.unknown is not None)]


def _registry() -> dict[str, Subcommand]:
    lookups = [
        Subcommand(
            "order",
            "order <domain | order-id>",
            "order example.com",
            "Status, accounts, expiry and customer",
            OrderLookup,
            UseCase.LOOKUP,
            parsers.parse_order,
            lambda intent: f"Looking up {intent.target}...",
            show_order,
        ),
        Subcommand(
            "search",
            "search [status:<status>] [customer:<id | login email>] [expiring:<N>d] [region:us|in] [page:<N>]",
            "search status:active expiring:30d",
            "Find orders, 10 per page",
            Search,
            UseCase.SEARCH,
            parsers.parse_search,
            lambda intent: "Searching orders...",
            show_search,
        ),
        Subcommand(
            "dns",
            "dns <domain | order-id>",
            "dns example.com",
            "DNS records the customer must publish",
            DnsLookup,
            UseCase.DNS,
            parsers.parse_dns,
            lambda intent: f"Looking up {intent.target}...",
            show_dns,
        ),
        Subcommand(
            "check",
            "check <domain | order-id | address>",
            "check example.com",
            "Why mail does not arrive: live DNS against what the order needs, with the fix",
            DnsCheck,
            UseCase.CHECK,
            parsers.parse_check,
            lambda intent: f"Checking DNS for {intent.target}...",
            show_check,
        ),
        Subcommand(
            "price",
            "price <N> accounts <M>mo [add|renew] [us|in] [for <domain | order-id | login email | customer:<id>>]",
            "price 12 accounts 6mo for example.com",
            "A quote for N accounts over M months; `for` an order or customer uses that customer's own price",
            PriceQuote,
            UseCase.QUOTE,
            parsers.parse_price,
            _pricing,
            show_price,
        ),
        Subcommand(
            "setup",
            "setup <user@domain>",
            "setup jane@example.com",
            "Phone, Exchange and Outlook settings",
            SetupHelp,
            UseCase.SETUP,
            parsers.parse_setup,
            lambda intent: f"Looking up {intent.domain}...",
            show_setup,
        ),
        Subcommand(
            "history",
            "history <domain | order-id> [limit:<N>]",
            "history example.com",
            "The order's actions at LogicBoxes, pending and finished, newest first (10, at most 50)",
            History,
            UseCase.HISTORY,
            parsers.parse_history,
            lambda intent: f"Reading LogicBoxes' actions on {intent.target}...",
            show_history,
        ),
        Subcommand(
            "customer",
            "customer <login email | customer id | name or company> [page:<N>]",
            "customer jane@example.com",
            "The customer and every Enterprise Email order they hold, in both regions; their balance to cost viewers",
            CustomerLookup,
            UseCase.CUSTOMER,
            parsers.parse_customer,
            lambda intent: f"Looking up {intent}...",
            show_customer,
            logs_target=False,
        ),
    ]
    changes = [
        Subcommand(
            kind.name,
            kind.usage,
            kind.example,
            kind.summary,
            Change,
            UseCase.REQUEST,
            kind.parse,
            lambda intent: f"Looking up {intent.target}...",
            request_change,
            mutates=True,
        )
        for kind in KINDS.values()
    ]
    tail = [
        Subcommand(
            "audit",
            "audit [domain | order-id] [reads] [limit:<N>]",
            "audit example.com reads",
            "Recent requests, decisions and answers; `reads`: who looked at that customer's orders (approvers only)",
            Audit,
            UseCase.AUDIT,
            parsers.parse_audit,
            lambda intent: "Reading the audit log...",
            show_audit,
        ),
        Subcommand(
            "watch",
            "watch [run | unmute <domain>]",
            "watch",
            "What the watch over the order book found: its last round and the open alerts; "
            "`run` starts a round now and `unmute` watches a muted domain again (approvers only)",
            WatchCommand,
            UseCase.WATCH,
            parsers.parse_watch,
            lambda intent: "Reading the watch..." if intent.action == "status" else "Asking the watch...",
            show_watch,
            use_case_for=lambda intent: UseCase.WATCH if intent.action == "status" else UseCase.WATCH_ADMIN,
        ),
        Subcommand("help", "help", "help", "This list", Help, UseCase.HELP, handler=_show_help, in_ack=True),
    ]
    return {sub.name: sub for sub in (*lookups, *changes, *tail)}


SUBCOMMANDS: dict[str, Subcommand] = _registry()
_BY_INTENT: dict[type, Subcommand] = {sub.intent: sub for sub in SUBCOMMANDS.values() if sub.intent is not Change}


def row_of(intent: Intent) -> Subcommand:
    """The declaration an intent belongs to (a change: its kind's row)."""
    if isinstance(intent, Change):
        return SUBCOMMANDS[intent.kind]
    return _BY_INTENT[type(intent)]


def parse(text: str) -> Intent:
    """Parse the text after `/email`. Case-insensitive for words; extra spaces are fine."""
    words = text.split()
    if not words or words[0].lower() in ("help", "-h", "--help", "?"):
        return Help()
    sub = SUBCOMMANDS.get(words[0].lower())
    if sub is None or sub.parser is None:
        return Help(unknown=words[0])
    return sub.parser(words[1:])


def usage_of(exc: Exception) -> str | None:
    """The usage line to show with an error: its subcommand's (a ParseError), or the one it carries."""
    if isinstance(exc, ParseError):
        sub = SUBCOMMANDS.get(exc.subcommand or "")
        return sub.usage_line if sub else None
    return getattr(exc, "usage", None)


def help_for(unknown: str | None = None, allowed: Callable[[Subcommand], bool] | None = None) -> Message:
    """The help card: every subcommand the asker may run (`allowed`), each with usage and example."""
    rows: Sequence[Subcommand] = [sub for sub in SUBCOMMANDS.values() if allowed is None or allowed(sub)]
    return render_help(rows, unknown)


def dispatch(uses: UseCases, intent: Intent, asker: Asker) -> list[Reply]:
    """The one way into work, from every surface: the intent's row's handler, with the use cases
    it needs and the asker; every failure becomes a reply. The gate has checked the row's use case."""
    handler = row_of(intent).handler
    assert handler is not None, f"{type(intent).__name__} has no handler"
    return answer_with(handler, uses, intent, asker)
