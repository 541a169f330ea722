"""`python -m bot doctor --record DIR` as a reseller runs it on first contact: the real process,
read-only against the simulator, every answer written scrubbed, the report by question id, and the
recorded files read back by the bot's own parsers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.logicboxes import wire
from bot.logicboxes.scrub import PLACEHOLDER
from tests.support import API_KEY, process_env

QUESTIONS = [f"Q{n}" for n in range(1, 11)]


def record(sim, tmp_path: Path, folder: str = "recorded", **env: str) -> subprocess.CompletedProcess:
    environment = process_env(sim, None, RESELLER_AUTH_USERID="1", RESELLER_API_KEY=API_KEY, **env)
    environment["RESELLER_API_URL"] = sim.base_url
    return subprocess.run(
        [sys.executable, "-m", "bot", "doctor", "--record", str(tmp_path / folder)],
        env=environment,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


def answers(folder: Path) -> dict[str, dict]:
    return {json.loads(p.read_text())["name"]: json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))}


def test_record_reads_once_writes_every_answer_scrubbed_and_reports_each_question(sim, tmp_path):
    sim.add_customer(20001, "Hank Scorpio", "Globex Corporation", username="hank@globex.example", balance="42.000")
    done = record(sim, tmp_path)
    assert done.returncode == 0, done.stderr
    assert {call.method for call in sim.calls} == {"GET"}  # read-only: never a change
    folder = tmp_path / "recorded"
    got = answers(folder)
    for name in (
        "search-us",
        "details",
        "dns-record",
        "actions-current-order",
        "actions-archived-order",
        "actions-current-no-such-eaqid",
        "customer-by-id",
        "customer-by-login",
        "customer-search",
        "customer-balance",
        "customer-price",
        "reseller-cost-price",
        "reseller-price",
    ):
        assert name in got and got[name]["http_status"] == 200 and got[name]["content_type"], name
    unknown = got["customer-unknown-login"]  # LogicBoxes' ERROR kept as it came, with its HTTP status
    assert unknown["http_status"] == 500 and unknown["body"]["status"] == "ERROR"
    everything = "".join(p.read_text() for p in folder.iterdir())
    domains = {o.domain for o in sim.orders.values()}
    for secret in (API_KEY, "Hank Scorpio", "Globex Corporation", "hank@globex.example", "465229", *domains):
        assert secret not in everything, secret
    assert "example-1.com" in everything and "customer-1" in everything and "Active" in everything
    # the parsers read what was recorded: keys, types and nesting kept
    assert wire.parse_search(got["search-us"]["body"], "us").orders
    order = wire.parse_order(got["details"]["body"], "us")
    assert order.domain == PLACEHOLDER["domain"].format(n=1) or order.domain.startswith("example-")
    wire.parse_dns(got["dns-record"]["body"], "us")
    wire.parse_actions(got["actions-current-order"]["body"])
    assert wire.parse_customer(got["customer-by-id"]["body"]).name.startswith("customer-")
    assert wire.parse_balance(got["customer-balance"]["body"]).available is not None
    assert wire.enterprise_email_tables(got["customer-price"]["body"])
    report = (folder / "report.md").read_text()
    lines = [line for line in report.splitlines() if line.startswith("- Q")]
    assert [line.split(":")[0].removeprefix("- ") for line in lines] == QUESTIONS
    assert "- Q1: confirmed" in report and "- Q9: confirmed" in report
    assert "- Q3: not seen" in report and "- Q7: " in report
    assert "- Q1: confirmed" in done.stdout  # printed too


def test_record_reports_what_a_real_account_answers_differently(sim, tmp_path):
    sim.empty_queue_error = "No records found"
    sim.page_cap = 5
    done = record(sim, tmp_path)
    assert done.returncode == 0, done.stderr
    report = (tmp_path / "recorded" / "report.md").read_text()
    assert '- Q1: contradicted: search-current answered ERROR "No records found" (read as nothing matched)' in report
    assert "- Q6: contradicted: enterpriseemail/us/search.json served 5 rows of" in report


def test_a_folder_that_is_not_empty_is_refused_and_missing_settings_cannot_run(sim, tmp_path):
    (tmp_path / "recorded").mkdir()
    (tmp_path / "recorded" / "old.json").write_text("{}")
    done = record(sim, tmp_path)
    assert done.returncode == 2 and "is not an empty folder" in done.stderr and sim.calls == []
    env = process_env(None, None)
    missing = subprocess.run(
        [sys.executable, "-m", "bot", "doctor", "--record", str(tmp_path / "new")],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert missing.returncode == 2 and "RESELLER_AUTH_USERID" in missing.stderr
    assert not (tmp_path / "new").exists()


@pytest.mark.parametrize("folder", ["deep/new/folder"])
def test_the_folder_is_created_when_missing(sim, tmp_path, folder):
    assert record(sim, tmp_path, folder).returncode == 0
    assert (tmp_path / folder / "report.md").exists()
