"""The words after a subcommand's name -> its intent, or a ParseError saying what was wrong.
One parser per read-only subcommand (each change kind parses its own words, in bot/changes/);
bot.commands.table names which parser serves which subcommand."""

from __future__ import annotations

import re

from bot.config import REGIONS
from bot.values.intents import (
    Audit,
    CustomerLookup,
    DnsCheck,
    DnsLookup,
    History,
    OrderLookup,
    PriceQuote,
    Search,
    SetupHelp,
    Target,
    WatchCommand,
)
from bot.values.words import (
    SLACK_LINK,
    ParseError,
    is_number,
    join_tenures,
    months,
    normalize_domain,
    one_target,
    options,
    parse_target,
    positive,
)

ORDER_STATUSES = ("InActive", "Active", "Suspended", "Pending Delete Restorable", "Deleted", "Archived")


def parse_order(args: list[str]) -> OrderLookup:
    return OrderLookup(one_target("order", args))


def parse_dns(args: list[str]) -> DnsLookup:
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


def parse_search(args: list[str]) -> Search:
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
        customer_ids=tuple(positive(c, "A customer id", "search") for c in found.get("customer", []) if "@" not in c),
        customer_logins=tuple(_login(c, "search") for c in found.get("customer", []) if "@" in c),
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


def parse_price(args: list[str]) -> PriceQuote:
    whom, args = _price_for(args)
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
    return price_from_fields(tokens[0], tokens[1], action, region, whom)


def price_from_fields(
    accounts: str, tenure: str, action: str = "add", region: str | None = None, whom: str | None = None
) -> PriceQuote:
    """A quote from its values one by one, as the quote form and the workflow step hold them (and
    as `parse_price` finds them among the words): accounts, tenure, add or renew, a region, and
    whose price (`whom`: a domain, an order id or `customer:<id>`)."""
    count = positive(accounts.strip(), "The number of accounts", "price")
    tenure_months = months(tenure.strip(), "price")
    if action.lower() not in ("add", "renew"):
        raise ParseError(f"`{action}` is not a quote's action; use `add` or `renew`.", "price")
    region = _region(region, "price") if region else None
    whom = (whom or "").strip()
    login = _login(whom, "price") if "@" in whom and not whom.lower().startswith("customer:") else None
    order, customer_id = _whom(whom) if whom and login is None else (None, None)
    if region and order:
        raise ParseError(f"`{region}` and an order do not go together: an order is priced in its own region.", "price")
    return PriceQuote(count, tenure_months, action.lower(), region, order, customer_id, login)


def _login(word: str, subcommand: str) -> str:
    """A customer's login as typed (or as Slack links it): lower-cased, its domain in ASCII."""
    user, domain = email_address(word.removeprefix("customer:").removeprefix("CUSTOMER:"), subcommand)
    return f"{user}@{domain}".lower()


def _price_for(args: list[str]) -> tuple[str | None, list[str]]:
    """Split off `for <domain | order-id | customer:<id>>` (or a bare `customer:<id>`)."""
    lowered = [w.lower() for w in args]
    if "for" in lowered:
        at = lowered.index("for")
        if len(args[at + 1 :]) != 1:
            raise ParseError("`for` takes one domain, order id, login email or `customer:<id>`.", "price")
        return args[at + 1], args[:at]
    tagged = [w for w in args if w.lower().startswith("customer:")]
    if tagged:
        return tagged[0], [w for w in args if w is not tagged[0]]
    return None, args


def _whom(word: str) -> tuple[Target | None, int | None]:
    """Whose price: an order (domain or id), or a customer (`customer:<id>`)."""
    if word.lower().startswith("customer:"):
        return None, positive(word.split(":", 1)[1], "A customer id", "price")
    return parse_target(word, "price"), None


def parse_setup(args: list[str]) -> SetupHelp:
    if len(args) != 1:
        raise ParseError("`setup` needs one email address.", "setup")
    user, domain = email_address(args[0], "setup")
    return SetupHelp(email=f"{user}@{domain}", username=user, domain=domain)


def email_address(word: str, subcommand: str) -> tuple[str, str]:
    """(user, domain) of an email address as pasted into Slack (a mailto: link included)."""
    raw = word
    link = SLACK_LINK.match(raw)
    if link:
        raw = link.group(2) or link.group(1)
    raw = raw.removeprefix("mailto:")
    user, at, host = raw.rpartition("@")
    if not at or not user or not host or not re.fullmatch(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+", user):
        raise ParseError(f"`{word}` is not an email address.", subcommand)
    return user, normalize_domain(host, subcommand)


def parse_check(args: list[str]) -> DnsCheck:
    if len(args) == 1 and "@" in args[0]:  # someone's address: its domain
        return DnsCheck(Target(domain=email_address(args[0], "check")[1]))
    return DnsCheck(one_target("check", args))


MAX_HISTORY = 50


def parse_history(args: list[str]) -> History:
    plain, found = options(args, ("limit",), "history")
    if len(plain) != 1:
        raise ParseError("`history` needs one domain or order id.", "history")
    limit = positive(found["limit"][0], "The limit", "history", MAX_HISTORY) if "limit" in found else 10
    return History(parse_target(plain[0], "history"), limit)


MIN_CUSTOMER_TEXT = 3


def parse_customer(args: list[str]) -> CustomerLookup:
    """`customer <login email | customer id | name or company> [page:<N>]`."""
    plain, found = options(args, ("page",), "customer")
    page = positive(found["page"][0], "The page", "customer", 1_000_000) if "page" in found else 1
    if len(plain) == 1 and is_number(plain[0]):
        return CustomerLookup(customer_id=positive(plain[0], "A customer id", "customer"), page=page)
    if len(plain) == 1 and "@" in plain[0]:
        user, domain = email_address(plain[0], "customer")
        return CustomerLookup(login=f"{user}@{domain}".lower(), page=page)
    text = " ".join(plain).strip()
    if len(text) < MIN_CUSTOMER_TEXT:
        what = f"`{text}` is too short: " if text else ""
        raise ParseError(
            f"{what}`customer` needs a login email, a customer id, or at least {MIN_CUSTOMER_TEXT} characters "
            "of a name or company.",
            "customer",
        )
    return CustomerLookup(text=text[:100], page=page)


def parse_watch(args: list[str]) -> WatchCommand:
    """`watch`, `watch run`, `watch unmute <domain>`."""
    if not args:
        return WatchCommand()
    action = args[0].lower()
    if action == "run" and len(args) == 1:
        return WatchCommand("run")
    if action == "unmute" and len(args) == 2:
        return WatchCommand("unmute", normalize_domain(args[1], "watch"))
    if action == "unmute":
        raise ParseError("`watch unmute` needs one domain.", "watch")
    raise ParseError(f"`watch` takes `run` or `unmute <domain>`, not `{' '.join(args)}`.", "watch")


def parse_audit(args: list[str]) -> Audit:
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
