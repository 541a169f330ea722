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

from bot.store import Store, engine_for, head_revision, schema_revision
from tests.conftest import process_env
from tests.fakes import ROOT, buttons, visible_text

DB = Path(__file__).parent / "payloads" / "db"
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
    assert "Add accounts to example.in: approved and done" in visible_text(added)
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


def test_no_code_updates_or_deletes_audit_rows():
    """The audit log is append-only in code: only the migration that chains 0.1.0's rows writes to old rows."""
    for path in (ROOT / "bot").rglob("*.py"):
        if "migrations" in path.parts:
            continue
        source = path.read_text()
        for verb in ("update(audit_log", "delete(audit_log", "UPDATE mailops_audit", "DELETE FROM mailops_audit"):
            assert verb not in source, (path, verb)
