"""Find what a message talks about: domains, email addresses and order ids, in the forms Slack
sends them (`<http://example.com|example.com>`, `<mailto:jane@example.com|jane@example.com>`, bare)."""

from __future__ import annotations

import re

from bot.values.words import ParseError, Target, normalize_domain

_LINK = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")
_CHAR = "A-Za-z0-9\u00a1-\uffff"  # letters of internationalised domains too
_EMAIL = re.compile(rf"[A-Za-z0-9.!#$%&'*+/=?^_`{{|}}~-]+@([{_CHAR}.-]+\.[A-Za-z\u00a1-\uffff]{{2,}})")
_LABEL = rf"[{_CHAR}](?:[{_CHAR}-]{{0,61}}[{_CHAR}])?"
_DOMAIN = re.compile(rf"(?<![@\w.-])((?:{_LABEL}\.)+[A-Za-z\u00a1-\uffff]{{2,63}})(?![\w-])")
_ORDER_ID = re.compile(r"(?<![\w.])([0-9]{6,12})(?![\w.])")
_IGNORED = ("slack.com",)


def targets(text: str) -> list[Target]:
    """Every distinct order a message names, in the order it names them."""
    found: list[Target] = []

    def add(target: Target) -> None:
        if target not in found:
            found.append(target)

    plain = _LINK.sub(lambda m: f" {m.group(2) or _strip_scheme(m.group(1))} ", text)
    for match in _EMAIL.finditer(plain):
        _add_domain(match.group(1), add)
    without_emails = _EMAIL.sub(" ", plain)
    for match in _DOMAIN.finditer(without_emails):
        _add_domain(match.group(1), add)
    for match in _ORDER_ID.finditer(without_emails):
        add(Target(order_id=int(match.group(1))))
    return found


def addresses(text: str) -> list[str]:
    """Every distinct email address a message names, lower-cased with its domain in ASCII: the
    logins a customer may have written from."""
    found: list[str] = []
    plain = _LINK.sub(lambda m: f" {m.group(2) or _strip_scheme(m.group(1))} ", text)
    for match in _EMAIL.finditer(plain):
        user = match.group(0).rsplit("@", 1)[0]
        try:
            address = f"{user}@{normalize_domain(match.group(1))}".lower()
        except ParseError:
            continue
        if address not in found:
            found.append(address)
    return found


def _strip_scheme(link: str) -> str:
    if link.startswith(("@", "#", "!")):  # a mention, a channel, a special: not a domain
        return ""
    return re.sub(r"^(?:mailto:|[a-z][a-z0-9+.-]*://)", "", link, flags=re.IGNORECASE)


def _add_domain(raw: str, add) -> None:
    try:
        domain = normalize_domain(raw)
    except ParseError:
        return
    if domain not in _IGNORED and not domain.endswith(tuple(f".{d}" for d in _IGNORED)):
        add(Target(domain=domain))
