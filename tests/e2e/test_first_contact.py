"""First contact with a real reseller account: every path that reads LogicBoxes' action queue, or a
change's answer, holds under each answer the public record says LogicBoxes may give
(`../shared/logicboxes-api.md`, "Open questions at first contact"), each a switch of the simulator.
End to end: the real app over HTTP, the simulator on a socket, the fake Slack."""

from __future__ import annotations

import pytest

from bot.values.states import Status
from tests.support import approval_id, request, visible_text

NOTHING_FOUND = ["No records found", "No Entity found", "No actions found"]


def approve(bot, message, user: str = "U0LEAD") -> str:
    before = len(bot.driver.slack.outcome_posts())
    bot.driver.click("approve", approval_id(message), user=user)
    return visible_text(bot.driver.slack.wait_outcomes(before + 1)[before])


@pytest.mark.parametrize("text", NOTHING_FOUND)
def test_an_empty_queue_answered_as_an_error_is_nothing_pending_on_every_path(start_bot, sim, clock, text):
    """Q1: the card, the refusal before approval, the check before the POST, the follow-up and
    history all take "No records found" (and its like) from an action list as "nothing pending"."""
    sim.empty_queue_error = text
    bot = start_bot(clock=clock, followup_after=2)
    card = bot.driver.command("order example.com").text()
    assert "could not be read" not in card and "Pending at LogicBoxes" not in card
    assert "LogicBoxes lists no actions on order" in bot.driver.command("history example.com").text()
    message, note = request(bot.driver, "add-accounts example.com 5")
    assert "Approval requested" in note
    assert "accepted by LogicBoxes, being processed" in approve(bot, message)
    assert sim.count("add-email-account", method="POST") == 1
    sim.finish_all()  # LogicBoxes finishes it: the current list is empty again, and says so as an ERROR
    clock.advance(3)
    assert [a.status for a in bot.bot.deps.approvals.sweep()] == [Status.DONE]
    assert "approved and done" in visible_text(bot.driver.slack.outcome_posts()[-1])


def test_another_error_from_the_queue_is_still_an_error(bot, sim):
    sim.fail(None, "search-current", "error", sticky=True)
    message_text = bot.driver.command("add-accounts example.com 5").text()
    assert "Could not check LogicBoxes' pending actions for example.com" in message_text
    assert sim.count("add-email-account", method="POST") == 0


def test_the_follow_up_asks_the_archive_even_when_the_current_list_refuses(start_bot, sim, clock):
    bot = start_bot(clock=clock, followup_after=2)
    message, _ = request(bot.driver, "renew example.com 12mo")
    assert "accepted by LogicBoxes" in approve(bot, message)
    sim.finish_all()
    sim.fail(None, "search-current", "error", sticky=True)  # refused, for another reason than "nothing"
    clock.advance(3)
    assert [a.status for a in bot.bot.deps.approvals.sweep()] == [Status.DONE]


def test_finished_rows_in_the_current_list_are_not_pending(start_bot, sim, clock):
    """Q2: finished actions that stay in search-current neither block a change nor show as pending."""
    sim.finished_stay_current = True
    done = sim.queue_action(84372632, "Renew", "Renewal of example.com for 12 months", "InvoicePaid")
    sim.finish_action(done, "Failed", "Card declined")
    bot = start_bot(clock=clock, followup_after=2)
    card = bot.driver.command("order example.com").text()
    assert "Pending at LogicBoxes" not in card
    message, note = request(bot.driver, "add-accounts example.com 5")
    assert "Approval requested" in note
    assert "accepted by LogicBoxes" in approve(bot, message)
    sim.finish_all()
    clock.advance(3)
    assert [a.status for a in bot.bot.deps.approvals.sweep()] == [Status.DONE]


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("failed_top", "Insufficient funds in the customer's account"),
        ("failed_top_bare", "add-email-account of example.com"),
    ],
)
def test_a_top_level_failed_answer_is_a_failure_never_done(start_bot, sim, clock, fault, reason):
    """Q3: `{"status": "Failed", ...}` without actionstatus, with or without an eaqid."""
    bot = start_bot(clock=clock, followup_after=2)
    message, _ = request(bot.driver, "add-accounts example.com 5")
    sim.fail("us", "add-email-account", fault)
    shown = approve(bot, message)
    assert "approved but failed" in shown and f"LogicBoxes reports the change failed: {reason}" in shown
    row = bot.bot.deps.approvals.store.get(approval_id(message))
    assert row["status"] == "failed"
    clock.advance(3600)
    assert bot.bot.deps.approvals.sweep() == []  # never "confirmed" by re-reading the order
    assert bot.bot.deps.approvals.store.get(approval_id(message))["status"] == "failed"


COMMANDS = [
    "order example.com",
    "search status:Active",
    "dns example.com",
    "history example.com",
    "customer maria@northwind.example",
    "customer 20101",
    "customer northwind",
]


@pytest.mark.parametrize("command", COMMANDS)
def test_a_wrong_api_key_is_named_on_every_command_never_not_found(start_bot, command):
    bot = start_bot(reseller_api_key="not-the-key")
    shown = bot.driver.command(command, user="U0ONCALL").shown()
    assert "rejected the reseller id or API key" in shown, shown
    assert "No customer" not in shown and "No Enterprise Email order" not in shown


@pytest.mark.parametrize("command", COMMANDS)
def test_an_ip_that_is_not_whitelisted_is_named_on_every_command(bot, sim, command):
    sim.whitelisted = False
    shown = bot.driver.command(command, user="U0ONCALL").shown()
    assert "whitelisted" in shown, shown
    assert "No customer" not in shown and "No Enterprise Email order" not in shown


# ---- pages hold what LogicBoxes serves (Q6), and the queue holds every product (Q5)


def _many(sim, count: int) -> None:
    from bot.sandbox.simulator import SimOrder

    for n in range(count):
        sim.add(SimOrder(84500000 + n, f"paged{n:03d}.com", "us"))


def test_search_pages_past_what_one_page_serves(bot, sim):
    _many(sim, 150)
    sim.page_cap = 100  # LogicBoxes serves at most 100 rows a page, whatever is asked
    shown = bot.driver.command("search page:14 status:Active").text()
    assert "No orders match" not in shown and "past the end" not in shown
    assert "paged" in shown


def test_the_watch_reads_the_whole_book_and_alerts_only_the_email_orders_actions(start_bot, sim):
    _many(sim, 150)
    sim.page_cap = 100
    sim.empty_queue_error = "No records found"  # Q1 on the watch's paths too
    # every order inside its grace days: no DNS is asked (this test is about the book and the queue)
    bot = start_bot(alerts_channel="C0ALERTS", watch=False, watch_confirm_rounds=1, watch_grace_days=365)
    desk = bot.bot.deps.watch
    first = desk.watch.round()
    assert first.orders == len([o for o in sim.orders.values() if o.status == "Active"])  # not 100 per region
    transfer = sim.queue_foreign_action(61234567, "TransferDomain", "Transfer of customer-domain.com", "Failed")
    mine = sim.queue_action(84500001, "AddEmailAccount", "Addition of 5 email accounts for paged001.com", "Failed")
    report = desk.watch.round()
    assert f"failed:{mine}" in report.opened and f"failed:{transfer}" not in report.opened
    assert desk.records.get(f"failed:{transfer}") is None
