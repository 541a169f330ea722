"""Nothing anyone types can crash the parser: arbitrary Unicode gives an intent or a ParseError."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.commands import table as c
from bot.commands.table import SUBCOMMANDS

words = st.sampled_from(
    [
        *SUBCOMMANDS,
        "accounts",
        "for",
        "customer:",
        "reason:",
        "invoice:",
        "discount:",
        "autorenew:",
        "page:",
        "status:",
        "expiring:",
        "region:",
        "mo",
        "y",
        "12",
        "6mo",
        "²",
        "①",
        "１２",
        "٣",
        "1e3",
        "-1",
        "0",
        "example.com",
        "<mailto:a@b.c|a@b.c>",
        "<http://x.y|x.y>",
        "jane@example.com",
        "84372632",
        ":",
        "::",
    ]
) | st.text(max_size=12)
lines = st.lists(words, max_size=8).map(" ".join) | st.text(max_size=200)


@given(lines)
@settings(max_examples=1500, deadline=None)
def test_parse_returns_an_intent_or_a_parse_error(text):
    try:
        intent = c.parse(text)
    except c.ParseError as exc:
        assert str(exc)
        return
    assert intent is not None


@given(
    st.sampled_from(
        [
            "order",
            "dns",
            "delete",
            "add-accounts acme.com",
            "remove-accounts acme.com",
            "search page:",
            "price",
            "renew acme.com",
            "audit limit:",
        ]
    ),
    st.sampled_from(["²", "①", "１２", "٣", "12²", "1e3", "0x10", "999999999999999999999", "-5", "1.5"]),
)
def test_only_ascii_digits_make_numbers(command, number):
    try:
        intent = c.parse(f"{command}{'' if command.endswith(':') else ' '}{number}")
    except c.ParseError as exc:
        assert c.usage_of(exc)  # refused with the usage line
        return
    raise AssertionError(f"{command} {number} parsed as {intent}")
