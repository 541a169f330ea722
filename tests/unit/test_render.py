"""Rendering details that the end-to-end tests cannot reach with the simulator's data."""

from __future__ import annotations

from bot.logicboxes import DnsRecord, Order
from bot.render import plain_text, render_dns


def test_dns_values_are_escaped_for_slack_and_read_back_plainly():
    order = Order(1, "example.com", "us", "Active", "enterpriseemailus", 1, None, None, 1, True)
    record = DnsRecord("TXT", "_dmarc", "v=DMARC1; p=none; rua=<mailto:a@example.com>&x", "IN")
    blocks = str(render_dns(order, [record]).as_kwargs()["blocks"])
    assert "&lt;mailto:a@example.com&gt;&amp;x" in blocks and "<mailto:" not in blocks
    assert '_dmarc.example.com. IN TXT "v=DMARC1; p=none; rua=<mailto:a@example.com>&x"' in plain_text(
        render_dns(order, [record])
    )
