"""What the message shortcut finds in a message, as Slack sends its text."""

from __future__ import annotations

from bot.commands.extract import targets
from bot.values.words import Target


def test_domains_addresses_and_order_ids_in_slacks_escaped_forms():
    text = (
        "Hi, mail for <mailto:jane@Acme.com|jane@Acme.com> bounces; see <http://example.com/login|example.com>. "
        "Order 84372632, also globex.com and <https://bücher.com|bücher.com>; ping <@U0AGENT> in <#C0SUPPORT>."
    )
    assert targets(text) == [
        Target(domain="acme.com"),
        Target(domain="example.com"),
        Target(domain="globex.com"),
        Target(domain="xn--bcher-kva.com"),
        Target(order_id=84372632),
    ]


def test_repeats_once_and_nothing_from_noise():
    assert targets("example.com example.com EXAMPLE.COM") == [Target(domain="example.com")]
    assert targets("version 1.2.3, price 12.50, ticket #4411, see https://team.slack.com/x") == []
    assert targets("") == []
