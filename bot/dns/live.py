"""Live DNS for the DNS check (dnspython): what the world sees of a domain right now.

The resolvers are DNS_RESOLVERS (`ip[:port]`, comma-separated) or the system's. An answer is
kept no longer than its TTL and never longer than CACHE_CAP seconds: people re-check right after
fixing a record. Every query shares the command's deadline. The only failures: the domain does
not exist (NXDOMAIN at the apex), or the resolvers fail or do not answer in time, named.
"""

from __future__ import annotations

import ipaddress
import threading
import time
from collections.abc import Callable, Sequence

import dns.exception
import dns.nameserver
import dns.resolver

from bot.dns.check import Observed, bare, fqdn
from bot.logicboxes import DnsRecord
from bot.telemetry import trace

CACHE_CAP = 10.0  # seconds
QUERY_TIMEOUT = 3.0  # seconds per query, within the command's deadline


class DnsCheckError(Exception):
    """A sentence fit to show a Slack user."""


class DomainMissing(DnsCheckError):
    def __init__(self, domain: str):
        super().__init__(
            f"{domain} does not exist in DNS (NXDOMAIN): it is not registered, or its nameservers are not set up. "
            "Mail cannot reach it until the domain resolves."
        )


class ResolverFailed(DnsCheckError):
    def __init__(self, resolvers: str, why: str, name: str, kind: str):
        super().__init__(f"The DNS resolver ({resolvers}) {why} for {kind} {name}; try again in a minute.")


def parse_resolvers(text: Sequence[str]) -> list[tuple[str, int]]:
    """ "192.0.2.53", "192.0.2.53:5353", "[2001:db8::53]:53" -> (address, port)."""
    parsed = []
    for item in text:
        item = item.strip()
        if item.startswith("["):
            address, _, port = item[1:].partition("]")
            port = port.lstrip(":")
        elif item.count(":") == 1:
            address, _, port = item.partition(":")
        else:
            address, port = item, ""
        if port and not (port.isascii() and port.isdigit() and 0 < int(port) < 65536):
            raise ValueError(f"{item!r}: the port must be a number from 1 to 65535")
        try:
            ipaddress.ip_address(address)
        except ValueError:
            raise ValueError(f"{item!r}: not an IP address (write ip or ip:port)") from None
        parsed.append((address, int(port) if port else 53))
    return parsed


class LiveDns:
    def __init__(self, resolvers: list[tuple[str, int]] | None = None, clock: Callable[[], float] = time.monotonic):
        self._resolver = dns.resolver.Resolver(configure=not resolvers)
        if resolvers:
            self._resolver.nameservers = [dns.nameserver.Do53Nameserver(ip, port) for ip, port in resolvers]
        self._resolver.cache = None  # ours, capped
        self._names = ", ".join(f"{ip}:{port}" if port != 53 else ip for ip, port in resolvers or []) or "system"
        self._cache: dict[tuple[str, str], tuple[float, list[str] | None]] = {}
        self._lock = threading.Lock()
        self._clock = clock

    def forget(self) -> None:
        """Drop every cached answer: the watch asks afresh each round."""
        with self._lock:
            self._cache.clear()

    def observe(self, domain: str, required: list[DnsRecord]) -> Observed:
        domain = bare(domain)
        mx_rows = self._ask(domain, "MX", apex=True)
        mx = []
        for row in mx_rows or []:
            priority, _, host = row.partition(" ")
            mx.append((int(priority), bare(host)))
        cnames: dict[str, str | None] = {}
        other: dict[tuple[str, str], list[str]] = {}
        for record in required:
            name = fqdn(record.host, domain)
            if record.type == "CNAME":
                answer = self._ask(name, "CNAME")
                cnames[name] = bare(answer[0]) if answer else None
            elif record.type != "MX" and not (record.type == "TXT" and name == domain):
                other[(record.type, name)] = self._ask(name, record.type) or []
        return Observed(
            mx=mx,
            apex_txt=self._ask(domain, "TXT") or [],
            dmarc_txt=self._ask(f"_dmarc.{domain}", "TXT") or [],
            cnames=cnames,
            other=other,
        )

    def _ask(self, name: str, kind: str, apex: bool = False) -> list[str] | None:
        """The record values (TXT strings joined), or None when the name has none of that type."""
        key = (name, kind)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None and cached[0] > self._clock():
                return cached[1]
        remaining = trace.current().remaining()
        lifetime = QUERY_TIMEOUT if remaining is None else max(0.05, min(QUERY_TIMEOUT, remaining))
        ttl = CACHE_CAP
        try:
            answer = self._resolver.resolve(name, kind, lifetime=lifetime, raise_on_no_answer=False)
        except dns.resolver.NXDOMAIN:
            if apex:
                raise DomainMissing(name) from None
            values = None
        except (dns.resolver.LifetimeTimeout, dns.exception.Timeout):
            raise ResolverFailed(self._names, "did not answer in time", name, kind) from None
        except dns.resolver.NoNameservers:
            raise ResolverFailed(self._names, "failed (SERVFAIL or refused)", name, kind) from None
        else:
            if answer.rrset is None:
                values = None
            else:
                ttl = min(ttl, answer.rrset.ttl)
                values = [_text(rdata, kind) for rdata in answer.rrset]
        with self._lock:
            if len(self._cache) > 10_000:  # a short-lived cache: forgetting it all costs a few queries
                self._cache.clear()
            self._cache[key] = (self._clock() + ttl, values)
        return values


def _text(rdata: object, kind: str) -> str:
    if kind == "TXT":
        return b"".join(rdata.strings).decode(errors="replace")  # type: ignore[attr-defined]
    if kind == "MX":
        return f"{rdata.preference} {rdata.exchange}"  # type: ignore[attr-defined]
    if kind == "CNAME":
        return str(rdata.target)  # type: ignore[attr-defined]
    return rdata.to_text()  # type: ignore[attr-defined]
