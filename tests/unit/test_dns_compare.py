"""The DNS check's comparison on its own: what the order needs against what DNS answered."""

from __future__ import annotations

from dataclasses import replace

from bot.dns.check import DEFAULT_MX_PRIORITY_NOTE, Observed, State, compare, fqdn
from bot.logicboxes import DnsRecord

MAIL = "mx.us.enterprise-email.example"
REQUIRED = [
    DnsRecord("MX", "@", f"mx1.{MAIL}", priority=10),
    DnsRecord("MX", "@", f"mx2.{MAIL}", priority=20),
    DnsRecord("TXT", "@", f"v=spf1 include:spf.{MAIL} ~all"),
    DnsRecord("CNAME", "webmail.acme.com", f"webmail.{MAIL}"),
    DnsRecord("CNAME", "autodiscover", f"autodiscover.{MAIL}"),
]
RIGHT = Observed(
    mx=[(10, f"mx1.{MAIL}."), (20, f"MX2.{MAIL}")],
    apex_txt=[f'"v=spf1 include:spf.{MAIL} ~all"', "google-site-verification=abc"],
    dmarc_txt=["v=DMARC1; p=quarantine"],
    cnames={"webmail.acme.com": f"webmail.{MAIL}.", "autodiscover.acme.com": f"autodiscover.{MAIL}"},
)


def states(report) -> list[tuple[str, str, str]]:
    return [(f.kind, f.name, f.state.value) for f in report.findings]


def with_(**changes) -> Observed:
    return Observed(**{**RIGHT.__dict__, **changes})


def test_hosts_as_logicboxes_writes_them():
    assert fqdn("@", "acme.com") == "acme.com"
    assert fqdn("autodiscover", "acme.com") == "autodiscover.acme.com"
    assert fqdn("webmail.acme.com.", "ACME.com") == "webmail.acme.com"


def test_a_domain_set_up_right():
    report = compare("acme.com", REQUIRED, RIGHT)
    assert report.ok and report.verdict == "DNS for acme.com is right for Enterprise Email."
    assert {state for _, _, state in states(report)} == {"matches"}
    assert report.add == [] and report.remove == []


def test_mx_pointing_to_the_old_host():
    report = compare("acme.com", REQUIRED, with_(mx=[(10, "mx.oldhost.net")]))
    assert not report.ok
    assert report.verdict == "Mail for acme.com does not reach Enterprise Email: its MX points to mx.oldhost.net."
    assert states(report)[:3] == [
        ("MX", "acme.com", "missing"),
        ("MX", "acme.com", "missing"),
        ("MX", "acme.com", "different"),
    ]
    assert DnsRecord("MX", "@", "mx.oldhost.net", priority=10) in report.remove
    assert [r.value for r in report.add if r.type == "MX"] == [f"mx1.{MAIL}", f"mx2.{MAIL}"]


def test_mail_split_between_enterprise_email_and_another_host():
    report = compare("acme.com", REQUIRED, with_(mx=[*RIGHT.mx, (5, "aspmx.l.google.com")]))
    assert report.verdict.startswith("Mail for acme.com is split: its MX also points to aspmx.l.google.com")
    assert report.remove == [DnsRecord("MX", "@", "aspmx.l.google.com", priority=5)] and report.add == []


def test_no_mx_at_all_and_a_wrong_priority():
    assert compare("acme.com", REQUIRED, with_(mx=[])).verdict == (
        "Mail for acme.com does not reach Enterprise Email: acme.com has no MX records."
    )
    report = compare("acme.com", REQUIRED, with_(mx=[(10, f"mx1.{MAIL}"), (30, f"mx2.{MAIL}")]))
    (wrong,) = [f for f in report.findings if f.state is State.DIFFERENT]
    assert (wrong.required, wrong.found) == (f"20 mx2.{MAIL}", f"30 mx2.{MAIL}")


def test_spf_without_the_include():
    report = compare("acme.com", REQUIRED, with_(apex_txt=["v=spf1 include:_spf.oldhost.net -all"]))
    assert report.verdict == (
        f"Mail from acme.com may be rejected or marked as spam: its SPF record lacks include:spf.{MAIL}."
    )
    assert report.remove == [DnsRecord("TXT", "@", "v=spf1 include:_spf.oldhost.net -all")]
    assert report.add == [DnsRecord("TXT", "@", f"v=spf1 include:_spf.oldhost.net include:spf.{MAIL} -all")]


def test_two_spf_records_are_one_too_many():
    two = [f"v=spf1 include:spf.{MAIL} ~all", "v=spf1 a:mail.acme.com ~all"]
    report = compare("acme.com", REQUIRED, with_(apex_txt=two))
    assert report.verdict.endswith("it has 2 SPF records, a permanent error for receivers.")
    assert [f.state for f in report.findings if f.kind == "SPF"] == [State.DIFFERENT, State.DIFFERENT]
    assert len(report.remove) == 2
    assert report.add == [DnsRecord("TXT", "@", f"v=spf1 a:mail.acme.com include:spf.{MAIL} ~all")]


def test_no_spf_record():
    report = compare("acme.com", REQUIRED, with_(apex_txt=["some-verification=1"]))
    assert report.verdict.endswith("it has no SPF record.")
    assert report.add == [REQUIRED[2]]


def test_missing_and_wrong_cnames():
    report = compare("acme.com", REQUIRED, with_(cnames={"webmail.acme.com": "old.webmail.net"}))
    assert report.verdict == (
        "Mail for acme.com reaches Enterprise Email, but phones and mail apps may not find the server: "
        "webmail.acme.com, autodiscover.acme.com are missing or wrong."
    )
    assert ("CNAME", "webmail.acme.com", "different") in states(report)
    assert ("CNAME", "autodiscover.acme.com", "missing") in states(report)
    assert report.remove == [DnsRecord("CNAME", "webmail.acme.com", "old.webmail.net")]


def test_no_dmarc_is_a_warning_not_a_failure():
    report = compare("acme.com", REQUIRED, with_(dmarc_txt=[]))
    assert report.ok
    assert report.verdict == "DNS for acme.com is right for Enterprise Email; a DMARC record is recommended."
    (dmarc,) = [f for f in report.findings if f.kind == "DMARC"]
    assert dmarc.state is State.WARNING and dmarc.name == "_dmarc.acme.com"
    assert report.add == [DnsRecord("TXT", "_dmarc.acme.com", "v=DMARC1; p=none; rua=mailto:postmaster@acme.com")]


def test_any_other_required_record_must_be_there_with_its_value():
    required = [*REQUIRED, DnsRecord("TXT", "_verify", "ee-verify=123"), DnsRecord("A", "mail", "192.0.2.7")]
    seen = with_(other={("TXT", "_verify.acme.com"): ['"ee-verify=999"']})
    report = compare("acme.com", required, seen)
    assert ("TXT", "_verify.acme.com", "different") in states(report)
    assert ("A", "mail.acme.com", "missing") in states(report)
    assert not report.ok


NO_PRIORITY = [replace(r, priority=None) for r in REQUIRED]  # dns-record.json as documented


def test_without_priorities_a_live_mx_at_the_right_hosts_matches_whatever_its_priority():
    report = compare("acme.com", NO_PRIORITY, with_(mx=[(5, f"mx1.{MAIL}"), (50, f"mx2.{MAIL}")]))
    assert report.ok and report.add == [] and report.remove == []
    mx = [f for f in report.findings if f.kind == "MX"]
    assert [(f.state, f.required, f.found) for f in mx] == [
        (State.MATCHES, f"mx1.{MAIL} (any priority)", f"5 mx1.{MAIL}"),
        (State.MATCHES, f"mx2.{MAIL} (any priority)", f"50 mx2.{MAIL}"),
    ]


def test_without_priorities_new_lines_keep_a_live_priority_else_the_named_default():
    report = compare("acme.com", NO_PRIORITY, with_(mx=[(5, "mx.oldhost.net")]))
    added = [(r.value, r.priority) for r in report.add if r.type == "MX"]
    assert added == [(f"mx1.{MAIL}", 5), (f"mx2.{MAIL}", 10)]  # the old host's 5 kept, then the default
    assert report.notes == [DEFAULT_MX_PRIORITY_NOTE] and "priority 10" in DEFAULT_MX_PRIORITY_NOTE
    assert DnsRecord("MX", "@", "mx.oldhost.net", priority=5) in report.remove
    none = compare("acme.com", NO_PRIORITY, with_(mx=[]))
    assert [r.priority for r in none.add if r.type == "MX"] == [10, 10] and none.notes == [DEFAULT_MX_PRIORITY_NOTE]
    assert compare("acme.com", NO_PRIORITY, with_(mx=[(1, "a.old"), (2, "b.old")])).notes == []
