"""What LogicBoxes answered is never lost: not when the database is down at that moment, not when
the process dies between the call and the record."""

from __future__ import annotations

import logging
import os
import signal
import sys

from tests.support import (
    SIGNING_SECRET,
    SlackDriver,
    approval_id,
    bot_process,
    buttons,
    database_down,
    eventually,
    free_port,
    process_env,
    request,
    visible_text,
)


def test_an_answer_during_a_database_outage_is_logged_then_recorded(start_bot, sim, pg_url, caplog):
    caplog.set_level(logging.INFO)
    bot = start_bot(database_url=pg_url, slack_retry_base=0.01)
    name = pg_url.rsplit("/", 1)[1]
    message, _ = request(bot.driver, "delete acme.com")
    sim.fail("us", "delete", "slow")
    sim.release.clear()
    click = bot.driver.click("approve", approval_id(message), user="U0LEAD")
    eventually(lambda: sim.count("delete", method="POST") == 1, what="the call to reach LogicBoxes")
    database_down(name, True)
    try:
        sim.release.set()  # LogicBoxes answers while the database is down
        eventually(lambda: "could not record LogicBoxes' answer" in caplog.text, what="the ERROR log line")
        error = next(r for r in caplog.records if "could not record LogicBoxes' answer" in r.getMessage())
        assert error.levelname == "ERROR" and approval_id(message) in error.getMessage()
        assert '"action_status": "Success"' in error.getMessage()  # the answer itself is in the log
        assert "will be recorded, and this request updated, as soon as the database is back" in click.text()
        assert bot.driver.slack.outcome_posts() == []  # nothing shown that is not recorded
    finally:
        database_down(name, False)
    update = bot.driver.slack.wait_outcomes(1, timeout=30)[0]
    assert "Delete acme.com: approved and done" in visible_text(update) and buttons(update) == {}
    store = bot.bot.deps.approvals.store
    assert store.get(approval_id(message))["status"] == "done"
    assert [e.action for e in store.recent(4)] == ["execute", "answer", "approve", "request"]
    assert store.verify_audit().ok and sim.count("delete", method="POST") == 1


def test_a_process_killed_between_the_call_and_the_record(start_bot, sim, slack, tmp_path, clock):
    database_url = f"sqlite:///{tmp_path}/shared.db"
    port = free_port()
    env = process_env(sim, slack, PORT=str(port), DATABASE_URL=database_url, LOG_LEVEL="WARNING")
    with bot_process([sys.executable, "-m", "bot"], env, tmp_path, port) as first:
        driver = SlackDriver(first.url, slack, SIGNING_SECRET)
        message, _ = request(driver, "delete acme.com")
        sim.fail("us", "delete", "slow")
        sim.release.clear()
        driver.click("approve", approval_id(message), user="U0LEAD")
        eventually(lambda: sim.count("delete", method="POST") == 1, what="the call to reach LogicBoxes")
        os.kill(first.process.pid, signal.SIGKILL)  # dies with the call in flight
        first.process.wait(10)
    sim.release.set()  # LogicBoxes acts, and nobody hears it
    second = start_bot(database_url=database_url, clock=clock)
    approvals = second.bot.deps.approvals
    # The killed process stamped its decision with its own (real) clock: move the test's clock from
    # that stamp, not from when the fixture was made, so the bound is crossed however slow the machine.
    clock.now = approvals.store.get(approval_id(message))["decided_at"]
    clock.advance(approvals.stuck_after + 1)
    (settled,) = approvals.sweep()
    assert settled.status == "unknown"
    text = visible_text(second.driver.slack.wait_outcomes(1)[0])
    assert "approved, outcome unknown" in text and "check `/email order 84372633` before asking again" in text
    assert approvals.store.recent(1)[0].detail["result"] == "unknown"
    assert sim.count("delete", method="POST") == 1  # never sent twice
