"""The order's whole lifecycle: renew, remove accounts, suspend, unsuspend, each behind the same
four-eyes approval, end to end through the real app; and the workflow's safety under faults."""

from __future__ import annotations

import json
import time

import pytest

from bot.values.states import Status
from tests.support import approval_id, approval_requests, buttons, eventually, request, submit_view, visible_text

DAY = 86400


def approve(bot, message, user: str = "U0LEAD") -> dict:
    """Approve as `user`; the updated request message."""
    before = len(bot.driver.slack.outcome_posts())
    bot.driver.click("approve", approval_id(message), user=user)
    return bot.driver.slack.wait_outcomes(before + 1)[before]


def last_audit(bot, action: str):
    return next(e for e in bot.bot.deps.approvals.store.recent(50) if e.action == action)


def posted(sim, name: str):
    return [c for c in sim.calls if c.name == name and c.method == "POST"]


# ---------------------------------------------------------------- renew


def test_renew_request_shows_expiry_accounts_and_estimate_then_renews_once(start_bot, sim, clock):
    bot = start_bot(clock=clock, followup_after=2)
    before = sim.orders[84372632].expires
    message, note = request(bot.driver, "renew example.com 1y reason:customer paid invoice 991")
    assert "Approval requested" in note
    text = visible_text(message)
    assert "Approval needed: renew example.com" in text
    assert "Renew *example.com* for *12 months*: expires " in text and "12 accounts" in text
    assert "invoice option NoInvoice, auto-renew stays on" in text  # LogicBoxes says recurring "true"
    assert "*Auto-renew*\nauto-renew stays on" in text
    # generic customer price, band 11-15 renew 12 months: 1.4 x 1.1 = 1.54 -> 1.54 x 12 accounts x 12 months
    assert "Estimate: 221.76 USD (12 x 1.54 USD per account per month, band 11-15, x 12 months renewed)" in text
    assert "*Reason:* customer paid invoice 991" in text and "*Expiry now → after*" in text
    assert buttons(message)["approve"]["style"] == "primary"
    update = approve(bot, message)
    accepted = visible_text(update)  # LogicBoxes answers a renewal InvoicePaid, as recorded: not done yet
    assert "Renew example.com: accepted by LogicBoxes, being processed" in accepted
    assert "*Action status*\nInvoicePaid" in accepted and "automatic provisioning system" in accepted
    assert "*Reason:* customer paid invoice 991" in accepted and buttons(update) == {}
    (call,) = posted(sim, "renew")
    assert call.params["months"] == ["12"] and call.params["auto-renew"] == ["true"]  # kept, not turned off
    assert call.params["invoice-option"] == ["NoInvoice"] and call.region == "us"
    execute = last_audit(bot, "execute")
    assert execute.detail["result"] == "accepted" and execute.detail["reason"] == "customer paid invoice 991"
    thread = bot.driver.slack.wait("/api/chat.postMessage", 2)[1]  # after the request itself
    assert thread["thread_ts"] and "Renew example.com: accepted by LogicBoxes" in thread["text"]
    sim.finish_action(execute.detail["eaqid"])
    clock.advance(2)
    assert [a.status for a in bot.bot.deps.approvals.sweep()] == [Status.DONE]
    assert "Renew example.com: approved and done" in visible_text(bot.driver.slack.outcome_posts()[-1])
    assert sim.orders[84372632].expires > before


def test_renew_with_options_bills_the_invoice(bot, sim):
    message, _ = request(bot.driver, "renew acme.com 6 months invoice:PayInvoice discount:5 autorenew:on")
    assert "invoice option PayInvoice, discount 5, auto-renew turns on" in visible_text(message)  # it was off
    done = visible_text(approve(bot, message))
    assert "*Action status*\nInvoicePaid" in done and "*Amount billed*\n396.00 USD" in done  # 40 x 1.65 x 6
    (call,) = posted(sim, "renew")
    assert call.params["auto-renew"] == ["true"] and call.params["discount-amount"] == ["5.00"]


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("renew example.com 12mo autorenew:maybe", "`autorenew:` takes `on` or `off`, not `maybe`"),
        ("renew example.com 12mo invoice:free", "Unknown invoice option `free`"),
        ("renew example.com 5mo", "LogicBoxes renews example.com (us) for 1mo, 3mo, 6mo, 12mo, not 5 months."),
        ("renew example.com 24mo", "LogicBoxes renews example.com (us) for 1mo, 3mo, 6mo, 12mo, not 24 months."),
        ("renew nope.com 12mo", "No Enterprise Email order for nope.com in us, in."),
    ],
)
def test_renew_refusals(bot, sim, text, shown):
    assert shown in bot.driver.command(text).shown()
    assert approval_requests(bot.driver) == [] and posted(sim, "renew") == []


# ---------------------------------------------------------------- renewals keep auto-renew


@pytest.mark.parametrize(
    ("text", "card", "sent", "after"),
    [
        ("renew acme.com 12mo", "auto-renew stays off", "false", False),  # LogicBoxes says recurring "false"
        ("renew example.com 12mo autorenew:off", "auto-renew turns off", "false", False),
        ("renew example.com 12mo autorenew:on", "auto-renew stays on", "true", True),
    ],
)
def test_a_renewal_sends_the_orders_auto_renew_unless_asked(bot, sim, text, card, sent, after):
    message, _ = request(bot.driver, text)
    assert f"*Auto-renew*\n{card}" in visible_text(message)
    assert "accepted by LogicBoxes" in visible_text(approve(bot, message))
    (call,) = posted(sim, "renew")
    assert call.params["auto-renew"] == [sent]
    sim.finish_all()  # LogicBoxes provisions the renewal, and its auto-renew with it
    assert sim.orders[int(call.params["order-id"][0])].recurring is after
    order = bot.driver.command(f"order {call.params['order-id'][0]}").text()
    assert f"*Auto-renew*\n{'on' if after else 'off'}" in order


def test_the_order_card_says_whether_auto_renew_is_on(bot, sim):
    assert "*Auto-renew*\non" in bot.driver.command("order example.com").text()  # recurring "true"
    assert "*Auto-renew*\noff" in bot.driver.command("order acme.com").text()
    sim.orders[84372636].extra = {"recurring": True}  # a JSON boolean, as some answers carry it
    assert "*Auto-renew*\non" in bot.driver.command("order example.in").text()
    assert "*Auto-renew*\nnot given" in bot.driver.command("order xn--bcher-kva.com").text()


def test_auto_renew_changed_before_approval_sends_nothing(bot, sim):
    message, _ = request(bot.driver, "renew example.com 12mo")
    assert "auto-renew stays on" in visible_text(message)
    sim.orders[84372632].recurring = False  # someone turned it off in the control panel meanwhile
    update = visible_text(approve(bot, message))
    assert "auto-renew on -&gt; off since this was asked; ask again. Nothing was sent." in update
    assert "approved and done" not in update and posted(sim, "renew") == []


def test_a_renewal_of_an_order_whose_auto_renew_is_not_given_must_say_it(bot, sim):
    refused = bot.driver.command("renew xn--bcher-kva.com 12mo").shown()
    assert "LogicBoxes does not say whether auto-renew is on for xn--bcher-kva.com" in refused
    assert "`autorenew:on` or `autorenew:off`" in refused and approval_requests(bot.driver) == []
    message, _ = request(bot.driver, "renew xn--bcher-kva.com 12mo autorenew:on")
    assert "auto-renew set on (LogicBoxes did not say whether it is on now)" in visible_text(message)
    approve(bot, message)
    assert posted(sim, "renew")[0].params["auto-renew"] == ["true"]


def test_the_quotes_request_renewal_follows_the_same_rule(bot, sim):
    sim.own_prices.clear()
    quote = bot.driver.command("price 2 accounts 12mo renew for xn--bcher-kva.com").response()
    value = buttons(quote)["request_change"]["value"]
    reply = bot.driver.click("request_change", value, user="U0AGENT")
    assert "does not say whether auto-renew is on for xn--bcher-kva.com" in reply.text()
    assert approval_requests(bot.driver) == [] and posted(sim, "renew") == []


# ---------------------------------------------------------------- tenures from the price list


def test_a_tenure_the_regions_price_list_does_not_sell_is_refused_naming_those_it_does(bot, sim):
    sim.drop_tenure("in", "renew", 6)  # India stops selling 6-month renewals; the US still does
    refused = bot.driver.command("renew example.in 6mo").shown()
    assert "LogicBoxes renews example.in (in) for 1mo, 3mo, 12mo, not 6 months." in refused
    assert approval_requests(bot.driver) == []
    message, _ = request(bot.driver, "renew example.com 6mo")  # us: still sold
    assert "for *6 months*" in visible_text(message)


def test_a_renewal_is_refused_when_the_price_list_cannot_be_read(bot, sim):
    sim.fail(None, "customer-price", "error", sticky=True)
    refused = bot.driver.command("renew example.com 12mo").shown()
    assert "Could not read the us price list to see which renewal tenures are sold" in refused
    assert approval_requests(bot.driver) == []


def _form_update(slack, count: int = 1) -> dict:
    update = slack.wait("/api/views.update", count)[count - 1]
    return json.loads(update["view"]) if isinstance(update["view"], str) else update["view"]


def _choices(view: dict, block_id: str) -> tuple[list[str], str | None]:
    block = next(b for b in view["blocks"] if b.get("block_id") == block_id)
    element = block["element"]
    return [o["value"] for o in element["options"]], (element.get("initial_option") or {}).get("value")


def test_the_renewal_form_offers_the_tenures_sold_and_the_orders_auto_renew(bot, sim, slack):
    sim.drop_tenure("in", "renew", 12)
    bot.driver.command("renew example.in", user="U0AGENT")  # 12 no longer sold there: the longest is proposed
    view = _form_update(slack)
    assert _choices(view, "months") == (["1", "3", "6"], "6")
    assert _choices(view, "autorenew") == (["on", "off"], "on")
    auto = next(b for b in view["blocks"] if b.get("block_id") == "autorenew")
    assert auto["optional"] is False
    bot.driver.command("renew xn--bcher-kva.com", user="U0AGENT")  # auto-renew not given: chosen by hand
    view = _form_update(slack, 2)
    assert _choices(view, "autorenew") == (["on", "off"], None)
    _, ack = submit_view(bot.driver, "change_form", {}, user="U0AGENT", metadata=view["private_metadata"])
    assert "Auto-renew after this renewal is needed." in json.dumps(ack)
    bot.driver.command("renew example.com", user="U0AGENT")  # us: 12 months sold and proposed
    assert _choices(_form_update(slack, 3), "months") == (["1", "3", "6", "12"], "12")


def test_the_renewal_form_says_when_the_price_list_cannot_be_read(bot, sim, slack):
    sim.fail(None, "customer-price", "error", sticky=True)
    bot.driver.command("renew example.com", user="U0AGENT")
    view = _form_update(slack)
    text = json.dumps(view)
    assert "Could not read the us price list" in text and "cannot offer its choices" in text
    assert "submit" not in view and not any(b["type"] == "input" for b in view["blocks"])


# ---------------------------------------------------------------- remove accounts, and the follow-up


def test_remove_accounts_accepted_then_completed_per_the_action_queue(start_bot, sim, clock):
    bot = start_bot(clock=clock)
    message, _ = request(bot.driver, "remove-accounts example.com 2")
    text = visible_text(message)
    assert "Remove *2* unused accounts from *example.com*: 12 -> 10 accounts" in text
    assert "mailboxes in use must first be deleted in the Email Administration interface" in text
    assert "nothing is refunded" in text
    assert buttons(message)["approve"]["style"] == "danger"
    update = visible_text(approve(bot, message))
    assert "accepted by LogicBoxes, being processed" in update and "*Action status*\nExecutionStarted" in update
    assert "will be processed shortly" in update and "approved and done" not in update
    assert "follows LogicBoxes' action queue" in update
    (call,) = posted(sim, "delete-email-account")
    assert call.params["no-of-accounts"] == ["2"]
    approvals = bot.bot.deps.approvals
    assert approvals.sweep() == []  # not yet due
    clock.advance(301)
    assert approvals.sweep() == []  # due, asked, still pending at LogicBoxes
    eaqid = approvals.store.recent(1)[0].detail["eaqid"]
    sim.finish_action(eaqid, "Success", "Action completed successfully")
    assert approvals.sweep() == []  # the next look is 600 s after the last one
    clock.advance(601)
    (finished,) = approvals.sweep()
    assert finished.status is Status.DONE
    card = visible_text(bot.driver.slack.outcome_posts()[-1])
    assert "Remove accounts from example.com: approved and done" in card and "LogicBoxes completed it <!date^" in card
    assert last_audit(bot, "finish").detail["result"] == "done"
    clock.advance(7200)
    assert approvals.sweep() == []  # once


def test_remove_accounts_keeps_at_least_one(bot, sim):
    text = bot.driver.command("remove-accounts globex.com 3").text()
    assert "globex.com (order 84372634) has 3 accounts: removing 3 would leave none" in text
    assert approval_requests(bot.driver) == []


def test_remove_accounts_is_refused_on_an_expired_order_whatever_its_status(bot, sim):
    text = bot.driver.command("remove-accounts globex.com 1").text()  # Suspended, expired 4 days ago
    assert "globex.com (order 84372634) expired on " in text
    assert "LogicBoxes cannot remove accounts from an expired order. Renew it first." in text
    sim.orders[84372632].expires = int(time.time()) - DAY  # still "Active" at LogicBoxes
    assert "example.com (order 84372632) expired on " in bot.driver.command("remove-accounts 84372632 1").text()
    assert approval_requests(bot.driver) == [] and posted(sim, "delete-email-account") == []


@pytest.mark.parametrize(
    ("in_use", "served_accounts", "refusal"),
    [
        (11, None, "Email Account(s) currently in use cannot be deleted through this process."),
        (0, 1, "You must have atleast ONE email account."),  # details say 12; LogicBoxes itself knows better
    ],
)
def test_logicboxes_refusing_a_removal_is_a_failure_in_its_own_words(bot, sim, in_use, served_accounts, refusal):
    order = sim.orders[84372632]
    order.in_use = in_use
    message, _ = request(bot.driver, "remove-accounts example.com 2")
    if served_accounts is not None:
        order.extra = {"emailaccounts": str(order.accounts)}
        order.accounts = served_accounts
    update = visible_text(approve(bot, message))
    assert "Remove accounts from example.com: approved but failed" in update
    assert f"LogicBoxes (us) refused the request: {refusal} Nothing was changed." in update
    assert "done" not in update.split("\n")[0] and "confirmed" not in update
    assert order.accounts == (served_accounts or 12)
    assert last_audit(bot, "execute").detail["result"] == "failed"


def test_help_says_remove_accounts_takes_unused_accounts_and_refunds_nothing(bot):
    text = bot.driver.command("help").shown()
    line = text[text.index("/email remove-accounts") :].split("Example:")[0]
    assert "unused accounts" in line and "Email Administration" in line and "no refund" in line


# ---------------------------------------------------------------- suspend and unsuspend


def test_suspend_needs_a_reason_and_sends_it(bot, sim):
    message, _ = request(bot.driver, "suspend example.com reason: abuse report 4411, spam")
    text = visible_text(message)
    assert "Suspend *example.com*: its 12 mailboxes stop sending and receiving" in text
    assert "*Reason:* abuse report 4411, spam" in text and buttons(message)["approve"]["style"] == "danger"
    done = visible_text(approve(bot, message))
    assert "Suspend example.com: approved and done" in done
    (call,) = posted(sim, "suspend")
    assert call.params["reason"] == ["abuse report 4411, spam"] and call.params["order-id"] == ["84372632"]
    assert sim.orders[84372632].status == "Suspended"
    audit = bot.driver.command("audit example.com", user="U0LEAD").text()
    assert "reason: abuse report 4411, spam" in audit


def test_suspend_refused_when_already_suspended_and_unsuspend_unless_suspended(bot, sim):
    assert (
        "globex.com (order 84372634) is already suspended." in bot.driver.command("suspend globex.com reason:x").text()
    )
    assert (
        "example.com (order 84372632) is not suspended (it is Active)."
        in bot.driver.command("unsuspend example.com").text()
    )
    assert approval_requests(bot.driver) == []


def test_unsuspend(bot, sim):
    message, _ = request(bot.driver, "unsuspend globex.com reason:paid")
    assert "Lift the suspension of *globex.com*" in visible_text(message)
    assert "Unsuspend globex.com: approved and done" in visible_text(approve(bot, message))
    assert len(posted(sim, "unsuspend")) == 1 and sim.orders[84372634].status == "Active"


# ---------------------------------------------------------------- duplicates, stale numbers, totals


def test_a_second_open_request_of_a_kind_is_refused_with_a_link(bot, sim):
    first, _ = request(bot.driver, "add-accounts acme.com 5")
    refused = bot.driver.command("add-accounts acme.com 3", user="U0OTHER").text()
    assert "There is already an open add-accounts request for *acme.com*: " in refused
    assert f"<https://example.slack.com/archives/C0SUPPORT/p1700000000000001|request `{approval_id(first)}`>" in refused
    assert "asked by <@U0AGENT>" in refused
    assert len(approval_requests(bot.driver)) == 1
    other_kind, _ = request(bot.driver, "renew acme.com 12mo")  # a different kind may be asked beside it
    assert "renew acme.com" in visible_text(other_kind)


def test_pending_total_is_bounded_per_order(start_bot, sim):
    bot = start_bot(max_add_accounts=10)
    request(bot.driver, "add-accounts acme.com 6")
    bot.bot.deps.approvals.store.engine.dispose()
    text = bot.driver.command("add-accounts acme.com 5", user="U0OTHER").text()
    assert "At most 10 accounts can be added in one request or be pending for one order (6 already asked" in text


def test_recorded_numbers_that_changed_stop_the_call(bot, sim):
    message, _ = request(bot.driver, "add-accounts acme.com 5")
    sim.orders[84372633].accounts = 45  # someone added accounts in the control panel meanwhile
    text = visible_text(approve(bot, message))
    assert "approved but failed" in text
    assert "40 -&gt; 45 accounts since this was asked; ask again. Nothing was sent." in text
    assert posted(sim, "add-email-account") == []


# ---------------------------------------------------------------- faults after the call


def test_a_failed_chat_update_is_retried_and_the_outcome_kept(start_bot, sim):
    bot = start_bot(slack_retry_base=0.01)
    message, _ = request(bot.driver, "delete acme.com")
    bot.driver.slack.fail_updates = ["internal_error", "service_unavailable"]
    bot.driver.click("approve", approval_id(message), user="U0LEAD")
    updates = bot.driver.slack.wait_outcomes(2)  # one refused, then the retry that took
    assert "approved and done" in visible_text(updates[1]) and buttons(updates[1]) == {}
    assert bot.bot.deps.approvals.store.get(approval_id(message))["status"] == "done"


def test_a_gone_request_message_gets_a_new_one(start_bot, sim):
    bot = start_bot(slack_retry_base=0.01)
    message, _ = request(bot.driver, "delete acme.com")
    bot.driver.slack.fail_updates = ["message_not_found", "message_not_found"]  # "running...", then the outcome
    bot.driver.click("approve", approval_id(message), user="U0LEAD")
    posts = bot.driver.slack.wait("/api/chat.postMessage", 3)
    anew, notice = posts[1], posts[2]
    assert "Delete acme.com: approved and done" in visible_text(anew) and buttons(anew) == {}
    assert notice["thread_ts"] == "1700000000.000002" and "the request message was gone" in notice["text"]


def test_one_reminder_at_80_percent_of_the_time_to_live(start_bot, sim, clock):
    bot = start_bot(clock=clock, approval_ttl=1000)
    message, _ = request(bot.driver, "renew acme.com 12mo")
    approvals = bot.bot.deps.approvals
    clock.advance(799)
    approvals.sweep()
    assert [p for p in bot.driver.slack.posts("/api/chat.postMessage") if p.get("thread_ts")] == []
    clock.advance(2)
    approvals.sweep()
    approvals.sweep()  # once only
    (reminder,) = [p for p in bot.driver.slack.posts("/api/chat.postMessage") if p.get("thread_ts")]
    assert reminder["thread_ts"] == "1700000000.000001"  # in the request's thread
    assert reminder["text"].startswith("<@U0ONCALL> <@U0LEAD> <!subteam^S0ONCALL> reminder: <@U0AGENT> still waits")
    assert "renew acme.com" in reminder["text"]
    assert approvals.store.get(approval_id(message))["status"] == "pending"


def test_an_approved_change_shows_running_with_no_buttons(bot, sim):
    message, _ = request(bot.driver, "delete acme.com")
    sim.fail("us", "delete", "slow")
    sim.release.clear()
    bot.driver.click("approve", approval_id(message), user="U0LEAD")
    running = bot.driver.slack.wait("/api/chat.update", 1)[0]
    assert "*Approved* by <@U0LEAD>" in visible_text(running) and ", running..." in visible_text(running)
    assert buttons(running) == {}
    sim.release.set()
    assert "approved and done" in visible_text(bot.driver.slack.wait_outcomes(1)[0])


def test_a_late_answer_never_overwrites_unknown(start_bot, sim, clock):
    bot = start_bot(clock=clock, read_timeout=8, command_deadline=20)
    approvals = bot.bot.deps.approvals
    message, _ = request(bot.driver, "delete acme.com")
    sim.fail("us", "delete", "slow")
    sim.release.clear()
    bot.driver.click("approve", approval_id(message), user="U0LEAD")
    eventually(lambda: posted(sim, "delete"), "the call to reach LogicBoxes", 10)
    clock.advance(approvals.stuck_after - 1)
    assert approvals.sweep() == []  # the call can still answer: not given up on
    clock.advance(2)
    (unknown,) = approvals.sweep()  # as if the process had died mid-call
    assert unknown.status is Status.UNKNOWN
    sim.release.set()  # ... but it had not: LogicBoxes answers now
    updates = bot.driver.slack.wait_outcomes(2)
    late = visible_text(updates[1])
    assert "approved, outcome unknown" in late and "LogicBoxes answered after this was marked unknown:* done" in late
    row = approvals.store.get(approval_id(message))
    assert row["status"] == "unknown" and row["late_outcome"]["result"] == "done"
    assert last_audit(bot, "late-answer").detail["result"] == "done"
    assert [e.action for e in approvals.store.recent(3)] == ["late-answer", "answer", "execute"]


# ---------------------------------------------------------------- where requests start: digest, quotes


def accessory_buttons(message: dict) -> dict[str, dict]:
    return {
        block["text"]["text"].split("*")[1]: block["accessory"]
        for block in message.get("blocks") or []
        if block.get("accessory", {}).get("action_id") == "request_change"
    }


def test_the_digest_renew_button_starts_a_renewal_request(bot, sim, slack):
    from bot.__main__ import main

    env = {"SLACK_BOT_TOKEN": "xoxb-test-0000-token", "SLACK_API_URL": slack.url + "/api/"}
    env |= {"RESELLER_AUTH_USERID": "1", "RESELLER_API_KEY": bot.settings.secret("reseller_api_key")}
    env |= {"RESELLER_API_URL": sim.base_url, "DATABASE_URL": bot.settings.database_url}
    with pytest.MonkeyPatch.context() as patch:
        for key, value in env.items():
            patch.setenv(key, value)
        assert main(["digest", "--channel", "C0DIGEST", "--days", "30"]) == 0
    digest = slack.posts("/api/chat.postMessage")[0]
    renew = accessory_buttons(digest)["acme.com"]
    assert renew["text"]["text"] == "Renew" and renew["value"] == "renew 84372633"
    bot.driver.click("request_change", renew["value"], user="U0AGENT", channel="C0DIGEST")
    form = slack.wait("/api/views.open", 1)[0]
    view = json.loads(form["view"]) if isinstance(form["view"], str) else form["view"]
    assert view["callback_id"] == "change_form"
    view = _form_update(slack)  # the tenures sold and acme.com's auto-renew (off), once LogicBoxes answered
    assert _choices(view, "months") == (["1", "3", "6", "12"], "12") and _choices(view, "autorenew")[1] == "off"
    values = {
        "months": {"value": {"selected_option": {"value": "12"}}},
        "autorenew": {"value": {"selected_option": {"value": "off"}}},
    }
    _, ack = submit_view(bot.driver, "change_form", values, user="U0AGENT", metadata=view["private_metadata"])
    assert ack == {}
    slack.wait_until(lambda: len(approval_requests(bot.driver)) == 1, what="the renewal request")
    message = approval_requests(bot.driver)[0]
    assert message["channel"] == "C0DIGEST"
    assert "Renew *acme.com* for *12 months*" in visible_text(message) and "<@U0AGENT> asks to" in visible_text(message)
    assert "auto-renew stays off" in visible_text(message)
    assert posted(sim, "renew") == []  # a request, not a renewal: it waits for approval


def test_a_quote_for_an_order_offers_the_matching_request(bot, sim):
    quote = bot.driver.command("price 5 accounts 6mo for acme.com").response()
    (request_button,) = [b for b in buttons(quote).values() if b["action_id"] == "request_change"]
    assert request_button["text"]["text"] == "Request these accounts"
    assert request_button["value"] == "add-accounts 84372633 5"
    assert "estimates over the months left" in visible_text(quote)
    bot.driver.click("request_change", request_button["value"], user="U0SALES")
    bot.driver.slack.wait_until(lambda: approval_requests(bot.driver), what="the add-accounts request")
    message = approval_requests(bot.driver)[0]
    assert "Add *5* accounts to *acme.com*: 40 -> 45 accounts" in visible_text(message)
    assert "months left on the order" in visible_text(message)
    renewal = bot.driver.command("price 40 accounts 12mo renew for acme.com").response()
    assert buttons(renewal)["request_change"]["value"] == "renew 84372633 12mo"
    assert buttons(renewal)["request_change"]["text"]["text"] == "Request renewal"
    generic = bot.driver.command("price 5 accounts 6mo").response()
    assert "request_change" not in buttons(generic)  # no order, nothing to request


def test_cost_viewers_see_a_renewals_reseller_cost_privately(bot, sim):
    reply = bot.driver.command("renew example.com 12mo", user="U0LEAD")  # an approver, so a cost viewer
    note, cost = reply.responses(2)
    assert "Approval requested" in note["text"] and cost["response_type"] == "ephemeral"
    text = visible_text(cost)
    # cost list 0.6 x: band 11-15 renew 12 months = 1.4 x 0.6 x 1.1 = 0.924 -> x 12 accounts x 12 months = 133.06
    assert "*Reseller cost*\n133.06 USD" in text and "*Customer estimate*\n221.76 USD" in text
    assert "*Margin*\n88.70 USD" in text and "Only you can see this" in text
    assert "133.06" not in json.dumps(approval_requests(bot.driver)[0])  # never in the channel's request
    agent = bot.driver.command("renew acme.com 12mo", user="U0AGENT")
    agent.response()
    assert bot.bot.deps.workers.wait_idle(10)
    assert len(bot.driver.slack.posts(agent.response_path)) == 1  # agents get no cost


# ---------------------------------------------------------------- outcomes from LogicBoxes' action queue


def accepted(bot, text: str) -> tuple[dict, str]:
    """Ask, approve, and see it accepted: (the request message, the action's eaqid)."""
    message, _ = request(bot.driver, text)
    card = visible_text(approve(bot, message))
    assert "accepted by LogicBoxes, being processed" in card and "approved and done" not in card
    return message, bot.bot.deps.approvals.store.get(approval_id(message))["outcome"]["eaqid"]


def thread_replies(bot, at_least: int = 0) -> list[str]:
    """What the bot said in request threads, once there are `at_least` replies (they follow the card)."""
    said = lambda: [p["text"] for p in bot.driver.slack.posts("/api/chat.postMessage") if p.get("thread_ts")]
    bot.driver.slack.wait_until(lambda: len(said()) >= at_least, what=f"{at_least} thread replies")
    return said()


def test_a_queued_add_is_accepted_then_completed(start_bot, sim, clock):
    bot = start_bot(clock=clock, followup_after=2)
    _, eaqid = accepted(bot, "add-accounts acme.com 5 invoice:PayInvoice")
    assert "accepted by LogicBoxes, being processed" in thread_replies(bot, 1)[-1]  # the requester is told at once
    sim.finish_action(eaqid, "Success")
    clock.advance(2)
    (done,) = bot.bot.deps.approvals.sweep()
    assert done.status is Status.DONE
    card = visible_text(bot.driver.slack.outcome_posts()[-1])
    assert "Add accounts to acme.com: approved and done" in card and "LogicBoxes completed it <!date^" in card
    assert "LogicBoxes completed it" in thread_replies(bot, 2)[-1] and "UTC>" in thread_replies(bot, 2)[-1]
    asked = [c for c in sim.calls if c.name == "search-current" and "eaq-id" in c.params]  # the follow-up's
    assert len(asked) == 1 and asked[0].params["eaq-id"] == [eaqid]  # one call for all that is due


def test_a_queued_renewal_that_fails_later_says_why(start_bot, sim, clock):
    bot = start_bot(clock=clock, followup_after=2)
    _, eaqid = accepted(bot, "renew acme.com 12mo invoice:PayInvoice")
    sim.finish_action(eaqid, "Failed", "Renewal could not be provisioned: domain locked")
    clock.advance(2)
    (failed,) = bot.bot.deps.approvals.sweep()
    assert failed.status is Status.FAILED
    card = visible_text(bot.driver.slack.outcome_posts()[-1])
    assert "Renew acme.com: approved but failed" in card
    assert "LogicBoxes reports it failed: Renewal could not be provisioned: domain locked" in card
    assert "LogicBoxes reports it failed" in thread_replies(bot, 2)[-1]
    assert last_audit(bot, "finish").detail["result"] == "failed"


def test_an_action_still_pending_past_the_bound_is_said_once(start_bot, sim, clock):
    bot = start_bot(clock=clock, followup_after=2, action_stuck_after=600)
    _, eaqid = accepted(bot, "add-accounts acme.com 5 invoice:PayInvoice")
    approvals = bot.bot.deps.approvals
    clock.advance(601)
    assert approvals.sweep() == []
    said = thread_replies(bot)[-1]
    assert f"Still pending at LogicBoxes: action {eaqid} is InvoicePaid" in said
    clock.advance(3601)
    assert approvals.sweep() == [] and thread_replies(bot)[-1] == said  # once
    assert bot.bot.deps.approvals.store.get(approvals.store.recent(1)[0].approval_id or "") is None or True


def test_an_eaqid_logicboxes_no_longer_lists(start_bot, sim, clock):
    bot = start_bot(clock=clock, followup_after=2, action_stuck_after=600)
    _, eaqid = accepted(bot, "add-accounts acme.com 5 invoice:PayInvoice")
    del sim.queue[eaqid]  # in neither list: pending until the bound, then said
    clock.advance(2)
    assert bot.bot.deps.approvals.sweep() == [] and not any("no longer lists" in t for t in thread_replies(bot, 1))
    clock.advance(600)
    assert bot.bot.deps.approvals.sweep() == []
    assert f"LogicBoxes no longer lists action {eaqid}" in thread_replies(bot, 2)[-1]


def test_waiting_for_payment_is_said_as_such(start_bot, sim, clock):
    bot = start_bot(clock=clock, followup_after=2, action_stuck_after=600)
    message, _ = request(bot.driver, "add-accounts acme.com 5 invoice:OnlyAdd")
    card = visible_text(approve(bot, message))
    assert "Waiting for payment of invoice 78072633." in card
    clock.advance(601)
    bot.bot.deps.approvals.sweep()
    assert "Still waiting for payment of invoice 78072633" in thread_replies(bot, 2)[-1]


def test_two_instances_follow_one_accepted_request_with_one_query_per_action(start_bot, sim, clock, tmp_path):
    database_url = f"sqlite:///{tmp_path}/shared.db"
    first = start_bot(clock=clock, followup_after=2, database_url=database_url)
    second = start_bot(clock=clock, followup_after=2, database_url=database_url)
    _, eaqid = accepted(first, "add-accounts acme.com 5 invoice:PayInvoice")
    clock.advance(2)
    follow_ups = lambda: len([c for c in sim.calls if c.name == "search-current" and "eaq-id" in c.params])
    assert first.bot.deps.approvals.sweep() == [] and second.bot.deps.approvals.sweep() == []
    assert follow_ups() == 1  # the second found nothing due: the first had claimed it
    sim.finish_action(eaqid)
    clock.advance(4)
    finished = second.bot.deps.approvals.sweep() + first.bot.deps.approvals.sweep()
    assert [a.status for a in finished] == [Status.DONE] and follow_ups() == 2


def test_the_follow_up_survives_a_restart(start_bot, sim, clock, tmp_path):
    database_url = f"sqlite:///{tmp_path}/restart.db"
    before = start_bot(clock=clock, followup_after=2, database_url=database_url)
    _, eaqid = accepted(before, "renew acme.com 12mo invoice:PayInvoice")
    before.bot.stop.set()  # that process is gone; a new one takes over from the database
    after = start_bot(clock=clock, followup_after=2, database_url=database_url)
    sim.finish_action(eaqid)
    clock.advance(2)
    (done,) = after.bot.deps.approvals.sweep()
    assert done.status is Status.DONE and done.finished_at is not None


# ---------------------------------------------------------------- pending actions: on the card, and in the way


def test_a_control_panel_action_shows_on_the_card_cached_with_the_order(bot, sim):
    eaqid = sim.queue_action(
        84372633, "Renew", "Renewal of Enterprise Email for acme.com for 12 months", "InvoicePaid", "in 5-10 minutes"
    )
    card = bot.driver.command("order acme.com").text()
    assert "*Pending at LogicBoxes*" in card and "Renewal of Enterprise Email for acme.com for 12 months" in card
    assert "(InvoicePaid since " in card and f"action `{eaqid}`" in card
    assert "*Pending actions*: none" in bot.driver.command("order example.com").text()
    assert "Pending at LogicBoxes" in bot.driver.command("order acme.com").text()
    assert sim.count("search-current") == 2  # acme.com's second card came from the cache, with its order


def test_the_card_shows_even_when_pending_actions_cannot_be_read(bot, sim):
    sim.fail(None, "search-current", "html500", sticky=True)
    card = bot.driver.command("order example.com").text()
    assert "example.com · Active" in card and "*Pending actions*: could not be read (" in card


def test_a_change_into_an_order_with_a_pending_action_is_refused_naming_it(bot, sim):
    sim.queue_action(84372633, "Renew", "Renewal of acme.com for 12 months", "PendingExecution", "Awaiting payment")
    refused = bot.driver.command("add-accounts acme.com 5").text()
    assert "acme.com (order 84372633) has an action pending at LogicBoxes: Renewal of acme.com for 12 months" in refused
    assert "waiting for payment (Awaiting payment)" in refused
    assert approval_requests(bot.driver) == [] and posted(sim, "add-email-account") == []


def test_a_pending_action_that_appears_before_the_call_stops_it(bot, sim):
    message, _ = request(bot.driver, "add-accounts acme.com 5")
    sim.queue_action(84372633, "Suspend", "Suspension of acme.com", "ExecutionStarted")  # someone in the panel
    update = visible_text(approve(bot, message))
    assert "approved but failed" in update and "has an action pending at LogicBoxes: Suspension of acme.com" in update
    assert "Nothing was sent." in update and posted(sim, "add-email-account") == []


def test_when_the_queue_cannot_be_read_no_change_is_asked_or_sent(bot, sim):
    sim.fail(None, "search-current", "html500", sticky=True)
    refused = bot.driver.command("add-accounts acme.com 5").text()
    assert "Could not check LogicBoxes' pending actions for acme.com" in refused and "ask again" in refused
    assert approval_requests(bot.driver) == []
    sim.heal()
    message, _ = request(bot.driver, "add-accounts acme.com 5")
    sim.fail(None, "search-current", "html500", sticky=True)
    update = visible_text(approve(bot, message))
    assert "Could not check LogicBoxes' pending actions" in update and "Nothing was sent." in update
    assert posted(sim, "add-email-account") == []


def test_logicboxes_refusing_with_an_action_pending_is_a_failure_in_its_words(bot, sim, monkeypatch):
    message, _ = request(bot.driver, "renew example.com 12mo")
    monkeypatch.setattr(
        sim,
        "_renew",
        lambda *args: (
            500,
            "application/json",
            '{"status": "ERROR", "message": "There is already an action pending on this Order."}',
        ),
    )
    update = visible_text(approve(bot, message))
    assert "approved but failed" in update and "There is already an action pending on this Order." in update
    assert "approved and done" not in update


# ---------------------------------------------------------------- /email history


def test_history_lists_pending_and_finished_actions_newest_first_with_share(bot, sim):
    bot.driver.click("approve", approval_id(request(bot.driver, "delete acme.com")[0]), user="U0LEAD")
    bot.driver.slack.wait_outcomes(1)
    panel = sim.queue_action(84372633, "Renew", "Renewal <b>by the panel</b>", "InvoicePaid", "in 5-10 minutes")
    reply = bot.driver.command("history acme.com")
    assert reply.ack["text"] == "Reading LogicBoxes' actions on acme.com..."
    answer = reply.response()
    text = visible_text(answer)
    assert "LogicBoxes actions on acme.com" in text
    assert text.index(panel) < text.index("469072633")  # newest first
    assert "*Renewal &lt;b&gt;by the panel&lt;/b&gt;* · `" in text  # LogicBoxes' text is escaped
    assert "pending · *InvoicePaid*: in 5-10 minutes" in text
    assert "completed <!date^" in text and "*Success*: Action completed successfully" in text
    assert answer["response_type"] == "ephemeral" and buttons(answer)["share"]["value"] == "history 84372633"
    shared = bot.driver.click("share", "history 84372633", user="U0AGENT").response()
    assert shared["response_type"] == "in_channel" and "LogicBoxes actions on acme.com" in visible_text(shared)


def test_history_reads_a_bounded_number_of_pages_and_says_so(bot, sim):
    for n in range(120):
        sim.queue_action(84372632, "AddEmailAccount", f"Addition {n}", "Success")
    text = bot.driver.command("history example.com limit:50").text()
    assert text.count("Addition ") == 50 and "older actions not shown" in text
    assert sim.count("search-archived") == 2  # two pages, then it stops


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("history", "`history` needs one domain or order id."),
        ("history acme.com limit:51", "The limit can be at most 50, not 51."),
        ("history acme.com example.com", "`history` needs one domain or order id."),
    ],
)
def test_history_bad_input_gets_the_usage_line(bot, text, shown):
    said = bot.driver.command(text).shown()
    assert shown in said and "/email history <domain | order-id> [limit:<N>]" in said.replace("&lt;", "<").replace(
        "&gt;", ">"
    )
