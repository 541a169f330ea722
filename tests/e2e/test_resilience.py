"""Circuit breaker, hung upstream calls, and the busy limit: counted at the fake, never timed."""

from __future__ import annotations


def freeze(bot, region: str) -> list[float]:
    """Give a region's breaker a clock the test moves by hand; returns the clock's cell."""
    now = [1000.0]
    bot.bot.deps.service.client.breakers[region].clock = lambda: now[0]
    return now


def test_breaker_opens_answers_at_once_and_closes(start_bot, sim):
    bot = start_bot(breaker_failures=2, breaker_reset=1, retries=0)
    now = freeze(bot, "us")
    sim.fail("us", "details", "html502", sticky=True)
    for _ in range(2):
        assert "us unavailable (HTTP 502 error page)" in bot.driver.command("order 84372632").text()
    calls = sim.count("details", "us")
    text = bot.driver.command("order 84372632").text()
    assert "No Enterprise Email order for 84372632 in in; us unavailable (not responding; retrying in 1s)" in text
    assert sim.count("details", "us") == calls  # the open breaker spared LogicBoxes the call
    sim.heal()
    now[0] += 1.1
    assert "example.com · Active" in bot.driver.command("order 84372632").text()
    assert sim.count("details", "us") == calls + 1
    assert not bot.bot.deps.service.client.breakers["us"].is_open


def test_breaker_message_with_one_region(start_bot, sim):
    bot = start_bot(breaker_failures=1, breaker_reset=30, retries=0, reseller_regions="us")
    sim.fail("us", "details", "hang", sticky=True)
    assert "timed out" in bot.driver.command("order 84372632").text(timeout=15)
    assert "LogicBoxes us is not responding; retrying in" in bot.driver.command("order 84372632").text()
    sim.release.set()


def test_failed_half_open_trial_reopens(start_bot, sim):
    bot = start_bot(breaker_failures=1, breaker_reset=0.5, retries=0, reseller_regions="us")
    now = freeze(bot, "us")
    sim.fail("us", "details", "html503", sticky=True)
    bot.driver.command("order 84372632").text()
    now[0] += 0.6
    assert "HTTP 503" in bot.driver.command("order 84372632").text()  # the one trial call
    assert "not responding" in bot.driver.command("order 84372632").text()  # open again
    assert sim.count("details", "us") == 2


def test_hung_call_does_not_hold_up_other_users(slack_driver, sim):
    sim.fail("us", "dns-record", "hang", sticky=True)
    stuck = slack_driver.command("dns acme.com", user="U0SLOW")
    assert stuck.status == 200 and stuck.ack["text"] == "Looking up acme.com..."
    other = slack_driver.command("order example.com", user="U0FAST")
    assert "example.com · Active" in other.text()
    assert slack_driver.slack.posts(stuck.response_path) == []  # still waiting on LogicBoxes
    assert "timed out" in stuck.text(timeout=15)  # ... and it gives up at the read timeout
    sim.release.set()


def test_full_bot_says_busy_instead_of_queueing_without_limit(start_bot, sim):
    bot = start_bot(worker_threads=1, work_queue_limit=1)
    sim.fail("us", "dns-record", "hang", sticky=True)
    first = bot.driver.command("dns acme.com")
    second = bot.driver.command("dns acme.com")
    third = bot.driver.command("order example.com")
    assert third.status == 200
    assert "too many commands" in third.ack["text"]  # said at once, in the acknowledgement
    sim.release.set()  # the hung calls end now (with a 504 page); both queued commands get their answer
    assert "LogicBoxes us" in first.text(timeout=15)
    assert "LogicBoxes us" in second.text(timeout=15)
