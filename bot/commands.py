"""Text after `/email` -> an intent (a small frozen dataclass), or a ParseError.

This module is the single source of the usage text: the help card, every error's usage line
and the manifest's usage hint all come from SUBCOMMANDS.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import idna

from bot.config import INVOICE_OPTIONS, REGIONS

ORDER_STATUSES = ("InActive", "Active", "Suspended", "Pending Delete Restorable", "Deleted", "Archived")
PAGE_SIZE = 10


@dataclass(frozen=True)
class Subcommand:
    name: str
    usage: str
    example: str
    summary: str
    mutates: bool = False


SUBCOMMANDS: dict[str, Subcommand] = {
    s.name: s
    for s in (
        Subcommand(
            "order",
            "order <domain | order-id>",
            "order example.com",
            "Status, accounts, expiry and customer of an order",
        ),
        Subcommand(
            "search",
            "search [status:<status>] [customer:<id>] [expiring:<N>d] [region:us|in] [page:<N>]",
            "search status:active expiring:30d",
            "Find orders, 10 per page",
        ),
        Subcommand("dns", "dns <domain | order-id>", "dns example.com", "DNS records the customer must publish"),
        Subcommand(
            "price",
            "price <N> accounts <M>mo [add|renew] [us|in] [for <domain | order-id | customer:<id>>]",
            "price 12 accounts 6mo for example.com",
            "A quote for N accounts over M months; `for` an order or customer uses that customer's own price",
        ),
        Subcommand("setup", "setup <user@domain>", "setup jane@example.com", "Phone, Exchange and Outlook settings"),
        Subcommand(
            "delete", "delete <domain | order-id>", "delete example.com", "Delete an order (needs approval)", True
        ),
        Subcommand(
            "add-accounts",
            "add-accounts <domain | order-id> <N> [invoice:" + "|".join(INVOICE_OPTIONS) + "] [discount:<amount>]",
            "add-accounts example.com 5",
            "Add mailboxes to an order (needs approval)",
            True,
        ),
        Subcommand(
            "audit",
            "audit [domain | order-id] [limit:<N>]",
            "audit example.com limit:20",
            "Recent approvals (approvers only)",
        ),
        Subcommand("help", "help", "help", "This list"),
    )
}


class ParseError(ValueError):
    """Bad input: `str(exc)` says what was wrong, `usage` is the line to show with it."""

    def __init__(self, message: str, subcommand: str | None = None):
        super().__init__(message)
        self.subcommand = subcommand
        self.usage = f"/email {SUBCOMMANDS[subcommand].usage}" if subcommand else None


# ---------------------------------------------------------------- intents


@dataclass(frozen=True)
class Target:
    """An order named by domain or by order id."""

    domain: str | None = None
    order_id: int | None = None

    def __str__(self) -> str:
        return self.domain or str(self.order_id)


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
class Delete:
    target: Target


@dataclass(frozen=True)
class AddAccounts:
    target: Target
    count: int
    invoice_option: str | None = None
    discount: Decimal | None = None


@dataclass(frozen=True)
class Audit:
    target: Target | None = None
    limit: int = 20


Intent = Help | OrderLookup | DnsLookup | Search | PriceQuote | SetupHelp | Delete | AddAccounts | Audit


# ---------------------------------------------------------------- parsing


def parse(text: str) -> Intent:
    """Parse the text after `/email`. Case-insensitive for words; extra spaces are fine."""
    words = text.split()
    if not words or words[0].lower() in ("help", "-h", "--help", "?"):
        return Help()
    name, args = words[0].lower(), words[1:]
    parser = _PARSERS.get(name)
    if parser is None:
        return Help(unknown=words[0])
    return parser(args)


def _one_target(name: str, args: list[str]) -> Target:
    if len(args) != 1:
        what = "a domain or an order id" if not args else f"one domain or order id, not {len(args)} words"
        raise ParseError(f"`{name}` needs {what}.", name)
    return parse_target(args[0], name)


def is_number(text: str) -> bool:
    """ASCII digits only: str.isdigit() also accepts "²", which int() then refuses."""
    return bool(re.fullmatch(r"[0-9]{1,18}", text))


def parse_target(word: str, subcommand: str | None = None) -> Target:
    if is_number(word):
        return Target(order_id=int(word))
    return Target(domain=normalize_domain(word, subcommand))


_SLACK_LINK = re.compile(r"^<([^|>]+)(?:\|([^>]+))?>$")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def normalize_domain(text: str, subcommand: str | None = None) -> str:
    """Lower-case ASCII (punycode) domain from what a person pastes into Slack."""
    raw = text.strip()
    link = _SLACK_LINK.match(raw)
    if link:  # Slack escapes links: <http://example.com|example.com>, <mailto:a@b.com|a@b.com>
        raw = link.group(2) or link.group(1)
    raw = re.sub(r"^(?:[a-z][a-z0-9+.-]*://|mailto:)", "", raw, flags=re.IGNORECASE)
    raw = raw.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    raw = raw.rsplit("@", 1)[-1].split(":", 1)[0].rstrip(".")
    try:
        domain = idna.encode(raw, uts46=True).decode("ascii")
    except idna.IDNAError:
        raise ParseError(f"`{text}` is not a valid domain name.", subcommand) from None
    labels = domain.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels) or is_number(labels[-1]):
        raise ParseError(f"`{text}` is not a valid domain name.", subcommand)
    return domain


def _order(args: list[str]) -> OrderLookup:
    return OrderLookup(_one_target("order", args))


def _dns(args: list[str]) -> DnsLookup:
    return DnsLookup(_one_target("dns", args))


def _delete(args: list[str]) -> Delete:
    return Delete(_one_target("delete", args))


def _options(args: list[str], allowed: tuple[str, ...], name: str) -> tuple[list[str], dict[str, list[str]]]:
    """Split `key:value` words from plain words; unknown keys are errors."""
    plain, options = [], {}
    for word in args:
        key, sep, value = word.partition(":")
        if not sep or "//" in value or key.lower() == "mailto":
            plain.append(word)
            continue
        key = key.lower()
        if key not in allowed:
            raise ParseError(f"Unknown option `{key}:`; use {', '.join(f'`{a}:`' for a in allowed)}.", name)
        if not value:
            raise ParseError(f"`{key}:` needs a value.", name)
        options.setdefault(key, []).append(value)
    return plain, options


def _positive(text: str, what: str, name: str, maximum: int | None = None) -> int:
    if not is_number(text) or int(text) < 1:
        raise ParseError(f"{what} must be a whole number of 1 or more, not `{text}`.", name)
    if maximum is not None and int(text) > maximum:
        raise ParseError(f"{what} can be at most {maximum}, not {text}.", name)
    return int(text)


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
    plain, options = _options(args, ("status", "customer", "expiring", "region", "page"), "search")
    if plain:
        raise ParseError(f"`search` takes `key:value` filters, not `{plain[0]}`.", "search")
    for key in ("expiring", "region", "page"):
        if len(options.get(key, [])) > 1:
            raise ParseError(f"Give `{key}:` once.", "search")
    expiring = None
    if "expiring" in options:
        match = re.fullmatch(r"(\d+)d?", options["expiring"][0].lower())
        if not match or not 1 <= int(match[1]) <= 3650:
            raise ParseError(f"`expiring:` takes days like `30d`, not `{options['expiring'][0]}`.", "search")
        expiring = int(match[1])
    return Search(
        statuses=tuple(dict.fromkeys(_status(s) for s in options.get("status", []))),
        customer_ids=tuple(_positive(c, "A customer id", "search") for c in options.get("customer", [])),
        expiring_days=expiring,
        region=_region(options["region"][0], "search") if "region" in options else None,
        page=_positive(options["page"][0], "The page", "search", 1_000_000) if "page" in options else 1,
    )


_MONTH_UNITS = {
    "": 1,
    "m": 1,
    "mo": 1,
    "mos": 1,
    "month": 1,
    "months": 1,
    "y": 12,
    "yr": 12,
    "yrs": 12,
    "year": 12,
    "years": 12,
}


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
    # rejoin "6 months" into "6months" so that each remaining token is a number with an optional unit
    tokens: list[str] = []
    for word in rest:
        if tokens and word in _MONTH_UNITS and re.fullmatch(r"\d+", tokens[-1]):
            tokens[-1] += word
        else:
            tokens.append(word)
    if len(tokens) != 2 or not is_number(tokens[0]):
        raise ParseError("`price` needs a number of accounts and a tenure, like `12 accounts 6mo`.", "price")
    accounts = _positive(tokens[0], "The number of accounts", "price")
    match = re.fullmatch(r"(\d+)([a-z]*)", tokens[1])
    if not match or match[2] not in _MONTH_UNITS or int(match[1]) < 1:
        raise ParseError(f"`{tokens[1]}` is not a tenure; write months like `6mo` or years like `1y`.", "price")
    if region and order:
        raise ParseError(f"`{region}` and an order do not go together: an order is priced in its own region.", "price")
    return PriceQuote(accounts, int(match[1]) * _MONTH_UNITS[match[2]], action, region, order, customer_id)


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
        return None, _positive(word.split(":", 1)[1], "A customer id", "price"), rest
    return parse_target(word, "price"), None, rest


def _setup(args: list[str]) -> SetupHelp:
    if len(args) != 1:
        raise ParseError("`setup` needs one email address.", "setup")
    raw = args[0]
    link = _SLACK_LINK.match(raw)
    if link:
        raw = link.group(2) or link.group(1)
    raw = raw.removeprefix("mailto:")
    user, at, host = raw.rpartition("@")
    if not at or not user or not re.fullmatch(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+", user):
        raise ParseError(f"`{args[0]}` is not an email address.", "setup")
    domain = normalize_domain(host, "setup")
    return SetupHelp(email=f"{user}@{domain}", username=user, domain=domain)


def _add_accounts(args: list[str]) -> AddAccounts:
    plain, options = _options(args, ("invoice", "discount"), "add-accounts")
    if len(plain) != 2:
        raise ParseError("`add-accounts` needs an order (domain or id) and a number of accounts.", "add-accounts")
    target = parse_target(plain[0], "add-accounts")
    count = _positive(plain[1], "The number of accounts", "add-accounts")
    invoice = None
    if "invoice" in options:
        wanted = options["invoice"][0].lower()
        invoice = next((opt for opt in INVOICE_OPTIONS if opt.lower() == wanted), None)
        if invoice is None:
            raise ParseError(
                f"Unknown invoice option `{options['invoice'][0]}`; use {', '.join(INVOICE_OPTIONS)}.", "add-accounts"
            )
    discount = None
    if "discount" in options:
        text = options["discount"][0]
        try:
            discount = Decimal(text)
        except InvalidOperation:
            discount = None
        if discount is None or not discount.is_finite() or discount < 0 or discount.as_tuple().exponent < -2:
            raise ParseError(f"`discount:` takes an amount like `10` or `12.50`, not `{text}`.", "add-accounts")
    return AddAccounts(target, count, invoice, discount)


def _audit(args: list[str]) -> Audit:
    plain, options = _options(args, ("limit",), "audit")
    if len(plain) > 1:
        raise ParseError("`audit` takes at most one domain or order id.", "audit")
    target = parse_target(plain[0], "audit") if plain else None
    limit = _positive(options["limit"][0], "The limit", "audit", 100) if "limit" in options else 20
    return Audit(target, limit)


_PARSERS = {
    "order": _order,
    "search": _search,
    "dns": _dns,
    "price": _price,
    "setup": _setup,
    "delete": _delete,
    "add-accounts": _add_accounts,
    "audit": _audit,
}

assert set(_PARSERS) | {"help"} == set(SUBCOMMANDS), "every subcommand needs a parser and a usage line"
