"""Words people type -> values, shared by every subcommand and change kind: targets (domain or
order id, as Slack escapes them), `key:value` options, counts, tenures, amounts, `reason:`.
Each failure is a ParseError naming what was wrong and whose usage line to show."""

from __future__ import annotations

import re
from decimal import Decimal

import idna

from bot.config import INVOICE_OPTIONS
from bot.values.intents import Target


class ParseError(ValueError):
    """Bad input: `str(exc)` says what was wrong; `subcommand` names whose usage line to show with it
    (bot.commands.table.usage_of)."""

    def __init__(self, message: str, subcommand: str | None = None):
        super().__init__(message)
        self.subcommand = subcommand


class MissingValues(ParseError):
    """A change named a valid order but left out values it needs: the Slack layer opens a form
    for them instead of an error (a value given but invalid is a plain ParseError)."""

    def __init__(self, message: str, subcommand: str, target: Target, reason: str | None = None):
        super().__init__(message, subcommand)
        self.target, self.reason = target, reason


def is_number(text: str) -> bool:
    """ASCII digits only: str.isdigit() also accepts "²", which int() then refuses."""
    return bool(re.fullmatch(r"[0-9]{1,18}", text))


def parse_target(word: str, subcommand: str | None = None) -> Target:
    if is_number(word):
        return Target(order_id=int(word))
    return Target(domain=normalize_domain(word, subcommand))


def one_target(name: str, args: list[str]) -> Target:
    if len(args) != 1:
        what = "a domain or an order id" if not args else f"one domain or order id, not {len(args)} words"
        raise ParseError(f"`{name}` needs {what}.", name)
    return parse_target(args[0], name)


SLACK_LINK = re.compile(r"^<([^|>]+)(?:\|([^>]+))?>$")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def normalize_domain(text: str, subcommand: str | None = None) -> str:
    """Lower-case ASCII (punycode) domain from what a person pastes into Slack."""
    raw = text.strip()
    link = SLACK_LINK.match(raw)
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


def options(args: list[str], allowed: tuple[str, ...], name: str) -> tuple[list[str], dict[str, list[str]]]:
    """Split `key:value` words from plain words; unknown keys are errors."""
    plain, found = [], {}
    for word in args:
        key, sep, value = word.partition(":")
        if not sep or "//" in value or key.lower().lstrip("<") == "mailto":  # a link, not an option
            plain.append(word)
            continue
        key = key.lower()
        if key not in allowed:
            raise ParseError(f"Unknown option `{key}:`; use {', '.join(f'`{a}:`' for a in allowed)}.", name)
        if not value:
            raise ParseError(f"`{key}:` needs a value.", name)
        found.setdefault(key, []).append(value)
    for key, values in found.items():
        if len(values) > 1:
            raise ParseError(f"Give `{key}:` once.", name)
    return plain, found


def positive(text: str, what: str, name: str, maximum: int | None = None) -> int:
    if not is_number(text) or int(text) < 1:
        raise ParseError(f"{what} must be a whole number of 1 or more, not `{text}`.", name)
    if maximum is not None and int(text) > maximum:
        raise ParseError(f"{what} can be at most {maximum}, not {text}.", name)
    return int(text)


MONTH_UNITS = {
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


def months(text: str, name: str) -> int:
    """`6mo`, `6m`, `6`, `1y`, `1year` -> months."""
    match = re.fullmatch(r"([0-9]{1,4})([a-z]*)", text.lower())
    if not match or match[2] not in MONTH_UNITS or int(match[1]) < 1:
        raise ParseError(f"`{text}` is not a tenure; write months like `6mo` or years like `1y`.", name)
    return int(match[1]) * MONTH_UNITS[match[2]]


def join_tenures(words: list[str]) -> list[str]:
    """ "6 months" -> "6months", so that each token is a number with an optional unit."""
    tokens: list[str] = []
    for word in words:
        if tokens and word.lower() in MONTH_UNITS and re.fullmatch(r"[0-9]+", tokens[-1]):
            tokens[-1] += word.lower()
        else:
            tokens.append(word)
    return tokens


def invoice_option(text: str, name: str) -> str:
    wanted = text.lower()
    found = next((opt for opt in INVOICE_OPTIONS if opt.lower() == wanted), None)
    if found is None:
        raise ParseError(f"Unknown invoice option `{text}`; use {', '.join(INVOICE_OPTIONS)}.", name)
    return found


MAX_AMOUNT = Decimal("1000000")


def amount(text: str, key: str, name: str) -> Decimal:
    """A plain amount: ASCII digits, at most two decimals, no sign or exponent (`10`, `12.50`)."""
    if not re.fullmatch(r"[0-9]{1,7}(?:\.[0-9]{1,2})?", text):
        raise ParseError(f"`{key}:` takes an amount like `10` or `12.50`, not `{text}`.", name)
    value = Decimal(text)
    if value > MAX_AMOUNT:
        raise ParseError(f"`{key}:` can be at most {MAX_AMOUNT:,}, not {text}.", name)
    return value


def on_off(text: str, key: str, name: str) -> bool:
    value = text.lower()
    if value not in ("on", "off", "yes", "no", "true", "false"):
        raise ParseError(f"`{key}:` takes `on` or `off`, not `{text}`.", name)
    return value in ("on", "yes", "true")


MAX_REASON = 500


def split_reason(args: list[str], name: str) -> tuple[list[str], str | None]:
    """`reason:<text>` takes the rest of the line (`reason: text` too): (the other words, the reason)."""
    for index, word in enumerate(args):
        if word.lower().startswith("reason:"):
            text = " ".join([word[len("reason:") :], *args[index + 1 :]]).strip()
            if not text:
                raise ParseError("`reason:` needs some words after it.", name)
            if len(text) > MAX_REASON:
                raise ParseError(f"A reason can be at most {MAX_REASON} characters.", name)
            return args[:index], text
    return args, None
