"""`/email check`: the real bot over HTTP, LogicBoxes' records from the simulator, live DNS from a
real DNS server on loopback (bot.sandbox.dnsserver, the sandbox's zones) named in DNS_RESOLVERS."""

from __future__ import annotations

import pytest

from bot.sandbox.dnsserver import ZoneServer
from bot.sandbox.simulator import demo_zones


@pytest.fixture
def zones():
    server = ZoneServer(demo_zones()).start()
    yield server
    server.stop()


@pytest.fixture
def checker(start_bot, zones):
    return start_bot(dns_resolvers=zones.address).driver


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
    assert "*MX* `acme.com` different: `10 mx.oldhost.net` is not the order's" in text
    add, remove = text.split("Add these records:")[1].split("Remove these records:")
    assert "mx1.mx.us.enterprise-email.example." in add and "mx2.mx.us.enterprise-email.example." in add
    assert "MX 10 mx.oldhost.net." in remove and '"v=spf1 include:_spf.oldhost.net -all"' in remove


def test_records_without_mx_priorities_compare_hosts_only(checker, sim):
    sim.dns_priorities = False  # dns-record.json as documented
    text = shown(checker, "check example.com")  # live MX 10 and 20 at the right hosts
    assert "DNS for example.com is right for Enterprise Email." in text
    assert "*MX* `example.com` matches: `10 mx1.mx.us.enterprise-email.example`" in text
    text = shown(checker, "check acme.com")  # the old host at 10: its priority is kept for the first new line
    add = text.split("Add these records:")[1].split("Remove these records:")[0]
    assert "acme.com. IN MX 10 mx1.mx.us.enterprise-email.example." in add
    assert "acme.com. IN MX 10 mx2.mx.us.enterprise-email.example." in add
    assert "LogicBoxes gives no MX priority: new MX lines use priority 10" in text


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
        driver = start_bot(dns_resolvers=silent.address, command_deadline=2).driver
        text = shown(driver, "check example.com")
    finally:
        silent.stop()
    assert f"The DNS resolver ({silent.address}) did not answer in time" in text


def test_bad_input_gets_the_usage_line(checker):
    ack = checker.command("check").ack["text"]
    assert "`check` needs a domain or an order id." in ack and "check &lt;domain | order-id | address&gt;" in ack


def test_check_dns_button_on_the_order_and_dns_cards_answers_privately_with_share(checker):
    from tests.support import buttons, visible_text

    for command in ("order acme.com", "dns acme.com"):
        card = checker.command(command).response()
        assert buttons(card)["check_dns"]["value"] == "check 84372633"  # acme.com's order
    reply = checker.click("check_dns", "check 84372633", user="U0AGENT")
    assert reply.status == 200
    result = reply.response(timeout=15)
    assert result["response_type"] == "ephemeral" and result["replace_original"] is False
    assert "its MX points to mx.oldhost.net" in visible_text(result)
    assert buttons(result)["share"]["value"] == "check 84372633"
    shared = checker.click("share", "check 84372633", user="U0AGENT").response(timeout=15)
    assert shared["response_type"] == "in_channel" and "Shared by <@U0AGENT>" in visible_text(shared)


def test_live_answers_are_kept_no_longer_than_their_ttl_or_the_cap(zones):
    from bot.dns.live import CACHE_CAP, LiveDns, parse_resolvers

    class Clock:
        now = 0.0

        def __call__(self) -> float:
            return self.now

    clock = Clock()
    live = LiveDns(parse_resolvers([zones.address]), clock=clock)
    live.observe("example.com", [])
    asked = len(zones.queries)
    live.observe("example.com", [])
    assert len(zones.queries) == asked  # within the cap: from memory
    clock.now += CACHE_CAP + 0.1  # the zone's TTL is 300 s: the cap decides
    live.observe("example.com", [])
    assert len(zones.queries) == 2 * asked


def test_dns_resolvers_setting_names_a_bad_item(tmp_path):
    from bot.config import ConfigError, load_settings

    with pytest.raises(ConfigError) as caught:
        load_settings(dns_resolvers="192.0.2.53:5353,dns.example", _env_file=None)
    assert "DNS_RESOLVERS" in str(caught.value) and "'dns.example': not an IP address (write ip or ip:port)" in str(
        caught.value
    )
    assert load_settings(dns_resolvers="192.0.2.53:5353, [2001:db8::53]:53", _env_file=None).dns_resolvers


def test_a_resolver_that_fails_is_named(start_bot):
    failing = ZoneServer(failing=True).start()
    try:
        text = shown(start_bot(dns_resolvers=failing.address).driver, "check example.com")
    finally:
        failing.stop()
    assert f"The DNS resolver ({failing.address}) failed (SERVFAIL or refused) for MX example.com" in text


def test_an_order_logicboxes_lists_no_records_for(checker, sim):
    from bot.sandbox.simulator import SimOrder

    sim.add(SimOrder(84379999, "bare.example", "us", records=[]))
    text = shown(checker, "check bare.example")
    assert "LogicBoxes lists no DNS records for bare.example: there is nothing to check against." in text
