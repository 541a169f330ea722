"""Reads are cached; identical lookups in flight share one upstream call (counted at the fake)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor


def test_repeat_lookup_makes_no_upstream_call(slack_driver, sim):
    slack_driver.command("order example.com").text()
    calls = len(sim.calls)
    text = slack_driver.command("order example.com").text()
    assert "example.com · Active" in text
    assert len(sim.calls) == calls


def test_region_is_remembered(slack_driver, sim):
    slack_driver.command("order example.in").text()
    assert sim.count("orderid", "us") == 1 and sim.count("orderid", "in") == 1
    slack_driver.command("dns example.in").text()
    assert sim.count("orderid", "us") == 1  # the region is known now: only in is asked


def test_concurrent_identical_lookups_share_one_call(slack_driver, sim):
    sim.delay = 0.5
    with ThreadPoolExecutor(10) as pool:
        replies = list(pool.map(lambda _: slack_driver.command("order acme.com"), range(10)))
    texts = [reply.text(timeout=15) for reply in replies]
    assert all("acme.com · Active" in t for t in texts)
    assert sim.count("orderid", "us") == 1
    assert sim.count("details", "us") == 1


def test_pricing_fetched_once_for_many_quotes(slack_driver, sim):
    sim.delay = 0.3
    with ThreadPoolExecutor(8) as pool:
        replies = list(pool.map(lambda n: slack_driver.command(f"price {n + 1} 12"), range(8)))
    assert all("USD" in r.text(timeout=15) for r in replies)
    assert sim.count("customer-price") == 1
