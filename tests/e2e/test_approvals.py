"""Delete and add-accounts: four eyes, exactly once, audited. Over real HTTP, like the lookups."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.support import ORDER_PAIRS, REQUESTER, approval_id, buttons, eventually, request, submit_view, visible_text


def updates(driver) -> list[dict]:
    return driver.slack.outcome_posts()


def store(bot):
    return bot.bot.deps.approvals.store


def test_delete_request_message(bot, sim):
    message, note = request(bot.driver, "delete acme.com")
    assert "Approval requested" in note
    assert message["channel"] == "C0SUPPORT"
    text = visible_text(message)
    assert "<@U0ONCALL> <@U0LEAD> <!subteam^S0ONCALL>" in text
    assert "Delete the Enterprise Email order for *acme.com*" in text
    for expected in (
        "*Order id*\n84372633",
        "*Region*\nus",
        "*Status at request*\nActive",
        f"<@{REQUESTER}>",
        "Expires <!date^",
    ):
        assert expected in text
    approve = buttons(message)["approve"]
    assert approve["style"] == "danger"
    assert "acme.com" in approve["confirm"]["text"]["text"]
    assert set(buttons(message)) == {"approve", "deny", "cancel"}
    assert message["text"].startswith("Approval needed: delete acme.com")
    assert sim.count("delete") == 0


def test_approve_runs_once_updates_message_and_audits(bot, sim):
    message, _ = request(bot.driver, "delete acme.com")
    ident = approval_id(message)
    bot.driver.click("approve", ident, user="U0ONCALL")
    (update,) = bot.driver.slack.wait_outcomes(1)
    assert update["ts"] == "1700000000.000001" or update["ts"].startswith("1700000000.")
    text = visible_text(update)
    assert "approved and done" in text.lower() and "<@U0ONCALL>" in text
    assert "eaqid" in text and "Action completed successfully" in text
    assert buttons(update) == {}
    thread = [p for p in bot.driver.slack.wait("/api/chat.postMessage", 2) if p.get("thread_ts")]
    assert thread and thread[0]["text"].startswith(f"<@{REQUESTER}>") and "approved and done" in thread[0]["text"]
    assert sim.count("delete", method="POST") == 1
    assert sim.orders[84372633].status == "Deleted"
    actions = [e.action for e in store(bot).recent(10)]
    assert actions == ["execute", "answer", "approve", "request"]
    execute = store(bot).recent(1)[0]
    assert execute.actor == "U0ONCALL" and execute.detail["result"] == "done" and execute.detail["eaqid"]
    # the order cache was dropped: a lookup shows the new state
    assert "Deleted" in bot.driver.command("order acme.com").text()


def deny_with(bot, message, reason: str | None, user: str = "U0LEAD") -> None:
    """Click Deny, then submit its form (the way Slack sends a view_submission)."""
    opened = len(bot.driver.slack.posts("/api/views.open"))
    bot.driver.click("deny", approval_id(message), user=user)
    form = bot.driver.slack.wait("/api/views.open", opened + 1)[opened]
    view = json.loads(form["view"]) if isinstance(form["view"], str) else form["view"]
    assert view["callback_id"] == "deny_reason" and view["private_metadata"] == approval_id(message)
    values = {"reason": {"reason_input": {"type": "plain_text_input", "value": reason}}}
    status, ack = submit_view(bot.driver, "deny_reason", values, user=user, metadata=view["private_metadata"])
    assert status == 200 and ack == {}  # the form closes


def test_deny_with_a_reason_the_requester_sees(bot, sim):
    message, _ = request(bot.driver, "delete acme.com")
    deny_with(bot, message, "the customer paid after all")
    denied = visible_text(bot.driver.slack.wait_outcomes(1)[0])
    assert "*Denied* by <@U0LEAD>" in denied and "*Reason for denying:* the customer paid after all" in denied
    thread = bot.driver.slack.wait("/api/chat.postMessage", 2)[1]
    assert thread["text"].startswith(f"<@{REQUESTER}>") and "the customer paid after all" in thread["text"]
    entry = store(bot).recent(1)[0]
    assert entry.action == "deny" and entry.detail == {"reason": "the customer paid after all"}


def test_deny_form_is_not_opened_for_someone_who_may_not_deny(bot, sim):
    message, _ = request(bot.driver, "delete acme.com")
    refused = bot.driver.click("deny", approval_id(message), user="U0RANDOM").text()
    assert "Only approvers" in refused and bot.driver.slack.posts("/api/views.open") == []


def test_deny_and_cancel(bot, sim):
    message, _ = request(bot.driver, "delete acme.com")
    deny_with(bot, message, None)
    denied = bot.driver.slack.wait_outcomes(1)[0]
    assert "*Denied* by <@U0LEAD>" in visible_text(denied) and buttons(denied) == {}
    assert "Reason for denying" not in visible_text(denied)
    message2, _ = request(bot.driver, "delete example.com")
    refused = bot.driver.click("cancel", approval_id(message2), user="U0ONCALL").text()
    assert f"Only <@{REQUESTER}>, who asked, can cancel" in refused
    bot.driver.click("cancel", approval_id(message2), user=REQUESTER)
    assert "cancelled" in visible_text(bot.driver.slack.wait_outcomes(2)[1])
    assert sim.count("delete") == 0
    # a later approve is told what happened, and nothing runs
    late = bot.driver.click("approve", approval_id(message), user="U0ONCALL").text()
    assert "already denied by <@U0LEAD>" in late
    assert sim.count("delete") == 0


def test_requester_cannot_approve_own_request_even_as_approver(bot, sim):
    message, _ = request(bot.driver, "delete acme.com", user="U0ONCALL")
    text = bot.driver.click("approve", approval_id(message), user="U0ONCALL").text()
    assert "another approver must approve it (four eyes)" in text
    assert sim.count("delete") == 0 and updates(bot.driver) == []


def test_requester_cannot_deny_own_request_and_no_form_opens(bot, sim):
    message, _ = request(bot.driver, "delete acme.com", user="U0ONCALL")
    text = bot.driver.click("deny", approval_id(message), user="U0ONCALL").text()
    assert "You asked for this change" in text and "use Cancel" in text
    assert bot.driver.slack.posts("/api/views.open") == []
    assert store(bot).get(approval_id(message))["status"] == "pending"
    status, ack = submit_view(bot.driver, "deny_reason", {}, user="U0ONCALL", metadata=approval_id(message))
    assert status == 200 and "You asked for this change" in json.dumps(ack)  # the form itself, forged, too
    assert store(bot).get(approval_id(message))["status"] == "pending" and updates(bot.driver) == []


def test_non_approver_is_refused(bot, sim):
    message, _ = request(bot.driver, "delete acme.com")
    text = bot.driver.click("approve", approval_id(message), user="U0RANDOM").text()
    assert "Only approvers" in text
    assert sim.count("delete") == 0 and store(bot).get(approval_id(message))["status"] == "pending"


def test_group_member_can_approve(bot, sim):
    message, _ = request(bot.driver, "delete acme.com")
    bot.driver.click("approve", approval_id(message), user="U0GROUPIE")
    assert "<@U0GROUPIE>" in visible_text(bot.driver.slack.wait_outcomes(1)[0])
    assert sim.count("delete") == 1
    assert bot.driver.slack.posts("/api/usergroups.users.list")[0]["usergroup"] == "S0ONCALL"


def test_click_after_expiry_runs_nothing(start_bot, sim, clock):
    bot = start_bot(approval_ttl=60, clock=clock)
    message, _ = request(bot.driver, "delete acme.com")
    clock.advance(61)
    text = bot.driver.click("approve", approval_id(message), user="U0ONCALL").text()
    assert "expired" in text
    assert "expired" in visible_text(bot.driver.slack.wait_outcomes(1)[0])
    assert sim.count("delete") == 0
    assert [e.action for e in store(bot).recent(5)] == ["expire", "request"]


def test_sweep_marks_untouched_requests_expired(start_bot, sim, clock):
    bot = start_bot(approval_ttl=60, clock=clock)
    message, _ = request(bot.driver, "delete acme.com")
    assert bot.bot.deps.approvals.sweep() == []
    clock.advance(61)
    (expired,) = bot.bot.deps.approvals.sweep()
    assert expired.id == approval_id(message)
    assert "expired" in visible_text(bot.driver.slack.wait_outcomes(1)[0])
    assert bot.bot.deps.approvals.sweep() == []  # once only


def test_sweep_settles_a_run_whose_process_died(start_bot, sim, clock):
    bot = start_bot(clock=clock)
    message, _ = request(bot.driver, "delete acme.com")
    ident = approval_id(message)
    approvals = bot.bot.deps.approvals
    # a process claimed the approval and died before LogicBoxes answered
    assert store(bot).claim(ident, "executing", "U0ONCALL", clock())
    assert approvals.sweep() == []  # its call could still answer
    clock.advance(approvals.stuck_after + 1)
    (settled,) = approvals.sweep()
    assert settled.status == "unknown"
    text = visible_text(bot.driver.slack.wait_outcomes(1)[0])
    assert "*Approved, outcome unknown* by <@U0ONCALL>" in text and "check `/email order 84372633`" in text
    assert store(bot).recent(1)[0].detail["result"] == "unknown"
    assert approvals.sweep() == [] and sim.count("delete") == 0


def test_request_survives_a_restart(start_bot, sim, tmp_path):
    first = start_bot(http=True)  # a real server, stopped: the restart is the point
    message, _ = request(first.driver, "delete acme.com")
    first.server.shutdown()
    second = start_bot(http=True)  # same SQLite file
    second.driver.click("approve", approval_id(message), user="U0ONCALL")
    assert "approved and done" in visible_text(second.driver.slack.wait_outcomes(1)[0])
    assert sim.count("delete") == 1


def test_concurrent_clicks_execute_exactly_once(bot, sim):
    sim.delay = 0.2
    message, _ = request(bot.driver, "delete acme.com")
    ident = approval_id(message)
    users = ["U0ONCALL", "U0LEAD", "U0GROUPIE"] * 3
    with ThreadPoolExecutor(len(users)) as pool:
        clicks = list(pool.map(lambda user: bot.driver.click("approve", ident, user=user), users))
    assert all(c.status == 200 for c in clicks)
    assert bot.bot.deps.workers.wait_idle(15)  # every click has been handled
    bot.driver.slack.wait_outcomes(1)
    assert sim.count("delete", method="POST") == 1
    assert store(bot).count("execute", ident) == 1

    def notices() -> list[str]:
        return [visible_text(p) for c in clicks for p in bot.driver.slack.posts(c.response_path)]

    told = notices()
    assert len(told) == len(users) - 1 and all("already approved" in t for t in told), told


def test_order_changed_since_request_sends_nothing(bot, sim):
    message, _ = request(bot.driver, "delete acme.com")
    sim.orders[84372633].status = "Deleted"  # someone deleted it in the control panel meanwhile
    bot.driver.click("approve", approval_id(message), user="U0ONCALL")
    text = visible_text(bot.driver.slack.wait_outcomes(1)[0])
    assert "approved but failed" in text
    assert "status Active -&gt; Deleted since this was asked; ask again. Nothing was sent." in text
    assert sim.count("delete") == 0


def test_api_error_is_shown_as_failed(bot, sim):
    message, _ = request(bot.driver, "delete acme.com")
    sim.fail("us", "delete", "error")
    bot.driver.click("approve", approval_id(message), user="U0ONCALL")
    text = visible_text(bot.driver.slack.wait_outcomes(1)[0])
    assert "approved but failed" in text and "Internal error, please try later" in text
    assert store(bot).recent(1)[0].detail["result"] == "failed"


def test_timeout_is_outcome_unknown_and_never_retried(bot, sim):
    message, _ = request(bot.driver, "delete acme.com")
    sim.fail("us", "delete", "hang")
    bot.driver.click("approve", approval_id(message), user="U0ONCALL")
    text = visible_text(bot.driver.slack.wait_outcomes(1, timeout=15)[0])
    sim.release.set()
    assert "outcome unknown" in text and "check `/email order 84372633`" in text
    assert sim.count("delete") == 1


def test_add_accounts_request_estimate_and_invoice(bot, sim):
    message, _ = request(bot.driver, "add-accounts acme.com 5 invoice:payinvoice discount:2.50")
    text = visible_text(message)
    assert "Add *5* accounts to *acme.com*: 40 -> 45 accounts, invoice option PayInvoice, discount 2.50" in text
    # acme's customer 20002 has an own price, 0.9 x the generic one: band 36-55 add price for the shortest
    # tenure (1 month): (1.5 - 5*0.05) * 0.9 = 1.125; 12 days left -> 1 month; 5 x 1.125 = 5.625
    assert "Estimate: 5.63 USD (5 x 1.125 USD per account per month, band 36-55, x 1 months left on the order)" in text
    assert buttons(message)["approve"]["style"] == "primary"
    bot.driver.click("approve", approval_id(message), user="U0LEAD")
    done = visible_text(bot.driver.slack.wait_outcomes(1)[0])
    assert "*Action status*\nInvoicePaid" in done and "*Invoice*\n78072633" in done
    assert "*Amount billed*\n45.00 USD" in done  # sellingamount -45.000: a debit, shown as billed
    call = next(c for c in sim.calls if c.name == "add-email-account")
    assert call.params["no-of-accounts"] == ["5"] and call.params["invoice-option"] == ["PayInvoice"]
    assert call.params["discount-amount"] == ["2.50"]
    assert "accepted by LogicBoxes, being processed" in done  # InvoicePaid: billed, not done yet
    assert sim.orders[84372633].accounts == 40
    sim.finish_action(bot.bot.deps.approvals.store.get(approval_id(message))["outcome"]["eaqid"])
    assert sim.orders[84372633].accounts == 45  # what LogicBoxes does once it finishes


def test_add_accounts_uses_default_invoice_option(start_bot, sim):
    bot = start_bot(default_invoice_option="KeepInvoice")
    message, _ = request(bot.driver, "add-accounts 84372636 2")
    assert "invoice option KeepInvoice" in visible_text(message)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("delete nope.com", "No Enterprise Email order for nope.com"),
        ("delete initech.com", "does not allow deleting initech.com"),
        ("add-accounts acme.com 501", "At most 500 accounts"),
        ("add-accounts acme.com 5 discount:abc", "`discount:` takes an amount"),
        ("add-accounts acme.com 5 invoice:free", "Unknown invoice option `free`"),
    ],
)
def test_refused_before_asking_anyone(bot, sim, text, reason):
    assert reason in bot.driver.command(text).shown()
    assert bot.driver.slack.posts("/api/chat.postMessage") == []


def test_already_deleted_is_refused(bot, sim):
    sim.orders[84372633].status = "Deleted"
    assert "is already deleted" in bot.driver.command("delete acme.com").text()


def test_no_approvers_configured(start_bot, sim):
    bot = start_bot(approvers="")
    assert "set APPROVERS" in bot.driver.command("delete acme.com").text()


def test_approval_channel_and_not_a_member(start_bot, sim, slack):
    bot = start_bot(approval_channel="C0ONCALL")
    message, note = request(bot.driver, "delete acme.com")
    assert message["channel"] == "C0ONCALL" and "in <#C0ONCALL>" in note
    slack.not_in_channels.add("C0ONCALL")
    hint = bot.driver.command("delete example.com").text()
    assert "invite me with `/invite @mailops`" in hint


def test_slack_rate_limit_is_retried(bot, sim, slack):
    slack.rate_limit_next = 1
    message, note = request(bot.driver, "delete acme.com")
    assert "Approval requested" in note and approval_id(message)


def test_audit_for_approvers_only(bot, sim):
    message, _ = request(bot.driver, "delete acme.com")
    deny_with(bot, message, None)
    bot.driver.slack.wait_outcomes(1)
    text = bot.driver.command("audit acme.com limit:5", user="U0ONCALL").text()
    assert "*deny* by <@U0LEAD>" in text and "*request* by <@U0AGENT>" in text
    assert "Only approvers can read the audit log" in bot.driver.command("audit", user="U0RANDOM").shown()  # in the ack


def test_cost_viewers_setting(start_bot, sim):
    bot = start_bot(cost_viewers="U0SALESLEAD")
    reply = bot.driver.command("price 5 12", user="U0SALESLEAD")
    assert "Margin" in visible_text(reply.responses(2)[1])
    reply = bot.driver.command("price 5 12", user="U0ONCALL")
    reply.response()
    assert bot.bot.deps.workers.wait_idle(10)  # the command is finished: nothing more will come
    assert len(bot.driver.slack.posts(reply.response_path)) == 1


# ---- two changes to one order, approved a moment apart: exactly one reaches LogicBoxes


@pytest.mark.parametrize(
    ("first_text", "first_call", "second_text", "second_call"), ORDER_PAIRS, ids=[p[1] for p in ORDER_PAIRS]
)
def test_two_changes_to_one_order_approved_together_make_one_call(
    start_bot, sim, first_text, first_call, second_text, second_call
):
    bot = start_bot(read_timeout=30.0, command_deadline=30.0)  # the held call is never given up on
    first, _ = request(bot.driver, first_text)
    second, _ = request(bot.driver, second_text)  # another open request for the order is still posted
    sim.fail("us", first_call, "slow")  # LogicBoxes holds the first call until the test releases it
    bot.driver.click("approve", approval_id(first), user="U0ONCALL")
    eventually(lambda: sim.count(first_call, method="POST") == 1, "the first change to reach LogicBoxes")
    bot.driver.click("approve", approval_id(second), user="U0LEAD")
    eventually(lambda: store(bot).get(approval_id(second))["status"] == "executing", "the second approval")
    sim.release.set()
    bot.driver.slack.wait_until(
        lambda: (
            store(bot).get(approval_id(second))["status"] == "failed"
            and any("Nothing was sent" in visible_text(p) for p in updates(bot.driver))
        ),
        15,
        "the second request's card",
    )
    assert sim.count(first_call, method="POST") == 1 and sim.count(second_call, method="POST") == 0
    card = next(visible_text(p) for p in updates(bot.driver) if "Nothing was sent" in visible_text(p))
    assert "since this was asked; ask again" in card or "has an action pending at LogicBoxes" in card
