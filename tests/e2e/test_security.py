"""Signatures are enforced, and secrets never reach logs, messages or errors."""

from __future__ import annotations

import logging
import time
from urllib.parse import urlencode

from tests.support import API_KEY, BOT_TOKEN, SIGNING_SECRET, free_port


def _command_body(slack_driver, text: str) -> str:
    return urlencode(
        {
            "command": "/email",
            "text": text,
            "user_id": "U0AGENT",
            "channel_id": "C1",
            "response_url": slack_driver.slack.url + "/response/forged",
            "team_id": "T1",
        }
    )


def test_forged_signature_is_rejected_and_does_no_work(bot, slack_driver, sim):
    body = _command_body(slack_driver, "order example.com")
    status, _ = slack_driver.post(body, slack_driver.sign(body, secret="not-the-secret"))
    assert status == 401
    assert bot.bot.deps.workers.wait_idle(10)  # nothing was started, or it has finished
    assert sim.calls == [] and slack_driver.slack.posts("/response/forged") == []


def test_stale_timestamp_is_rejected(slack_driver, sim):
    body = _command_body(slack_driver, "order example.com")
    status, _ = slack_driver.post(body, slack_driver.sign(body, timestamp=int(time.time()) - 600))
    assert status == 401
    assert sim.calls == []


def test_health_check(start_bot):
    import urllib.request

    bot = start_bot(http=True)  # what the server itself answers, over a real socket
    with urllib.request.urlopen(bot.url + "/healthz", timeout=5) as response:
        assert response.status == 200 and response.read() == b"ok\n"


def test_secrets_never_logged_or_shown(slack_driver, sim, caplog, start_bot):
    caplog.set_level(logging.DEBUG)
    sim.fail("us", "details", "reset", "html502")
    texts = [
        slack_driver.command("order 84372632").text(),
        slack_driver.command("price 12 6", user="U0ONCALL").text(),
    ]
    sim.whitelisted = False
    texts.append(slack_driver.command("order 84372699").text())
    # connection refused: requests puts the full URL, api-key included, in its exception text
    dead = start_bot(reseller_api_url=f"http://127.0.0.1:{free_port()}/api")
    texts.append(dead.driver.command("dns 84372600").text())
    everything = "\n".join(texts) + caplog.text + str(slack_driver.slack.records)
    assert "api-key=***" in caplog.text  # urllib3 logged the URL, redacted
    for secret in (API_KEY, BOT_TOKEN, SIGNING_SECRET):
        assert secret not in everything
    assert "could not connect" in texts[-1]
