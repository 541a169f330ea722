"""`/email check`: the real bot over HTTP, LogicBoxes' records from the simulator, live DNS from a
real DNS server on loopback (bot.dnsserver, the sandbox's zones) named in DNS_RESOLVERS."""

from __future__ import annotations

import pytest

from bot.dnsserver import ZoneServer
from bot.simulator import demo_zones


@pytest.fixture
def zones():
    server = ZoneServer(demo_zones()).start()
    yield server
    server.stop()


@pytest.fixture
def checker(start_bot, zones):
    return start_bot(dns_resolvers=[zones.address]).driver


def shown(driver, text: str) -> str:
    reply = driver.command(text)
    assert reply.ack["text"].startswith("Checking DNS for")
    return reply.text()


def test_a_domain_set_up_right(checker):
    text = shown(checker, "check example.com")
    assert "DNS for example.com is right for Enterprise Email." in text
    assert ":x:" not in text and ":warning:" not in text
    assert "Add these records" not in text and "Remove these records" not in text


def test_mx_pointing_to_the_old_host_with_the_fix(checker):
    text = shown(checker, "check acme.com")
    assert text.startswith("DNS check for acme.com")
    assert "Mail for acme.com does not reach Enterprise Email: its MX points to mx.oldhost.net." in text
    assert "*MX* `acme.com` missing: must be `10 mx1.mx.us.enterprise-email.example`; now `nothing`" in text
    assert "*MX* `acme.com` different: must be `not this host`; now `10 mx.oldhost.net`" in text
    add, remove = text.split("Add these records:")[1].split("Remove these records:")
    assert "mx1.mx.us.enterprise-email.example." in add and "mx2.mx.us.enterprise-email.example." in add
    assert "MX 10 mx.oldhost.net." in remove and '"v=spf1 include:_spf.oldhost.net -all"' in remove


def test_two_spf_records_and_no_dmarc(checker):
    text = shown(checker, "check 84372636")  # example.in, by order id
    assert "it has 2 SPF records, a permanent error for receivers." in text
    assert ":grey_exclamation: *DMARC* `_dmarc.example.in` warning" in text
    assert '"v=spf1 a include:spf.mx.in.enterprise-email.example ~all"' in text  # the one record to keep


def test_a_missing_cname_and_an_spf_without_the_include(checker):
    text = shown(checker, "check jane@globex.com")  # an address: its domain
    assert "its SPF record lacks include:spf.mx.us.enterprise-email.example." in text
    assert "*CNAME* `autodiscover.globex.com` missing" in text


def test_mail_split_with_another_provider(checker):
    text = shown(checker, "check hooli.in")
    assert "Mail for hooli.in is split: its MX also points to aspmx.l.google.com" in text


def test_a_domain_that_does_not_exist(checker):
    text = shown(checker, "check initech.com")
    assert "initech.com does not exist in DNS (NXDOMAIN)" in text


def test_a_domain_with_no_order_is_said_as_order_says_it(checker):
    assert "No Enterprise Email order for nope.com in us, in." in shown(checker, "check nope.com")


def test_a_resolver_that_never_answers_is_named_within_the_deadline(start_bot):
    silent = ZoneServer(silent=True).start()
    try:
        driver = start_bot(dns_resolvers=[silent.address], command_deadline=2).driver
        text = shown(driver, "check example.com")
    finally:
        silent.stop()
    assert f"The DNS resolver ({silent.address}) did not answer in time" in text


def test_bad_input_gets_the_usage_line(checker):
    ack = checker.command("check").ack["text"]
    assert "`check` needs a domain or an order id." in ack and "check &lt;domain | order-id | address&gt;" in ack
