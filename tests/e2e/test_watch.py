"""The watch over the order book, end to end: the real app's watch against the simulator's book, a
loopback DNS server whose zones the test changes between rounds, and the fake Slack that records
what was posted in ALERTS_CHANNEL. Rounds are run by the test, one at a time (WATCH=off stops the
background loop here; tests/system runs the loop in real processes)."""

from __future__ import annotations

import json
import time
import urllib.request

import pytest

from bot.sandbox.dnsserver import ZoneServer
from bot.sandbox.simulator import DAY, SimOrder, demo_zones
from tests.support import event, visible_text

ALERTS = "C0ALERTS"
US = "mx.us.enterprise-email.example."
GOOD = demo_zones()["example.com."]


RIGHT = f"10 mx1.{US}\n@ IN MX 20 mx2.{US}"  # the two MX hosts every simulated order needs
OLD = "10 mx.oldhost.net."  # the host the mail went to before Enterprise Email


def zone(domain: str, mx: str | None = RIGHT) -> str:
    """A zone for `domain` with this MX (None: no MX at all)."""
    head = "$TTL 300\n@ IN SOA ns1 hostmaster 1 7200 900 1209600 300\n@ IN NS ns1\n"
    return head + (f"@ IN MX {mx}\n" if mx else "") + f'@ IN TXT "v=spf1 include:spf.{US.rstrip(".")} ~all"\n'


@pytest.fixture
def zones():
    server = ZoneServer().start()
    yield server
    server.stop()


def book(sim, zones, *orders: SimOrder, mx: dict[str, str | None] | None = None) -> None:
    """The simulator's book holds exactly these orders and nothing pending, and each order's domain
    a zone with the MX hosts it needs, or the MX `mx` gives it (None there: no zone, the domain gone)."""
    sim.orders = {}
    sim.queue.clear()
    for order in orders:
        sim.add(order)
        wanted = (mx or {}).get(order.domain, RIGHT)
        if zones is not None and wanted is not None:
            point(zones, order.domain, wanted)


def point(zones, domain: str, mx: str | None) -> None:
    """Change what live DNS answers for `domain` (None: the domain no longer exists)."""
    zones.set_zone(domain + ".", None if mx is None else zone(domain, mx))


def order(n: int, domain: str, **fields) -> SimOrder:
    return SimOrder(84390000 + n, domain, "us", **fields)


@pytest.fixture
def watched(start_bot, zones):
    def start(**overrides):
        settings = dict(alerts_channel=ALERTS, dns_resolvers=zones.address, watch=False, watch_confirm_rounds=1)
        bot = start_bot(**{**settings, **overrides})
        return bot, bot.bot.deps.watch

    return start


def run_round(desk):
    report = desk.watch.round()
    desk.alerts.deliver()
    return report


def alerts_posted(slack) -> list[dict]:
    return [p for p in slack.posts("/api/chat.postMessage") if p.get("channel") == ALERTS and not p.get("thread_ts")]


def replies(slack) -> list[dict]:
    return [p for p in slack.posts("/api/chat.postMessage") if p.get("channel") == ALERTS and p.get("thread_ts")]


def test_the_first_round_posts_one_summary_of_everything_already_wrong(watched, sim, zones, slack):
    now = int(time.time())
    book(
        sim,
        zones,
        order(1, "fine.com"),
        order(2, "moved.com"),
        order(3, "lapsing.com", expires=now + 5 * DAY, recurring=False),
        mx={"moved.com": OLD},
    )
    failed = sim.queue_action(84390001, "Renew", "Renewal of fine.com for 12 months", "Failed", "Card declined")
    _, desk = watched()
    report = run_round(desk)
    assert report.number == 1 and report.checked == 3 and report.unchecked == 0
    (summary,) = alerts_posted(slack)
    text = visible_text(summary)
    assert "3 problem(s) already" in text
    assert "moved.com" in text and "mx.oldhost.net" in text
    assert "lapsing.com expires on" in text and "with auto-renew off" in text
    assert "LogicBoxes failed: Renewal of fine.com for 12 months" in text and failed
    assert "fine.com " not in text.replace("Renewal of fine.com", "")  # the healthy order is not named
    run_round(desk)  # nothing new: nothing posted, the summary's problems count as alerted
    assert len(alerts_posted(slack)) == 1


def test_after_the_first_round_each_new_problem_gets_its_own_message_once(watched, sim, zones, slack):
    book(sim, zones, order(1, "fine.com"), order(2, "later.com"))
    _, desk = watched()
    run_round(desk)
    assert alerts_posted(slack) == []  # nothing wrong: no summary
    point(zones, "later.com", OLD)
    for _ in range(3):
        run_round(desk)
    (alert,) = alerts_posted(slack)
    text = visible_text(alert)
    assert "Mail not reaching Enterprise Email" in text and "later.com" in text and "mx.oldhost.net" in text
    assert "since" in text and f"mx1.{US}" in text  # the line to add
    assert {"check_dns", "look_up", "watch_mute"} <= {
        e["action_id"] for b in alert["blocks"] if b["type"] == "actions" for e in b["elements"]
    }
    assert "USD" not in json.dumps(alert)  # never cost or balance


def test_no_alert_for_a_healthy_order_one_in_its_grace_days_or_one_expiring_with_auto_renew_on(
    watched, sim, zones, slack
):
    now = int(time.time())
    book(
        sim,
        zones,
        order(1, "fine.com", expires=now + 3 * DAY, recurring=True),
        order(2, "brandnew.com", created=now - 2 * DAY),  # its DNS is still being set up
        mx={"brandnew.com": OLD},
    )
    _, desk = watched()
    for _ in range(2):
        run_round(desk)
    assert alerts_posted(slack) == []


def test_a_flapping_zone_alerts_only_after_the_confirm_rounds(watched, sim, zones, slack):
    book(sim, zones, order(1, "fine.com"), order(2, "flappy.com"))
    _, desk = watched(watch_confirm_rounds=2)
    run_round(desk)
    for mx in ("10 mx.oldhost.net.", RIGHT, "10 mx.oldhost.net.", RIGHT):  # bad, good, bad, good
        point(zones, "flappy.com", mx)
        run_round(desk)
    assert alerts_posted(slack) == []
    point(zones, "flappy.com", OLD)
    run_round(desk)
    assert alerts_posted(slack) == []  # one bad round
    run_round(desk)
    assert len(alerts_posted(slack)) == 1  # two in a row


def test_resolved_updates_the_message_and_says_so_in_its_thread(watched, sim, zones, slack):
    book(sim, zones, order(1, "fine.com"), order(2, "broken.com"))
    _, desk = watched()
    run_round(desk)
    point(zones, "broken.com", None)  # the domain is gone
    run_round(desk)
    (alert,) = alerts_posted(slack)
    assert "broken.com no longer exists in DNS" in visible_text(alert)
    point(zones, "broken.com", RIGHT)  # fixed
    run_round(desk)
    (update,) = [u for u in slack.posts("/api/chat.update") if u.get("channel") == ALERTS]
    assert "Resolved" in visible_text(update) and "watch_mute" not in json.dumps(update)
    (reply,) = replies(slack)
    assert "Resolved" in reply["text"] and reply["thread_ts"] == update["ts"]


def test_a_failing_resolver_is_never_the_customers_problem(watched, sim, slack, start_bot):
    failing = ZoneServer(failing=True).start()
    try:
        book(sim, None, order(1, "fine.com"), order(2, "other.com"))  # no zones: the resolver fails anyway
        bot = start_bot(alerts_channel=ALERTS, dns_resolvers=failing.address, watch=False, watch_confirm_rounds=1)
        desk = bot.bot.deps.watch
        report = run_round(desk)
        assert report.checked == 0 and report.unchecked == 2
        posted = alerts_posted(slack)
        assert len(posted) == 1 and "could not be checked" in visible_text(posted[0])
        assert "fine.com" not in json.dumps(posted) and "other.com" not in json.dumps(posted)
        status = bot.driver.command("watch").text()
        assert "0 DNS checked, 2 could not be checked" in status
    finally:
        failing.stop()


def test_failed_and_long_pending_actions(watched, sim, zones, slack):
    book(sim, zones, order(1, "fine.com"))
    _, desk = watched(action_stuck_after=3600)
    run_round(desk)
    failed = sim.queue_action(
        84390001, "Add", "Addition of 5 email accounts for fine.com", "Failed", "Insufficient funds"
    )
    stuck = sim.queue_action(84390001, "Renew", "Renewal of fine.com for 12 months", "InvoicePaid")
    sim.queue[stuck]["actionadded"] = str(int(time.time()) - 7200)
    run_round(desk)
    texts = [visible_text(a) for a in alerts_posted(slack)]
    assert any(
        "LogicBoxes failed: Addition of 5 email accounts for fine.com" in t and "Insufficient funds" in t for t in texts
    )
    assert any("Pending at LogicBoxes since" in t and "Renewal of fine.com" in t for t in texts)
    sim.finish_action(stuck)
    run_round(desk)
    assert any("Renewal of fine.com" in r["text"] for r in replies(slack)) and failed


def test_the_alert_cap_puts_the_rest_in_one_summary(watched, sim, zones, slack):
    book(sim, zones, *[order(n, f"d{n:02d}.com") for n in range(25)])
    _, desk = watched()
    run_round(desk)
    for n in range(25):
        point(zones, f"d{n:02d}.com", OLD)
    run_round(desk)
    posted = alerts_posted(slack)
    assert len(posted) == 21
    assert "5 more problem(s) this round" in visible_text(posted[-1])


def test_a_post_that_failed_is_tried_again_next_round(watched, sim, zones, slack):
    book(sim, zones, order(1, "fine.com"), order(2, "later.com"))
    _, desk = watched()
    run_round(desk)
    point(zones, "later.com", OLD)
    slack.not_in_channels.add(ALERTS)  # the bot was removed from the channel: Slack refuses the post
    run_round(desk)
    assert len(alerts_posted(slack)) == 1 and desk.records.get("mail:84390002").post == "due"
    slack.not_in_channels.discard(ALERTS)
    run_round(desk)
    assert len(alerts_posted(slack)) == 2 and desk.records.get("mail:84390002").post == "posted"
    run_round(desk)
    assert len(alerts_posted(slack)) == 2  # posted once it could be, and never again


def test_mute_and_unmute_with_their_roles_and_the_audit_log(watched, sim, zones, slack):
    book(sim, zones, order(1, "fine.com"), order(2, "elsewhere.com"))
    bot, desk = watched()
    run_round(desk)
    point(zones, "elsewhere.com", "10 mx.google.example.")
    run_round(desk)
    assert len(alerts_posted(slack)) == 1
    refused = bot.driver.click("watch_mute", "elsewhere.com", user="U0AGENT").response()
    assert "Only approvers" in visible_text(refused)
    muted = bot.driver.click("watch_mute", "elsewhere.com", user="U0LEAD").response()
    assert "elsewhere.com is muted" in visible_text(muted)
    assert any("muted by <@U0LEAD>" in r["text"] for r in replies(slack))
    run_round(desk)
    run_round(desk)
    assert len(alerts_posted(slack)) == 1  # muted: not alerted again
    audit = bot.driver.command("audit", user="U0LEAD").text()
    assert "mute" in audit and "elsewhere.com" in audit
    assert "Only approvers" in bot.driver.command("watch unmute elsewhere.com", user="U0AGENT").ack["text"]
    assert "elsewhere.com is watched again" in bot.driver.command("watch unmute elsewhere.com", user="U0LEAD").text()
    run_round(desk)
    assert len(alerts_posted(slack)) == 2  # watched again, still pointed elsewhere: a new alert


def test_email_watch_says_when_the_last_round_ran_and_lists_the_open_alerts(watched, sim, zones, slack):
    book(sim, zones, order(1, "fine.com"), order(2, "moved.com"), mx={"moved.com": OLD})
    bot, desk = watched()
    assert "No round has finished yet." in bot.driver.command("watch").text()
    run_round(desk)
    text = bot.driver.command("watch").text()
    assert "2 orders, 2 DNS checked, 0 could not be checked" in text and "moved.com" in text
    assert "Only approvers" in bot.driver.command("watch run", user="U0AGENT").ack["text"]
    assert "A round of the watch starts now" in bot.driver.command("watch run", user="U0LEAD").text()
    assert desk.records.round()["run_now"] is True


def test_without_alerts_channel_the_watch_says_it_is_off(bot):
    assert "The watch is off: set ALERTS_CHANNEL" in bot.driver.command("watch").text()


def test_app_home_shows_what_needs_attention_to_readers(watched, sim, zones, slack):
    book(sim, zones, order(1, "fine.com"), order(2, "moved.com"), mx={"moved.com": OLD})
    bot, desk = watched(readers="U0AGENT")
    run_round(desk)
    for user in ("U0AGENT", "U0SALES"):
        event(bot.driver, "event_app_home_opened", user=user, tab="home")
    slack.wait_until(lambda: len(slack.posts("/api/views.publish")) >= 2, what="both Home tabs")
    tabs = {p["user_id"]: json.dumps(p["view"]) for p in slack.posts("/api/views.publish")}
    assert "Needs attention (1)" in tabs["U0AGENT"] and "moved.com" in tabs["U0AGENT"]
    assert "Needs attention" not in tabs["U0SALES"] and "moved.com" not in tabs["U0SALES"]


def test_open_alerts_are_counted_from_the_database_for_prometheus(watched, sim, zones):
    book(sim, zones, order(1, "moved.com"), order(2, "gone.com"), mx={"moved.com": OLD, "gone.com": None})
    bot, desk = watched(http=True)  # /metrics as a scraper reads it, over a real socket
    run_round(desk)
    with urllib.request.urlopen(bot.url + "/metrics", timeout=10) as answer:
        text = answer.read().decode()
    assert 'mailops_alerts_open{kind="mail"} 2.0' in text and 'mailops_alerts_open{kind="expiry"} 0.0' in text
    assert 'mailops_watch_orders_checked_total{result="bad"}' in text


def test_an_order_coming_into_the_expiry_window_with_auto_renew_off_is_alerted_once(watched, sim, zones, slack):
    now = int(time.time())
    lapsing = order(1, "lapsing.com", expires=now + 60 * DAY, recurring=False)
    book(sim, zones, lapsing)
    _, desk = watched()
    run_round(desk)
    assert alerts_posted(slack) == []  # 60 days away: outside EXPIRY_WARNING_DAYS
    lapsing.expires = now + 10 * DAY  # LogicBoxes' expiry as the window reaches it
    run_round(desk)
    run_round(desk)
    (alert,) = alerts_posted(slack)
    text = visible_text(alert)
    assert "Expiring with auto-renew off" in text and "lapsing.com expires on" in text and "(in 10 days)" in text
    assert "request_change" in json.dumps(alert) and '"renew 84390001"' in json.dumps(alert)  # Renew: the form
    sim.orders[84390001].recurring = True  # auto-renew turned on
    run_round(desk)
    assert any("Resolved" in r["text"] and "lapsing.com" in r["text"] for r in replies(slack))


def test_a_change_the_bot_made_that_logicboxes_failed_links_to_its_request(watched, sim, zones, slack):
    from tests.support import approval_id, request

    book(sim, zones, order(1, "fine.com"))
    bot, desk = watched()
    run_round(desk)
    message, _ = request(bot.driver, "add-accounts fine.com 5")
    bot.driver.click("approve", approval_id(message), user="U0LEAD")
    bot.driver.slack.wait_outcomes(1)
    sim.finish_all("Failed")
    run_round(desk)
    (alert,) = alerts_posted(slack)
    text = visible_text(alert)
    assert "LogicBoxes failed: Addition of 5 email accounts for fine.com" in text
    assert "https://example.slack.com/archives/C0SUPPORT/p" in json.dumps(alert)  # the request's permalink


def test_slacks_rate_limit_is_waited_out(watched, sim, zones, slack):
    book(sim, zones, order(1, "moved.com"), mx={"moved.com": OLD})
    _, desk = watched()
    slack.rate_limit_next = 1  # Slack answers 429 once
    run_round(desk)
    assert slack.rate_limit_next == 0 and len(alerts_posted(slack)) == 1  # posted after the wait, once
    assert desk.records.get("mail:84390001").post == "posted"


def test_a_stuck_action_that_logicboxes_failed_becomes_that_failure_in_its_own_message(watched, sim, zones, slack):
    book(sim, zones, order(1, "fine.com"))
    _, desk = watched(action_stuck_after=3600)
    run_round(desk)
    stuck = sim.queue_action(84390001, "Renew", "Renewal of fine.com for 12 months", "InvoicePaid")
    sim.queue[stuck]["actionadded"] = str(int(time.time()) - 7200)
    run_round(desk)
    (posted,) = alerts_posted(slack)
    assert "Pending at LogicBoxes since" in visible_text(posted)
    sim.fail(None, "search-current", "error", sticky=True)  # a round that cannot read the queue
    run_round(desk)
    assert slack.posts("/api/chat.update") == [] and replies(slack) == []  # nothing said without evidence
    sim.heal()
    sim.finish_action(stuck, "Failed", "Card declined")
    run_round(desk)
    (update,) = [u for u in slack.posts("/api/chat.update") if u.get("channel") == ALERTS]
    assert "LogicBoxes failed: " in visible_text(update)
    assert "Card declined" in visible_text(update) and "Resolved" not in visible_text(update)
    (reply,) = replies(slack)
    assert reply["text"].startswith(":x: Now: LogicBoxes failed:") and "Card declined" in reply["text"]
    assert reply["thread_ts"] == update["ts"]  # in the thread of the message it updated
    run_round(desk)
    assert len(alerts_posted(slack)) == 1 and len(replies(slack)) == 1  # no problem posted twice


def test_an_order_that_lapses_unrenewed_says_so_then_resolves_when_renewed(watched, sim, zones, slack, clock):
    now = int(time.time())
    lapsing = order(1, "lapsing.com", expires=now + 2 * DAY, recurring=False)
    book(sim, zones, lapsing)
    _, desk = watched(clock=clock)
    run_round(desk)  # the first round: its summary
    (summary,) = alerts_posted(slack)
    assert "lapsing.com expires on" in visible_text(summary)
    clock.advance(3 * DAY)
    run_round(desk)
    (update,) = [u for u in slack.posts("/api/chat.update") if u.get("channel") == ALERTS]
    assert "lapsing.com expired on" in visible_text(update) and "without renewal" in visible_text(update)
    assert "Resolved" not in visible_text(update)
    sim.orders[lapsing.order_id].expires += 365 * DAY
    run_round(desk)
    resolved = [r["text"] for r in replies(slack) if "Resolved" in r["text"]]
    assert len(resolved) == 1 and "(renewed: it now expires on" in resolved[0]
