"""The bot as a process and beside a failing database: a replayed request refused across processes,
a revoked token at start, and PostgreSQL outages (lookups go on, approvals say why, readiness names
it). Moved from the end-to-end layer: these start processes or take a database down."""

from __future__ import annotations

import logging
import subprocess
import sys
import urllib.error
import urllib.request
from contextlib import ExitStack
from urllib.parse import urlencode

from tests.support import (
    SIGNING_SECRET,
    SlackDriver,
    approval_id,
    bot_process,
    database_down,
    free_port,
    process_env,
    request,
)


def test_a_replayed_request_is_refused_across_processes(sim, slack, tmp_path):

    database_url = f"sqlite:///{tmp_path}/shared.db"
    with ExitStack() as stack:
        drivers = []
        for _ in range(2):
            port = free_port()
            env = process_env(sim, slack, PORT=str(port), DATABASE_URL=database_url, LOG_LEVEL="WARNING")
            running = stack.enter_context(bot_process([sys.executable, "-m", "bot"], env, tmp_path, port))
            drivers.append(SlackDriver(running.url, slack, SIGNING_SECRET))
        fields = {
            "command": "/email",
            "text": "order example.com",
            "user_id": "U0AGENT",
            "team_id": "T1",
            "channel_id": "C1",
            "response_url": slack.url + "/response/replayed",
        }
        body = urlencode(fields)
        headers = drivers[0].sign(body)
        assert drivers[0].post(body, headers)[0] == 200
        slack.wait("/response/replayed", 1)
        assert drivers[0].post(body, headers)[0] == 401  # the same process: refused before the ack
        # another process acks at once (no database write before an ack) and refuses to work
        assert drivers[1].post(body, headers)[0] == 200
        marker = urlencode({**fields, "text": "order acme.com", "response_url": slack.url + "/response/marker"})
        drivers[1].post(marker, drivers[1].sign(marker))
        slack.wait("/response/marker", 1)  # a later command of that process is answered...
    assert len(slack.posts("/response/replayed")) == 1  # ... but the replay never was
    assert "refused a replayed request (another process served its signature)" in running.output


def test_lookups_go_on_when_the_database_is_down(start_bot, sim, pg_url, caplog):

    caplog.set_level(logging.WARNING)
    bot = start_bot(database_url=pg_url)
    name = pg_url.rsplit("/", 1)[1]
    database_down(name, True)
    try:
        reply = bot.driver.command("order example.com")
        assert reply.status == 200 and "example.com · Active" in reply.text()
        assert bot.bot.deps.workers.wait_idle(10)
    finally:
        database_down(name, False)
    assert "replay memory falls back to this process" in caplog.text


def test_a_database_down_at_start_is_not_fatal(start_bot, sim, pg_url):

    name = pg_url.rsplit("/", 1)[1]
    database_down(name, True)
    try:
        bot = start_bot(database_url=pg_url)  # starts, and serves lookups
        assert "example.com · Active" in bot.driver.command("order example.com").text()
        assert bot.bot.deps.approvals.store.ensure_ready() is False
    finally:
        database_down(name, False)
    assert bot.bot.deps.approvals.store.ensure_ready() is True  # what the sweep does every interval
    _, note = request(bot.driver, "delete acme.com")
    assert "Approval requested" in note


def test_readiness_names_what_is_wrong_and_liveness_stays_up(start_bot, sim, pg_url):

    def get(bot, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(bot.url + path, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    bot = start_bot(http=True, database_url=pg_url)  # the probes as a platform reads them
    assert get(bot, "/readyz") == (200, "ready\n")
    name = pg_url.rsplit("/", 1)[1]
    database_down(name, True)
    try:
        status, body = get(bot, "/readyz")
        assert status == 503 and body.startswith("database unreachable (")
        assert get(bot, "/healthz") == (200, "ok\n")  # alive, just not ready
    finally:
        database_down(name, False)
    assert get(bot, "/readyz") == (200, "ready\n")


def test_an_unreachable_database_is_named_and_nothing_is_sent(start_bot, sim, pg_url):

    bot = start_bot(database_url=pg_url)
    message, _ = request(bot.driver, "add-accounts acme.com 5")
    name = pg_url.rsplit("/", 1)[1]
    calls = len(sim.calls)
    database_down(name, True)
    try:
        unavailable = "Approvals are unavailable: the database cannot be reached; lookups still work."
        assert bot.driver.command("renew example.com 12mo").text() == unavailable
        assert unavailable in bot.driver.click("approve", approval_id(message), user="U0LEAD").text()
        assert len(sim.calls) == calls  # LogicBoxes was asked nothing
        assert "example.com · Active" in bot.driver.command("order example.com").text()  # lookups still work
    finally:
        database_down(name, False)
    assert sim.count("add-email-account", method="POST") == 0


def test_a_revoked_token_at_start_is_one_line_and_exit_2(slack, sim, tmp_path):
    slack.valid_tokens = {"xoxb-some-other-token"}
    env = process_env(sim, slack, PORT=str(free_port()), DATABASE_URL=f"sqlite:///{tmp_path}/m.db")
    done = subprocess.run(
        [sys.executable, "-m", "bot"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "mailops cannot start: Slack refused the bot token (invalid_auth)" in done.stderr
    assert "Traceback" not in done.stderr
