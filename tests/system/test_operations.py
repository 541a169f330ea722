"""Operations: Socket Mode, doctor, JSON logs with correlation ids, the expiry digest."""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
import time

import pytest
import yaml
from websockets.sync.server import serve

from bot.__main__ import main
from bot.approvals.store import head_revision
from bot.commands.table import SUBCOMMANDS
from bot.sandbox.simulator import DAY, SimOrder
from tests.support import (
    API_KEY,
    BOT_TOKEN,
    ROOT,
    SIGNING_SECRET,
    SlackDriver,
    bot_process,
    free_port,
    process_env,
    visible_text,
)

APP_TOKEN = "xapp-1-A1-test-app-token"


def bot_env(sim, slack, tmp_path, **extra: str) -> dict[str, str]:
    return process_env(sim, slack, **{"DATABASE_URL": f"sqlite:///{tmp_path}/ops.db", **extra})


@pytest.fixture
def in_env(monkeypatch, tmp_path, sim, slack):
    """Run an entry point in this process with the bot's environment (and no stray .env)."""
    monkeypatch.chdir(tmp_path)
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", list(root.handlers))  # entry points configure logging: undo it
    monkeypatch.setattr(root, "level", root.level)

    def apply(**extra: str) -> None:
        wanted = bot_env(sim, slack, tmp_path, **extra)
        for key in [k for k in os.environ if k not in wanted]:
            monkeypatch.delenv(key)
        for key, value in wanted.items():
            monkeypatch.setenv(key, value)

    return apply


# ---------------------------------------------------------------- Socket Mode


def test_socket_mode_answers_a_slash_command(sim, slack, tmp_path):
    envelopes: list[dict] = []
    got_ack = threading.Event()
    answered = threading.Event()  # the session stays open until the answer has arrived

    def session(ws) -> None:
        ws.send(json.dumps({"type": "hello", "num_connections": 1, "debug_info": {"host": "test"}}))
        payload = {
            "command": "/email",
            "text": "order acme.com",
            "user_id": "U0AGENT",
            "channel_id": "C0SUPPORT",
            "team_id": "T1",
            "response_url": slack.url + "/response/socket",
            "trigger_id": "1",
        }
        ws.send(
            json.dumps(
                {"envelope_id": "env-1", "type": "slash_commands", "payload": payload, "accepts_response_payload": True}
            )
        )
        while not got_ack.is_set():
            try:
                message = json.loads(ws.recv(timeout=10))
            except TimeoutError:
                return
            envelopes.append(message)
            if message.get("envelope_id") == "env-1":
                got_ack.set()
        answered.wait(30)

    with serve(session, "127.0.0.1", 0) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        slack.socket_url = f"ws://127.0.0.1:{server.socket.getsockname()[1]}/link"
        env = bot_env(sim, slack, tmp_path, SLACK_APP_TOKEN=APP_TOKEN)
        del env["SLACK_SIGNING_SECRET"]  # Socket Mode needs none
        with bot_process([sys.executable, "-m", "bot"], env, tmp_path) as bot:  # no port: nothing listens
            assert got_ack.wait(30), "no envelope ack came back"
            (ack,) = [e for e in envelopes if e.get("envelope_id") == "env-1"]
            assert ack["payload"]["text"] == "Looking up acme.com..."
            answer = slack.wait("/response/socket", 1, timeout=15)[0]
            answered.set()
            assert "acme.com · Active" in visible_text(answer)
    assert APP_TOKEN not in bot.output and BOT_TOKEN not in bot.output
    opened = slack.posts("/api/apps.connections.open")
    assert opened, "the bot did not ask Slack for a Socket Mode URL"


def test_socket_mode_manifest():
    manifest = yaml.safe_load((ROOT / "manifest.socket-mode.yml").read_text())
    http = yaml.safe_load((ROOT / "manifest.yml").read_text())
    assert manifest["settings"]["socket_mode_enabled"] is True
    (command,) = manifest["features"]["slash_commands"]
    assert "url" not in command and "request_url" not in manifest["settings"]["interactivity"]
    assert manifest["oauth_config"] == http["oauth_config"]
    assert command["usage_hint"] == http["features"]["slash_commands"][0]["usage_hint"]
    assert command["usage_hint"].split(" | ") == list(SUBCOMMANDS)
    for key in ("display_information", "features", "oauth_config", "settings"):
        assert key in manifest


# ---------------------------------------------------------------- doctor


def run_doctor(capsys) -> tuple[int, str]:
    code = main(["doctor"])
    return code, capsys.readouterr().out


def test_doctor_all_pass(in_env, slack, capsys):
    in_env(APPROVAL_CHANNEL="C0APPROVALS")
    slack.valid_tokens = {BOT_TOKEN}
    slack.groups["S0ONCALL"] = ["U0ONCALL", "U0LEAD"]
    main(["migrate"])  # an instance has started on this database before
    capsys.readouterr()
    code, out = run_doctor(capsys)
    assert code == 0, out
    assert "PASS  Slack auth.test" in out and "PASS  LogicBoxes us" in out and "PASS  LogicBoxes in" in out
    assert "PASS  Slack scopes: all 6 the features need" in out
    assert "PASS  approval channel: the bot is in C0APPROVALS" in out
    assert "PASS  approver group S0ONCALL: 2 members" in out
    assert "PASS  database: sqlite reachable, schema up to date" in out
    assert "10 passed, 0 warnings, 0 failed" in out
    assert "WARN" not in out and "fix:" not in out
    assert API_KEY not in out and BOT_TOKEN not in out and SIGNING_SECRET not in out


def test_doctor_checks_the_alerts_channel(in_env, slack, capsys):
    in_env(ALERTS_CHANNEL="C0ALERTS")
    slack.valid_tokens = {BOT_TOKEN}
    main(["migrate"])
    capsys.readouterr()
    code, out = run_doctor(capsys)
    assert "PASS  alerts channel: the bot is in C0ALERTS" in out, out
    slack.shared_channels.add("C0ALERTS")
    code, out = run_doctor(capsys)
    assert (
        "WARN  alerts channel: C0ALERTS is shared with another organisation: its people would read the watch's " in out
    )
    assert "fix: use a channel only your own workspace is in for ALERTS_CHANNEL" in out
    slack.not_in_channels.add("C0ALERTS")
    code, out = run_doctor(capsys)
    assert code == 1 and "FAIL  alerts channel: the bot is not in C0ALERTS: the watch's alerts cannot be posted" in out


def test_doctor_warnings_alone_exit_0(in_env, sim, slack, capsys, tmp_path):
    in_env(APPROVERS="", RESELLER_API_URL=sim.base_url)
    slack.scopes = None  # Slack sent no x-oauth-scopes header
    sim.orders = dict(list(sim.orders.items())[:1])  # "1 order", not "1 orders"
    code, out = run_doctor(capsys)
    assert code == 0, out
    assert "WARN  Slack scopes: Slack did not report the token's scopes" in out
    assert (
        "WARN  approvers: APPROVERS is empty: every change (delete, add-accounts, renew, suspend...) is refused" in out
    )
    assert "WARN  database: sqlite reachable; a fresh database (or one from 0.1.0)" in out
    assert "answered; 1 order\n" in out
    assert ", 3 warnings, 0 failed" in out
    from sqlalchemy import inspect

    from bot.approvals.store import engine_for

    assert inspect(engine_for(f"sqlite:///{tmp_path}/ops.db")).get_table_names() == [], "doctor changed the database"


def test_doctor_warns_about_the_vendors_test_server_and_pending_migrations(in_env, slack, capsys, tmp_path):
    from bot.approvals.store import engine_for, migrate

    in_env(RESELLER_API_URL="https://test.httpapi.com/api", CONNECT_TIMEOUT="0.2", RETRIES="0")
    migrate(engine_for(f"sqlite:///{tmp_path}/ops.db"), "0004")
    code, out = run_doctor(capsys)
    assert "WARN  LogicBoxes server: https://test.httpapi.com/api is the vendor's test server" in out
    assert "fix: set RESELLER_API_URL=https://httpapi.com/api for production" in out
    assert (
        f"WARN  database: sqlite reachable; schema at 0004, migrations to {head_revision()} are applied at the "
        "next start" in out
    )
    assert code == 1  # the test server is not reachable from here: that is a failure of its own


def test_doctor_fails_on_a_missing_scope_an_absent_channel_and_an_unknown_group(in_env, slack, capsys):
    in_env(APPROVAL_CHANNEL="C0APPROVALS", APPROVERS="U0ONCALL,S0GONE,S0EMPTY")
    slack.scopes = "commands,chat:write"
    slack.not_in_channels.add("C0APPROVALS")
    slack.missing_groups.add("S0GONE")
    code, out = run_doctor(capsys)
    assert code == 1
    assert (
        "FAIL  Slack scopes: the token lacks usergroups:read, users:read, channels:read, groups:read "
        "(usergroups:read for approver and cost-viewer user groups; users:read for who is asking: their own "
        "workspace, guest and Slack Connect status" in out
    )
    assert (
        "FAIL  approval channel: the bot is not in C0APPROVALS" in out and "fix: /invite @mailops in C0APPROVALS" in out
    )
    assert "FAIL  approver group S0GONE: does not resolve (no_such_subteam)" in out
    assert "WARN  approver group S0EMPTY: has no members" in out
    slack.missing_channels.add("C0APPROVALS")
    code, out = run_doctor(capsys)
    assert "FAIL  approval channel: C0APPROVALS not found: it does not exist, or it is private" in out


def test_doctor_names_each_failure_with_a_fix(in_env, sim, slack, capsys):
    in_env(SLACK_SIGNING_SECRET="not-a-signing-secret", DATABASE_URL=f"postgresql://nobody@127.0.0.1:{free_port()}/x")
    slack.valid_tokens = {"xoxb-some-other-token"}
    sim.whitelisted = False
    code, out = run_doctor(capsys)
    assert code == 1
    assert "FAIL  Slack signing secret" in out and "Basic Information" in out
    assert "FAIL  Slack auth.test: Slack refused the bot token (invalid_auth)" in out
    assert "FAIL  LogicBoxes us: HTTP 403: this server's IP address is not whitelisted" in out
    assert "fix: add this server's public IP" in out
    assert "FAIL  database" in out
    assert "not-a-signing-secret" not in out and API_KEY not in out


def test_doctor_tells_an_unwhitelisted_ip_from_an_order_outside_the_account(in_env, sim, capsys):
    in_env()
    sim.fail("us", "search", "denied200", sticky=True)  # "Access Denied" to an account-wide read: the IP
    code, out = run_doctor(capsys)
    assert code == 1
    assert (
        'FAIL  LogicBoxes us: "Access Denied" to an account-wide order search: this server\'s IP address is not ' in out
    )
    assert "fix: add this server's public IP" in out
    assert "PASS  LogicBoxes in: answered; " in out  # whitelisted there: a denied order is outside the account


def test_doctor_wrong_api_key_and_unreachable_region(in_env, sim, capsys):
    in_env(RESELLER_API_KEY="wrong-key-123")
    code, out = run_doctor(capsys)
    assert code == 1
    assert "FAIL  LogicBoxes us: the reseller id or API key was rejected (Authentication failure)" in out
    assert "fix: check RESELLER_AUTH_USERID and RESELLER_API_KEY" in out and "wrong-key-123" not in out
    in_env(RESELLER_API_URL=f"http://127.0.0.1:{free_port()}/api")
    code, out = run_doctor(capsys)
    assert code == 1 and "FAIL  LogicBoxes us: could not connect (connection refused): if http://127.0.0.1:" in out
    assert "this server's IP may not be whitelisted" in out and "Settings > API in the reseller control panel" in out


def test_doctor_reports_bad_settings(in_env, capsys):
    in_env(SLACK_BOT_TOKEN="xoxp-user-token", RESELLER_REGIONS="eu")
    code, out = run_doctor(capsys)
    assert code == 1
    assert "SLACK_BOT_TOKEN: must start with xoxb-" in out and "RESELLER_REGIONS" in out
    assert "xoxp-user-token" not in out


# ---------------------------------------------------------------- logs


def test_json_logs_carry_a_correlation_id_to_upstream_calls(sim, slack, tmp_path):
    port = free_port()
    env = bot_env(sim, slack, tmp_path, PORT=str(port), LOG_FORMAT="json", LOG_LEVEL="DEBUG")
    with bot_process([sys.executable, "-m", "bot"], env, tmp_path, port) as bot:
        driver = SlackDriver(bot.url, slack, SIGNING_SECRET)
        assert "acme.com · Active" in driver.command("order acme.com", user="U0LOGGED").text()
        bot.process.terminate()  # a clean stop waits for the command's log line, which follows its reply
        assert bot.process.wait(timeout=30) == 0
    output = bot.output
    lines = [json.loads(line) for line in output.splitlines()]  # every line: waitress's and alembic's too
    (command,) = [line for line in lines if line["msg"] == "command"]
    assert command["command"] == "order" and command["user"] == "U0LOGGED" and command["outcome"] == "ok"
    # orderid in both regions (in: not found), then details in us, then the customer's name beside
    # the order's pending actions
    assert command["upstream_calls"] == 5 and "ms" in command and command["cache_hits"] == 0
    upstream = [line for line in lines if line["msg"] == "upstream"]
    assert {u["cid"] for u in upstream} == {command["cid"]} and len(upstream) == 5
    assert {u["call"] for u in upstream} == {
        "enterpriseemail/us/orderid",
        "enterpriseemail/in/orderid",
        "enterpriseemail/us/details",
        "customers/details-by-id",
        "actions/search-current",
    }
    assert {u["where"] for u in upstream} == {"us", "in", "customers", "actions"}
    assert API_KEY not in output and BOT_TOKEN not in output and SIGNING_SECRET not in output
    assert "api-key=***" in output  # urllib3's debug line, redacted


# ---------------------------------------------------------------- digest


def test_digest_pages_through_search_and_splits_messages(in_env, sim, slack, capsys):
    now = int(time.time())
    for i in range(330):
        sim.add(SimOrder(85000000 + i, f"soon{i:03d}.com", "us" if i % 3 else "in", expires=now + (i % 29 + 1) * DAY))
    in_env()
    code = main(["digest", "--channel", "C0DIGEST", "--days", "30"])
    out = capsys.readouterr().out
    assert code == 0, out
    posts = slack.posts("/api/chat.postMessage")
    assert len(posts) >= 3 and all(p["channel"] == "C0DIGEST" for p in posts)
    assert all(len(p["blocks"]) <= 50 for p in posts)
    text = "\n".join(visible_text(p) for p in posts)
    assert all(f"`{85000000 + i}`" in text for i in range(330))
    assert "globex.com" not in text  # expired already: outside the window
    assert sim.count("search", "us") == 3  # 220 orders in us, 100 a page
    assert "Part 1 of" in text and posts[0]["text"].startswith("Enterprise Email orders expiring in the next 30 days")
    assert "posted 335 expiring orders to C0DIGEST" in out  # + 5 demo orders inside the window


def test_digest_not_in_channel(in_env, slack, capsys):
    in_env()
    slack.not_in_channels.add("C0PRIVATE")
    assert main(["digest", "--channel", "C0PRIVATE"]) == 1
    assert "/invite @mailops" in capsys.readouterr().err


def test_doctor_warns_about_a_single_approver(in_env, capsys):
    in_env(APPROVERS="U0ONLY")
    _, out = run_doctor(capsys)
    assert "WARN  approvers: only one approver (U0ONLY): their own requests can never be approved" in out
    assert "add a second approver or an on-call user group" in out
