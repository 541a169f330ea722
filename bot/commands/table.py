"""Text after `/email` -> an intent (a small frozen dataclass), or a ParseError.

This module holds the registry of subcommands, one row each (usage, example, summary, parser);
the rows of the changes come from their declarations in bot/changes/. The help card, every
error's usage line and the manifest's usage hint all come from SUBCOMMANDS.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.access import RULES, Role, UseCase
from bot.changes import KINDS, Change
from bot.commands.words import (
    SLACK_LINK,
    ParseError,
    Target,
    is_number,
    join_tenures,
    months,
    normalize_domain,
    one_target,
    options,
    parse_target,
    positive,
)
from bot.config import REGIONS

__all__ = ["PAGE_SIZE", "SUBCOMMANDS", "Change", "Intent", "ParseError", "Target", "parse", "parse_target"]

ORDER_STATUSES = ("InActive", "Active", "Suspended", "Pending Delete Restorable", "Deleted", "Archived")
PAGE_SIZE = 10


# ---------------------------------------------------------------- intents


@dataclass(frozen=True)
class Help:
    unknown: str | None = None


@dataclass(frozen=True)
class OrderLookup:
    target: Target


@dataclass(frozen=True)
class DnsLookup:
    target: Target


@dataclass(frozen=True)
class DnsCheck:
    target: Target


@dataclass(frozen=True)
class Search:
    statuses: tuple[str, ...] = ()
    customer_ids: tuple[int, ...] = ()
    expiring_days: int | None = None
    region: str | None = None
    page: int = 1

    def to_text(self, page: int | None = None) -> str:
        """The command text that reproduces this search (carried by the Next page button)."""
        parts = ["search"]
        parts += [f"status:{status.lower().replace(' ', '-')}" for status in self.statuses]
        parts += [f"customer:{customer}" for customer in self.customer_ids]
        if self.expiring_days is not None:
            parts.append(f"expiring:{self.expiring_days}d")
        if self.region:
            parts.append(f"region:{self.region}")
        parts.append(f"page:{page or self.page}")
        return " ".join(parts)


@dataclass(frozen=True)
class PriceQuote:
    accounts: int
    months: int
    action: str = "add"
    region: str | None = None
    order: Target | None = None  # quote with this order's customer's own price, in its region
    customer_id: int | None = None  # quote with this customer's own price


@dataclass(frozen=True)
class SetupHelp:
    email: str
    username: str
    domain: str


@dataclass(frozen=True)
class History:
    target: Target
    limit: int = 10


@dataclass(frozen=True)
class Audit:
    target: Target | None = None
    limit: int = 20
    reads: bool = False  # who looked at this customer's orders (the access log), not the approvals


Intent = Help | OrderLookup | DnsLookup | DnsCheck | Search | PriceQuote | SetupHelp | History | Change | Audit


# ---------------------------------------------------------------- parsers


def _order(args: list[str]) -> OrderLookup:
    return OrderLookup(one_target("order", args))


def _dns(args: list[str]) -> DnsLookup:
    return DnsLookup(one_target("dns", args))


def _status(text: str) -> str:
    wanted = text.replace("-", " ").replace("_", " ").lower()
    for status in ORDER_STATUSES:
        if status.lower() == wanted:
            return status
    allowed = ", ".join(f"`{s.lower().replace(' ', '-')}`" for s in ORDER_STATUSES)
    raise ParseError(f"Unknown status `{text}`; use one of {allowed}.", "search")


def _region(text: str, name: str) -> str:
    if text.lower() not in REGIONS:
        raise ParseError(f"Unknown region `{text}`; use {' or '.join(REGIONS)}.", name)
    return text.lower()


def _search(args: list[str]) -> Search:
    plain, found = _search_options(args)
    if plain:
        raise ParseError(f"`search` takes `key:value` filters, not `{plain[0]}`.", "search")
    expiring = None
    if "expiring" in found:
        match = re.fullmatch(r"([0-9]+)d?", found["expiring"][0].lower())
        if not match or not 1 <= int(match[1]) <= 3650:
            raise ParseError(f"`expiring:` takes days like `30d`, not `{found['expiring'][0]}`.", "search")
        expiring = int(match[1])
    return Search(
        statuses=tuple(dict.fromkeys(_status(s) for s in found.get("status", []))),
        customer_ids=tuple(positive(c, "A customer id", "search") for c in found.get("customer", [])),
        expiring_days=expiring,
        region=_region(found["region"][0], "search") if "region" in found else None,
        page=positive(found["page"][0], "The page", "search", 1_000_000) if "page" in found else 1,
    )


def _search_options(args: list[str]) -> tuple[list[str], dict[str, list[str]]]:
    """Like parsing.options, but `status:` and `customer:` may repeat (each adds a filter)."""
    repeatable = [w for w in args if w.lower().startswith(("status:", "customer:"))]
    rest = [w for w in args if w not in repeatable]
    plain, found = options(rest, ("status", "customer", "expiring", "region", "page"), "search")
    for word in repeatable:
        key, _, value = word.partition(":")
        if not value:
            raise ParseError(f"`{key.lower()}:` needs a value.", "search")
        found.setdefault(key.lower(), []).append(value)
    return plain, found


def _price(args: list[str]) -> PriceQuote:
    order, customer_id, args = _price_for(args)
    words = [w.lower() for w in args if w.lower() not in ("accounts", "account", "x")]
    action, region, rest = "add", None, []
    for word in words:
        if word in ("add", "renew"):
            action = word
        elif word in REGIONS:
            region = word
        else:
            rest.append(word)
    tokens = join_tenures(rest)
    if len(tokens) != 2 or not is_number(tokens[0]):
        raise ParseError("`price` needs a number of accounts and a tenure, like `12 accounts 6mo`.", "price")
    accounts = positive(tokens[0], "The number of accounts", "price")
    tenure = months(tokens[1], "price")
    if region and order:
        raise ParseError(f"`{region}` and an order do not go together: an order is priced in its own region.", "price")
    return PriceQuote(accounts, tenure, action, region, order, customer_id)


def _price_for(args: list[str]) -> tuple[Target | None, int | None, list[str]]:
    """Split off `for <domain | order-id | customer:<id>>` (or a bare `customer:<id>`)."""
    lowered = [w.lower() for w in args]
    rest, whom = args, []
    if "for" in lowered:
        at = lowered.index("for")
        rest, whom = args[:at], args[at + 1 :]
        if len(whom) != 1:
            raise ParseError("`for` takes one domain, order id or `customer:<id>`.", "price")
    else:
        tagged = [w for w in args if w.lower().startswith("customer:")]
        if tagged:
            whom = tagged[:1]
            rest = [w for w in args if w is not tagged[0]]
    if not whom:
        return None, None, rest
    word = whom[0]
    if word.lower().startswith("customer:"):
        return None, positive(word.split(":", 1)[1], "A customer id", "price"), rest
    return parse_target(word, "price"), None, rest


def _setup(args: list[str]) -> SetupHelp:
    if len(args) != 1:
        raise ParseError("`setup` needs one email address.", "setup")
    user, domain = _address(args[0], "setup")
    return SetupHelp(email=f"{user}@{domain}", username=user, domain=domain)


def _address(word: str, subcommand: str) -> tuple[str, str]:
    """(user, domain) of an email address as pasted into Slack (a mailto: link included)."""
    raw = word
    link = SLACK_LINK.match(raw)
    if link:
        raw = link.group(2) or link.group(1)
    raw = raw.removeprefix("mailto:")
    user, at, host = raw.rpartition("@")
    if not at or not user or not re.fullmatch(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+", user):
        raise ParseError(f"`{word}` is not an email address.", subcommand)
    return user, normalize_domain(host, subcommand)


def _check(args: list[str]) -> DnsCheck:
    if len(args) == 1 and "@" in args[0]:  # someone's address: its domain
        return DnsCheck(Target(domain=_address(args[0], "check")[1]))
    return DnsCheck(one_target("check", args))


MAX_HISTORY = 50


def _history(args: list[str]) -> History:
    plain, found = options(args, ("limit",), "history")
    if len(plain) != 1:
        raise ParseError("`history` needs one domain or order id.", "history")
    limit = positive(found["limit"][0], "The limit", "history", MAX_HISTORY) if "limit" in found else 10
    return History(parse_target(plain[0], "history"), limit)


def _audit(args: list[str]) -> Audit:
    plain, found = options(args, ("limit",), "audit")
    reads = bool(plain) and plain[-1].lower() == "reads"
    plain = plain[:-1] if reads else plain
    if len(plain) > 1:
        raise ParseError("`audit` takes at most one domain or order id.", "audit")
    if reads and not plain:
        raise ParseError("`audit ... reads` needs the domain or order id whose readers to list.", "audit")
    target = parse_target(plain[0], "audit") if plain else None
    limit = positive(found["limit"][0], "The limit", "audit", 100) if "limit" in found else 20
    return Audit(target, limit, reads)


# ---------------------------------------------------------------- the registry


@dataclass(frozen=True)
class Subcommand:
    name: str
    usage: str
    example: str
    summary: str
    parser: Callable[[list[str]], Any] | None = None
    mutates: bool = False
    use_case: UseCase = UseCase.LOOKUP  # what it does, and so the role it needs (bot.access.RULES)

    @property
    def role(self) -> Role | None:
        """Who may run it (None: anyone the workspace lets in)."""
        return RULES[self.use_case].role


def _registry() -> dict[str, Subcommand]:
    lookups = [
        Subcommand(
            "order", "order <domain | order-id>", "order example.com", "Status, accounts, expiry and customer", _order
        ),
        Subcommand(
            "search",
            "search [status:<status>] [customer:<id>] [expiring:<N>d] [region:us|in] [page:<N>]",
            "search status:active expiring:30d",
            "Find orders, 10 per page",
            _search,
            use_case=UseCase.SEARCH,
        ),
        Subcommand(
            "dns",
            "dns <domain | order-id>",
            "dns example.com",
            "DNS records the customer must publish",
            _dns,
            use_case=UseCase.DNS,
        ),
        Subcommand(
            "check",
            "check <domain | order-id | address>",
            "check example.com",
            "Why mail does not arrive: live DNS against what the order needs, with the fix",
            _check,
            use_case=UseCase.CHECK,
        ),
        Subcommand(
            "price",
            "price <N> accounts <M>mo [add|renew] [us|in] [for <domain | order-id | customer:<id>>]",
            "price 12 accounts 6mo for example.com",
            "A quote for N accounts over M months; `for` an order or customer uses that customer's own price",
            _price,
            use_case=UseCase.QUOTE,
        ),
        Subcommand(
            "setup",
            "setup <user@domain>",
            "setup jane@example.com",
            "Phone, Exchange and Outlook settings",
            _setup,
            use_case=UseCase.SETUP,
        ),
        Subcommand(
            "history",
            "history <domain | order-id> [limit:<N>]",
            "history example.com",
            "The order's actions at LogicBoxes, pending and finished, newest first (10, at most 50)",
            _history,
            use_case=UseCase.HISTORY,
        ),
    ]
    changes = [
        Subcommand(k.name, k.usage, k.example, k.summary, k.parse, mutates=True, use_case=UseCase.REQUEST)
        for k in KINDS.values()
    ]
    tail = [
        Subcommand(
            "audit",
            "audit [domain | order-id] [reads] [limit:<N>]",
            "audit example.com reads",
            "Recent requests, decisions and answers; `reads`: who looked at that customer's orders (approvers only)",
            _audit,
            use_case=UseCase.AUDIT,
        ),
        Subcommand("help", "help", "help", "This list", use_case=UseCase.HELP),
    ]
    return {sub.name: sub for sub in (*lookups, *changes, *tail)}


SUBCOMMANDS: dict[str, Subcommand] = _registry()


def use_case_of(intent: Intent) -> UseCase:
    """What this intent does, from its subcommand's row: what the gate checks it against."""
    if isinstance(intent, Change):
        return UseCase.REQUEST
    name = {
        OrderLookup: "order",
        DnsLookup: "dns",
        DnsCheck: "check",
        Search: "search",
        PriceQuote: "price",
        SetupHelp: "setup",
        History: "history",
        Audit: "audit",
    }.get(type(intent), "help")
    return SUBCOMMANDS[name].use_case


def role_for(intent: Intent) -> Role | None:
    """Who may run this intent."""
    return RULES[use_case_of(intent)].role


def parse(text: str) -> Intent:
    """Parse the text after `/email`. Case-insensitive for words; extra spaces are fine."""
    words = text.split()
    if not words or words[0].lower() in ("help", "-h", "--help", "?"):
        return Help()
    sub = SUBCOMMANDS.get(words[0].lower())
    if sub is None or sub.parser is None:
        return Help(unknown=words[0])
    return sub.parser(words[1:])
