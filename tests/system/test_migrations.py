"""Databases written by release 0.1.0 upgrade in place (SQLite and PostgreSQL), keep their
pending requests approvable with the buttons 0.1.0 posted, and get a verifiable audit chain."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text

from bot.approvals.store import Store, engine_for, head_revision, schema_revision
from tests.support import PAYLOADS, ROOT, buttons, process_env, visible_text

DB = PAYLOADS / "db"
PENDING_DELETE, PENDING_ADD = "0a1b2c3d4e5f6071", "1b2c3d4e5f607182"  # written by 0.1.0, still pending


def sqlite_010(tmp_path: Path) -> str:
    copy = tmp_path / "mailops-0.1.0.sqlite3"
    shutil.copy(DB / "mailops-0.1.0.sqlite3", copy)
    return f"sqlite:///{copy}"


def postgres_010(pg_url: str) -> str:
    sql = (DB / "mailops-0.1.0.postgres.sql").read_text()
    with psycopg.connect(pg_url.replace("postgresql://", "postgresql://"), autocommit=True) as conn:
        conn.execute(sql)
    return pg_url


@pytest.fixture(params=["sqlite", "postgres"])
def url_010(request, tmp_path) -> str:
    if request.param == "sqlite":
        return sqlite_010(tmp_path)
    return postgres_010(request.getfixturevalue("pg_url"))


def run(argv: list[str], database_url: str, cwd: Path) -> subprocess.CompletedProcess:
    env = process_env(DATABASE_URL=database_url)
    return subprocess.run(
        [sys.executable, "-m", "bot", *argv], env=env, cwd=cwd, capture_output=True, text=True, timeout=60
    )


def test_the_010_database_upgrades_and_its_pending_requests_still_work(start_bot, sim, url_010):
    assert schema_revision(engine_for(url_010)) is None  # 0.1.0 had no migrations
    bot = start_bot(database_url=url_010)
    assert schema_revision(engine_for(url_010)) == head_revision()
    # the buttons 0.1.0 posted: action id `approve`, the request id as value
    bot.driver.click("approve", PENDING_DELETE, user="U0LEAD")
    update = bot.driver.slack.wait_outcomes(1)[0]
    assert update["channel"] == "C0SUPPORT" and update["ts"] == "1700000000.000101"
    assert "Delete acme.com: approved and done" in visible_text(update) and buttons(update) == {}
    bot.driver.click("approve", PENDING_ADD, user="U0ONCALL")
    added = bot.driver.slack.wait_outcomes(2)[1]
    assert "Add accounts to example.in: accepted by LogicBoxes, being processed" in visible_text(added)  # InvoicePaid
    sim.finish_all()
    assert sim.count("delete", method="POST") == 1 and sim.orders[84372636].accounts == 30
    verdict = bot.bot.deps.approvals.store.verify_audit()
    assert verdict.ok and verdict.rows == 5 + 6  # 0.1.0's five rows, chained, then approve, answer, execute twice


def test_order_ids_beyond_32_bits(url_010):
    store = Store(url_010)
    row = dict(
        id="big",
        kind="delete",
        order_id=9_876_543_210,
        domain="big.com",
        region="us",
        details={},
        requester="U1",
        status="pending",
        created_at=0.0,
        expires_at=1.0,
    )
    store.add(row)
    store.audit("request", "U1", row)
    assert store.get("big")["order_id"] == 9_876_543_210
    assert store.recent(1, order_id=9_876_543_210)[0].order_id == 9_876_543_210


def test_migrate_command_and_a_second_run_is_a_no_op(url_010, tmp_path):
    first = run(["migrate"], url_010, tmp_path)
    assert first.returncode == 0, first.stderr
    assert f"database schema: none (0.1.0 or new) -> {head_revision()}" in first.stdout
    second = run(["migrate"], url_010, tmp_path)
    assert f"database schema: {head_revision()} -> {head_revision()}" in second.stdout


def test_audit_verify_catches_an_edited_and_a_removed_row(url_010, tmp_path):
    store = Store(url_010)
    store.audit("note", "U1", None, {"n": 1})
    ok = run(["audit", "verify"], url_010, tmp_path)
    assert ok.returncode == 0 and "audit log intact: 6 rows" in ok.stdout
    with store.engine.begin() as conn:  # someone edits history with SQL
        conn.execute(text('UPDATE mailops_audit SET detail = \'{"result": "denied"}\' WHERE id = 5'))
    edited = run(["audit", "verify"], url_010, tmp_path)
    assert edited.returncode == 1
    assert "audit log BROKEN at row 5: it does not match its hash (the row was edited)" in edited.stderr
    assert "the 4 rows before it are intact" in edited.stderr
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM mailops_audit WHERE id = 5"))
    removed = run(["audit", "verify"], url_010, tmp_path)
    assert removed.returncode == 1 and "BROKEN at row 6: it does not follow the row before it" in removed.stderr


def test_audit_verify_against_a_kept_head_names_a_cut_tail(url_010, tmp_path, caplog):
    """Deleting the newest rows leaves a chain that still follows: only a head kept outside the
    database (printed by verify, and logged with every row) shows what went missing."""
    import logging

    caplog.set_level(logging.INFO)
    store = Store(url_010)
    store.audit("note", "U1", None, {"n": 1})
    logged = [r.getMessage() for r in caplog.records if r.getMessage().startswith("audit_row")][-1]
    ok = run(["audit", "verify"], url_010, tmp_path)
    (head_line,) = [line for line in ok.stdout.splitlines() if line.startswith("head ")]
    head = head_line.split()[1]
    assert head.startswith("6:") and logged == f"audit_row row=6 hash={head.split(':')[1]} action=note"
    store.audit("note", "U1", None, {"n": 2})
    assert run(["audit", "verify", "--head", head], url_010, tmp_path).returncode == 0  # the log grew past it
    with store.engine.begin() as conn:  # someone removes the two newest rows with SQL
        conn.execute(
            text("DELETE FROM mailops_audit WHERE id IN (SELECT id FROM mailops_audit ORDER BY id DESC LIMIT 2)")
        )
    assert run(["audit", "verify"], url_010, tmp_path).returncode == 0  # the chain alone cannot tell
    cut = run(["audit", "verify", "--head", head], url_010, tmp_path)
    assert cut.returncode == 1
    assert "audit log BROKEN: the chain has 5 rows, but the head kept names 6: row 6 missing" in cut.stderr
    bad = run(["audit", "verify", "--head", "six:abc"], url_010, tmp_path)
    assert bad.returncode == 2 and "a head is <rows>:<64 hex digits>" in bad.stderr


def test_no_code_updates_or_deletes_audit_rows():
    """The audit log is append-only in code: only the migration that chains 0.1.0's rows writes to old rows."""
    for path in (ROOT / "bot").rglob("*.py"):
        if "migrations" in path.parts:
            continue
        source = path.read_text()
        for verb in ("update(audit_log", "delete(audit_log", "UPDATE mailops_audit", "DELETE FROM mailops_audit"):
            assert verb not in source, (path, verb)


def test_a_change_0x_called_done_on_invoicepaid_is_followed_once_after_the_upgrade(start_bot, sim, tmp_path):
    """0.x closed InvoicePaid answers as done; within the last 7 days, the upgrade follows them."""
    import json as json_
    import time

    from bot.approvals.store import migrate

    url = f"sqlite:///{tmp_path}/upgrade.db"
    engine = engine_for(url)
    migrate(engine, "0006")
    eaqid = sim.queue_action(84372633, "AddEmailAccount", "Addition of 5 accounts", "InvoicePaid")
    now = time.time()
    rows = [  # (id, answer's status, decided how long ago, eaqid)
        ("recentinvoice01", "InvoicePaid", 3600, eaqid),
        ("oldinvoicepaid1", "InvoicePaid", 8 * 86400, "469099999"),
        ("recentsuccess01", "Success", 3600, "469099998"),
    ]
    with engine.begin() as conn:
        for ident, status, ago, action in rows:
            conn.execute(
                text(
                    "INSERT INTO mailops_approvals (id, kind, order_id, domain, region, details, requester, channel, "
                    "message_ts, status, created_at, expires_at, decided_by, decided_at, outcome) VALUES (:id, "
                    "'add-accounts', 84372633, 'acme.com', 'us', :details, 'U0AGENT', 'C0SUPPORT', '1700000000.1', "
                    "'done', :at, :exp, 'U0LEAD', :at, :outcome)"
                ),
                {
                    "id": ident,
                    "details": json_.dumps({"count": 5, "accounts": 40}),
                    "at": now - ago,
                    "exp": now - ago + 1800,
                    "outcome": json_.dumps({"action_status": status, "eaqid": action}),
                },
            )
    bot = start_bot(database_url=url)  # migrates to head
    store = bot.bot.deps.approvals.store
    assert [store.get(i)["status"] for i, *_ in rows] == ["accepted", "done", "done"]
    sim.finish_action(eaqid, "Failed", "Insufficient funds")
    (followed,) = bot.bot.deps.approvals.sweep()
    assert followed.id == "recentinvoice01" and followed.status.value == "failed"
    said = [p["text"] for p in bot.driver.slack.posts("/api/chat.postMessage") if p.get("thread_ts")]
    assert any("LogicBoxes reports it failed: Insufficient funds" in text for text in said)
