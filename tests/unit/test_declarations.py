"""One declaration per subcommand: the README's command table, help and usage lines follow the rows."""

from __future__ import annotations

import re
from pathlib import Path

from bot.access import RULES
from bot.commands.table import SUBCOMMANDS, help_for, parse, row_of
from bot.render import plain_text
from bot.values.intents import Change, Help

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()
TABLE = [match[1].replace("\\|", "|") for match in re.finditer(r"^\| `(/email [^`]*)`", README, re.M)]


def test_every_subcommand_has_its_usage_line_in_the_readme_table():
    missing = [sub.usage_line for sub in SUBCOMMANDS.values() if sub.usage_line not in TABLE]
    assert missing == [], "the README's command table must show each row's usage exactly"


def test_the_readme_table_names_no_subcommand_that_is_not_declared():
    assert {cell.split()[1] for cell in TABLE} <= set(SUBCOMMANDS)


def test_every_row_parses_its_own_example_back_to_its_own_intent():
    for sub in SUBCOMMANDS.values():
        intent = parse(sub.example)
        assert row_of(intent) is sub, sub.name
        assert isinstance(intent, Change) == sub.mutates
        assert sub.handler is not None, sub.name  # one dispatcher: every row answers through its handler


def test_role_and_shareable_come_from_the_rows_use_case():
    for sub in SUBCOMMANDS.values():
        assert sub.role == RULES[sub.use_case].role and sub.shareable == RULES[sub.use_case].shareable
    assert not any(sub.shareable for sub in SUBCOMMANDS.values() if sub.mutates)


def test_help_lists_the_rows_and_filters_by_what_the_asker_may_run():
    everything = plain_text(help_for())
    assert all(f"/email {sub.example}" in everything for sub in SUBCOMMANDS.values())
    readers = plain_text(help_for(allowed=lambda sub: not sub.mutates))
    assert "/email order" in readers and "/email delete" not in readers
    assert isinstance(parse("nonsense"), Help) and "Unknown subcommand" in plain_text(help_for("nonsense"))
