"""Why doesn't mail arrive? What an order needs in DNS (LogicBoxes' dns-record.json) against what
the world sees (live DNS), record by record, with a verdict a person can act on and the zone
lines that fix it.

Pure: the live answers come in as `Observed`, so every rule here is tested without a resolver.
Rules, in the order the verdict weighs them:
- MX: each required host with its priority, or at any priority where LogicBoxes gives none (the
  documented dns-record.json has none); any other MX splits mail or sends it to the old host.
- SPF: exactly one `v=spf1` TXT at the apex (two are a permanent error for receivers), carrying
  every `include:` the required record has.
- CNAMEs (webmail, autodiscover, any other): present and pointing where required.
- Any other required record: present with the required value.
- DMARC: a `v=DMARC1` TXT at `_dmarc.<domain>`; its absence is a warning, not a failure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from enum import StrEnum

from bot.logicboxes import DnsRecord


class State(StrEnum):
    MATCHES = "matches"
    MISSING = "missing"
    DIFFERENT = "different"
    WARNING = "warning"  # not required, but recommended (DMARC)


@dataclass(frozen=True)
class Observed:
    """What live DNS answered for one domain. None: the name has no records of that type."""

    mx: list[tuple[int, str]] = field(default_factory=list)  # (priority, host)
    apex_txt: list[str] = field(default_factory=list)
    dmarc_txt: list[str] = field(default_factory=list)
    cnames: dict[str, str | None] = field(default_factory=dict)  # fqdn -> target (None: no CNAME)
    other: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # (type, fqdn) -> values


@dataclass(frozen=True)
class Finding:
    kind: str  # MX, SPF, CNAME, DMARC, TXT, A, ...
    name: str  # the fully qualified name checked
    state: State
    required: str  # what must be there ("": nothing; the record found is not the order's)
    found: str  # what is there now ("nothing" when nothing)


@dataclass(frozen=True)
class Report:
    domain: str
    verdict: str
    ok: bool  # mail reaches Enterprise Email and every required record is in place
    findings: list[Finding]
    add: list[DnsRecord]
    remove: list[DnsRecord]
    notes: list[str] = field(default_factory=list)  # what the person should know about the lines to add


DEFAULT_MX_PRIORITY = 10
DEFAULT_MX_PRIORITY_NOTE = (
    f"LogicBoxes gives no MX priority: new MX lines use priority {DEFAULT_MX_PRIORITY} "
    "(equal priorities share the mail)."
)


def fqdn(host: str, domain: str) -> str:
    """LogicBoxes writes hosts as "@", "autodiscover" or "webmail.example.com": one spelling."""
    host = host.strip().rstrip(".").lower()
    domain = domain.rstrip(".").lower()
    if host in ("", "@", domain):
        return domain
    return host if host.endswith("." + domain) else f"{host}.{domain}"


def bare(name: str) -> str:
    return name.strip().rstrip(".").lower()


def spf_includes(value: str) -> list[str]:
    return [term.lower() for term in value.split() if term.lower().startswith(("include:", "redirect="))]


def is_spf(value: str) -> bool:
    return value.strip().strip('"').lower().split(" ", 1)[0] == "v=spf1"


def compare(domain: str, required: list[DnsRecord], seen: Observed) -> Report:
    domain = bare(domain)
    findings: list[Finding] = []
    add: list[DnsRecord] = []
    remove: list[DnsRecord] = []

    # MX: dns-record.json is documented without priority; where it gives none, hosts alone count
    wanted_mx = [(r.priority, bare(r.value), r) for r in required if r.type == "MX"]
    seen_mx = {bare(host): priority for priority, host in seen.mx}
    wanted_hosts = {host for _, host, _ in wanted_mx}
    live_priorities = [priority for priority, host in seen.mx if bare(host) not in wanted_hosts]  # being replaced
    notes: list[str] = []
    for priority, host, record in wanted_mx:
        if priority is None:
            if host in seen_mx:
                found = f"{seen_mx[host]} {host}"
                findings.append(Finding("MX", domain, State.MATCHES, f"{host} (any priority)", found))
                continue
            chosen = live_priorities.pop(0) if live_priorities else DEFAULT_MX_PRIORITY
            if chosen == DEFAULT_MX_PRIORITY and not any(DEFAULT_MX_PRIORITY_NOTE in n for n in notes):
                notes.append(DEFAULT_MX_PRIORITY_NOTE)
            findings.append(Finding("MX", domain, State.MISSING, f"{host} (any priority)", "nothing"))
            add.append(replace(record, priority=chosen))
        elif host not in seen_mx:
            findings.append(Finding("MX", domain, State.MISSING, f"{priority} {host}", "nothing"))
            add.append(record)
        elif seen_mx[host] != priority:
            findings.append(Finding("MX", domain, State.DIFFERENT, f"{priority} {host}", f"{seen_mx[host]} {host}"))
            remove.append(DnsRecord("MX", "@", host, priority=seen_mx[host]))
            add.append(record)
        else:
            findings.append(Finding("MX", domain, State.MATCHES, f"{priority} {host}", f"{priority} {host}"))
    strays = [(priority, bare(host)) for priority, host in seen.mx if bare(host) not in wanted_hosts]
    for priority, host in strays:
        findings.append(Finding("MX", domain, State.DIFFERENT, "", f"{priority} {host}"))  # "": not required
        remove.append(DnsRecord("MX", "@", host, priority=priority))

    # SPF
    wanted_spf = next(
        (r for r in required if r.type == "TXT" and fqdn(r.host, domain) == domain and is_spf(r.value)), None
    )
    spf_seen = [v for v in seen.apex_txt if is_spf(v)]
    spf_problem = ""
    if wanted_spf is not None:
        needed = spf_includes(wanted_spf.value)
        if not spf_seen:
            findings.append(Finding("SPF", domain, State.MISSING, wanted_spf.value, "nothing"))
            add.append(wanted_spf)
            spf_problem = "it has no SPF record"
        elif len(spf_seen) > 1:
            for value in spf_seen:
                findings.append(Finding("SPF", domain, State.DIFFERENT, "exactly one v=spf1 record", value))
                remove.append(DnsRecord("TXT", "@", value))
            add.append(DnsRecord("TXT", "@", _merged_spf(sorted(spf_seen), needed)))  # sorted: DNS has no order
            spf_problem = f"it has {len(spf_seen)} SPF records, a permanent error for receivers"
        else:
            (current,) = spf_seen
            lacking = [term for term in needed if term not in spf_includes(current)]
            if lacking:
                findings.append(Finding("SPF", domain, State.DIFFERENT, wanted_spf.value, current))
                remove.append(DnsRecord("TXT", "@", current))
                add.append(DnsRecord("TXT", "@", _merged_spf([current], needed)))
                spf_problem = f"its SPF record lacks {' '.join(lacking)}"
            else:
                findings.append(Finding("SPF", domain, State.MATCHES, wanted_spf.value, current))

    # CNAMEs and any other required record
    missing_names: list[str] = []
    for record in required:
        if record.type == "MX" or record is wanted_spf:
            continue
        name = fqdn(record.host, domain)
        if record.type == "CNAME":
            target, current = bare(record.value), seen.cnames.get(name)
            if current is None:
                findings.append(Finding("CNAME", name, State.MISSING, target, "nothing"))
                add.append(record)
                missing_names.append(name)
            elif bare(current) != target:
                findings.append(Finding("CNAME", name, State.DIFFERENT, target, bare(current)))
                remove.append(DnsRecord("CNAME", name, bare(current)))
                add.append(record)
                missing_names.append(name)
            else:
                findings.append(Finding("CNAME", name, State.MATCHES, target, target))
            continue
        apex_txt = record.type == "TXT" and name == domain  # asked once, with the SPF record
        values = [_plain(v) for v in (seen.apex_txt if apex_txt else seen.other.get((record.type, name), []))]
        wanted = _plain(record.value)
        state = State.MATCHES if wanted in values else State.DIFFERENT if values else State.MISSING
        findings.append(Finding(record.type, name, state, wanted, ", ".join(values) or "nothing"))
        if state is not State.MATCHES:
            add.append(record)
            missing_names.append(name)

    # DMARC: recommended, never required
    dmarc_name = f"_dmarc.{domain}"
    dmarc = [v for v in seen.dmarc_txt if v.strip().strip('"').lower().startswith("v=dmarc1")]
    if dmarc:
        findings.append(Finding("DMARC", dmarc_name, State.MATCHES, "v=DMARC1", dmarc[0]))
    else:
        findings.append(Finding("DMARC", dmarc_name, State.WARNING, "v=DMARC1 (recommended)", "nothing"))
        add.append(DnsRecord("TXT", dmarc_name, f"v=DMARC1; p=none; rua=mailto:postmaster@{domain}"))

    verdict, ok = _verdict(domain, wanted_mx, seen, strays, spf_problem, missing_names, bool(dmarc))
    return Report(domain, verdict, ok, findings, add, remove, notes)


def _verdict(
    domain: str,
    wanted_mx: list,
    seen: Observed,
    strays: list[tuple[int, str]],
    spf_problem: str,
    missing_names: list[str],
    has_dmarc: bool,
) -> tuple[str, bool]:
    """The first line: the one problem that matters most, said so that a person knows what to do."""
    wanted_hosts = {host for _, host, _ in wanted_mx}
    present = [host for host in wanted_hosts if host in {bare(h) for _, h in seen.mx}]
    others = ", ".join(host for _, host in strays)
    if wanted_mx and not seen.mx:
        return f"Mail for {domain} does not reach Enterprise Email: {domain} has no MX records.", False
    if wanted_mx and not present:
        return f"Mail for {domain} does not reach Enterprise Email: its MX points to {others}.", False
    if strays:
        return f"Mail for {domain} is split: its MX also points to {others}, so some mail goes there.", False
    if wanted_mx and len(present) < len(wanted_hosts):
        return f"Mail for {domain} reaches Enterprise Email, but not every required MX host is published.", False
    if spf_problem:
        return f"Mail from {domain} may be rejected or marked as spam: {spf_problem}.", False
    if missing_names:
        return (
            f"Mail for {domain} reaches Enterprise Email, but phones and mail apps may not find the server: "
            f"{', '.join(missing_names)} {'is' if len(missing_names) == 1 else 'are'} missing or wrong.",
            False,
        )
    if not has_dmarc:
        return f"DNS for {domain} is right for Enterprise Email; a DMARC record is recommended.", True
    return f"DNS for {domain} is right for Enterprise Email.", True


def _plain(value: str) -> str:
    """A value as compared: unquoted, no trailing dot, any case."""
    return value.strip().strip('"').strip().rstrip(".").lower()


_ALL = re.compile(r"^[+\-~?]?all$", re.IGNORECASE)


def _merged_spf(records: list[str], needed: list[str]) -> str:
    """One SPF record: the first one's mechanisms, plus what the others and the order add."""
    terms: list[str] = []
    for value in records:
        for term in value.strip().strip('"').split()[1:]:
            if _ALL.match(term):
                continue
            if term.lower() not in (t.lower() for t in terms):
                terms.append(term)
    for term in needed:
        if term not in (t.lower() for t in terms):
            terms.append(term)
    final = next(
        (t for v in records for t in v.strip().strip('"').split()[1:] if _ALL.match(t)),
        "~all",
    )
    return " ".join(["v=spf1", *terms, final])
