"""The Slack surfaces beyond the slash command, each end to end with signed payloads built from
the recorded shapes in tests/payloads/slack/: App Home, its Look up and quote forms, the message
shortcut (in test_lookups), Deny's form (in test_approvals)."""

from __future__ import annotations

import json

from tests.support import (
    approval_id,
    approval_requests,
    buttons,
    click_in_view,
    event,
    request,
    submit_view,
    visible_text,
)


def view_of(post: dict) -> dict:
    return json.loads(post["view"]) if isinstance(post["view"], str) else post["view"]


def published(slack, user: str, count: int = 1) -> dict:
    slack.wait_until(
        lambda: len([p for p in slack.posts("/api/views.publish") if p["user_id"] == user]) >= count,
        what=f"{count} Home tab(s) for {user}",
    )
    return view_of([p for p in slack.posts("/api/views.publish") if p["user_id"] == user][count - 1])


def view_text(view: dict) -> str:
    return visible_text({"blocks": view["blocks"]})


def view_buttons(view: dict) -> list[dict]:
    found = [e for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]
    return found + [b["accessory"] for b in view["blocks"] if b.get("accessory")]


def test_home_tab_shows_what_waits_and_approving_there_runs_once(bot, sim):
    message, _ = request(bot.driver, "delete acme.com", user="U0AGENT")
    request(bot.driver, "renew example.com 12mo", user="U0LEAD")
    assert event(bot.driver, "event_app_home_opened", user="U0LEAD", tab="home") == 200
    home = published(bot.driver.slack, "U0LEAD")
    assert home["type"] == "home"
    text = view_text(home)
    assert "Waiting for your approval (1)" in text and "Delete the Enterprise Email order for *acme.com*" in text
    assert "Your open requests (1)" in text and "Renew *example.com* for *12 months*" in text
    assert "Expiring in the next 30 days (" in text and "acme.com" in text
    actions = {(b["action_id"], b["value"]) for b in view_buttons(home)}
    assert ("approve", approval_id(message)) in actions and ("deny", approval_id(message)) in actions
    assert "renew 84372633" in {b["value"] for b in view_buttons(home)}  # opens the renewal form
    assert {"home_lookup", "home_quote"} <= {a for a, _ in actions}
    # approving from the Home tab: the same rules and the same claim as the channel's button
    assert click_in_view(bot.driver, "approve", approval_id(message), user="U0LEAD") == 200
    outcome = bot.driver.slack.wait_outcomes(1)[0]
    assert "Delete acme.com: approved and done" in visible_text(outcome) and buttons(outcome) == {}
    assert sim.count("delete", method="POST") == 1
    refreshed = published(bot.driver.slack, "U0LEAD", 2)  # the tab follows the change
    assert "Waiting for your approval" not in view_text(refreshed)


def test_home_tab_of_someone_who_is_not_an_approver(bot, sim):
    message, _ = request(bot.driver, "delete acme.com", user="U0AGENT")
    event(bot.driver, "event_app_home_opened", user="U0AGENT", tab="home")
    text = view_text(published(bot.driver.slack, "U0AGENT"))
    assert "Waiting for your approval" not in text and "Your open requests (1)" in text
    assert click_in_view(bot.driver, "approve", approval_id(message), user="U0AGENT") == 200
    bot.driver.slack.wait_until(
        lambda: any(p["channel"] == "U0AGENT" for p in bot.driver.slack.posts("/api/chat.postMessage")),
        what="the refusal in the app's messages",
    )
    refusal = next(p for p in bot.driver.slack.posts("/api/chat.postMessage") if p["channel"] == "U0AGENT")
    assert "Only approvers (<@U0ONCALL> <@U0LEAD> <!subteam^S0ONCALL>) can approve" in refusal["text"]
    assert sim.count("delete") == 0


def test_home_shows_a_request_logicboxes_accepted_as_in_progress(bot, sim):
    message, _ = request(bot.driver, "add-accounts acme.com 5 invoice:PayInvoice", user="U0AGENT")
    bot.driver.click("approve", approval_id(message), user="U0LEAD")
    assert "accepted by LogicBoxes" in visible_text(bot.driver.slack.wait_outcomes(1)[0])
    event(bot.driver, "event_app_home_opened", user="U0AGENT", tab="home")
    home = published(bot.driver.slack, "U0AGENT")
    text = view_text(home)
    assert "Your open requests (1)" in text and "In progress: accepted by LogicBoxes, being processed" in text
    assert "cancel" not in {b["action_id"] for b in view_buttons(home)}  # nothing left to cancel


def test_home_look_up_form(bot, sim):
    click_in_view(bot.driver, "home_lookup", "lookup", user="U0AGENT")
    form = view_of(bot.driver.slack.wait("/api/views.open", 1)[0])
    assert form["callback_id"] == "lookup_form"
    # text that names no domain, address or order id is a customer's name or company: too short here
    status, ack = submit_view(bot.driver, "lookup_form", {"target": {"value": {"value": "no"}}})
    assert status == 200
    assert ack == {
        "response_action": "errors",
        "errors": {"target": "Type a domain, an address, an order id, or a customer's id, name or company."},
    }
    _, ack = submit_view(bot.driver, "lookup_form", {"target": {"value": {"value": "jane@acme.com"}}})
    assert ack["response_action"] == "update" and "Looking up acme.com..." in json.dumps(ack["view"])
    answer = view_of(bot.driver.slack.wait("/api/views.update", 1)[0])
    assert "acme.com · Active" in view_text(answer) and "20002 (Wile E. Coyote, Acme Corporation)" in view_text(answer)


def test_quote_form_posts_in_the_chosen_channel_with_cost_privately(bot, sim):
    values = {
        "accounts": {"value": {"value": "12"}},
        "months": {"value": {"value": "6mo"}},
        "action": {"value": {"selected_option": {"value": "add"}}},
        "whom": {"value": {"value": "acme.com"}},
        "region": {"value": {"value": None}},
        "channel": {"value": {"selected_conversation": "C0SALES"}},
    }
    status, ack = submit_view(bot.driver, "quote_form", values, user="U0LEAD")
    assert status == 200 and ack == {}
    quote = bot.driver.slack.wait("/api/chat.postMessage", 1)[0]
    assert quote["channel"] == "C0SALES" and "86.18 USD" in visible_text(quote)
    cost = bot.driver.slack.wait("/api/chat.postEphemeral", 1)[0]
    assert cost["user"] == "U0LEAD" and "*Margin*\n28.73 USD" in visible_text(cost)
    bad = dict(values, accounts={"value": {"value": "twelve"}}, months={"value": {"value": "soon"}})
    _, ack = submit_view(bot.driver, "quote_form", bad, user="U0LEAD")
    assert ack["response_action"] == "errors" and set(ack["errors"]) == {"accounts", "months"}


def completions(slack, count: int = 1) -> list[tuple[str, dict]]:
    def done() -> list:
        return [
            r for r in slack.records if r.path in ("/api/functions.completeSuccess", "/api/functions.completeError")
        ]

    slack.wait_until(lambda: len(done()) >= count, what="the step to complete")
    return [(r.path.rsplit(".", 1)[-1], r.body) for r in done()]


# The person who started the workflow, as Slack fills the step's interactivity input in.
STARTED_BY = {
    "interactivity": {
        "interactivity_pointer": "7000000000.1.abcdef",
        "interactor": {"id": "U0AGENT", "team_id": "T1", "secret": "aW50ZXJhY3Rvcg"},
    }
}
LOOKUP = {"callback_id": "lookup_order", "title": "Look up an Enterprise Email order"}
QUOTE = {"callback_id": "quote_enterprise_email", "title": "Quote Enterprise Email"}


def test_workflow_step_looks_up_an_order(bot, sim):
    function = LOOKUP
    status = event(
        bot.driver,
        "event_function_executed",
        function=function,
        inputs={"domain_or_order_id": "example.in", **STARTED_BY},
    )
    assert status == 200
    ((kind, body),) = completions(bot.driver.slack)
    outputs = json.loads(body["outputs"]) if isinstance(body["outputs"], str) else body["outputs"]
    assert kind == "completeSuccess" and body["function_execution_id"] == "Fx0001"
    assert outputs["order_id"] == "84372636" and outputs["status"] == "Active" and outputs["accounts"] == 25
    assert outputs["region"] == "in" and outputs["customer_id"] == "20004" and len(outputs["expiry_date"]) == 10


def test_workflow_step_fails_with_the_sentence_people_see(bot, sim):
    inputs = {"domain_or_order_id": "nope.org", **STARTED_BY}
    event(bot.driver, "event_function_executed", function=LOOKUP, inputs=inputs)
    ((kind, body),) = completions(bot.driver.slack)
    assert kind == "completeError" and body["error"] == "No Enterprise Email order for nope.org in us, in."


def test_workflow_step_quotes(bot, sim):
    inputs = {"accounts": 12, "months": 6, "action": "add", **STARTED_BY}
    event(bot.driver, "event_function_executed", function=QUOTE, inputs=inputs)
    ((kind, body),) = completions(bot.driver.slack)
    outputs = json.loads(body["outputs"]) if isinstance(body["outputs"], str) else body["outputs"]
    assert kind == "completeSuccess" and outputs == {"unit_price": "1.330", "total": "95.76", "currency": "USD"}


def test_a_workflow_started_without_a_person_is_refused_saying_what_to_map(bot, sim):
    event(bot.driver, "event_function_executed", function=LOOKUP, inputs={"domain_or_order_id": "example.com"})
    ((kind, body),) = completions(bot.driver.slack)
    assert kind == "completeError" and "names nobody (a scheduled or webhook workflow has no person)" in body["error"]
    assert 'map its "Who is asking" input' in body["error"] and sim.calls == []


def test_a_step_asked_for_a_person_its_builder_named_works_for_that_person(bot, sim):
    inputs = {"domain_or_order_id": "example.com", "user": "U0AGENT"}
    event(bot.driver, "event_function_executed", function=LOOKUP, inputs=inputs)
    ((kind, _),) = completions(bot.driver.slack)
    assert kind == "completeSuccess"


def test_workflow_steps_need_the_same_roles_as_the_command(start_bot, sim, slack):
    bot = start_bot(readers="U0AGENT", quoters="U0SALES")
    sales = {"interactivity": {"interactor": {"id": "U0SALES", "team_id": "T1"}}}
    event(bot.driver, "event_function_executed", function=LOOKUP, inputs={"domain_or_order_id": "acme.com", **sales})
    event(bot.driver, "event_function_executed", function=QUOTE, inputs={"accounts": 5, "months": 12, **STARTED_BY})
    slack.people["U0PARTNER"] = {"team_id": "T2", "is_stranger": True}
    partner = {"interactivity": {"interactor": {"id": "U0PARTNER", "team_id": "T1"}}}
    event(bot.driver, "event_function_executed", function=LOOKUP, inputs={"domain_or_order_id": "acme.com", **partner})
    errors = sorted(body["error"] for kind, body in completions(bot.driver.slack, 3) if kind == "completeError")
    assert errors == [  # sorted: the three runs finish in any order
        "You need the QUOTERS role to quote prices: ask an admin to add you to QUOTERS.",
        "You need the READERS role to look up orders: ask an admin to add you to READERS.",
        "mailops answers only people of the workspace it is installed in.",
    ]
    assert sim.calls == []  # LogicBoxes was asked nothing


# ---------------------------------------------------------------- forms for changes


def opened_form(slack, count: int = 1) -> dict:
    return view_of(slack.wait("/api/views.open", count)[count - 1])


def filled_form(slack, count: int = 1) -> dict:
    return view_of(slack.wait("/api/views.update", count)[count - 1])


def test_a_change_without_its_values_opens_a_prefilled_form(bot, sim):
    reply = bot.driver.command("add-accounts acme.com")
    assert reply.status == 200 and reply.raw == ""  # no error: a form instead
    form = opened_form(bot.driver.slack)
    assert form["callback_id"] == "change_form" and "Looking up acme.com..." in view_text(form)
    filled = filled_form(bot.driver.slack)
    about = view_text(filled)
    assert "40 accounts · price band 36-55 · expires" in about
    assert "customer 20002 (Wile E. Coyote, Acme Corporation)" in about
    assert [b["block_id"] for b in filled["blocks"] if b["type"] == "input"] == [
        "count",
        "invoice",
        "discount",
        "reason",
    ]
    meta = filled["private_metadata"]
    bad = {"count": {"value": {"value": "lots"}}, "discount": {"value": {"value": "1.234"}}}
    _, ack = submit_view(bot.driver, "change_form", bad, user="U0AGENT", metadata=meta)
    assert ack["response_action"] == "errors" and set(ack["errors"]) == {"count", "discount"}
    assert "must be a whole number of 1 or more, not lots" in ack["errors"]["count"]
    good = {
        "count": {"value": {"value": "5"}},
        "invoice": {"value": {"selected_option": {"value": "PayInvoice"}}},
        "reason": {"reason_input": {"value": "three new hires"}},
    }
    _, ack = submit_view(bot.driver, "change_form", good, user="U0AGENT", metadata=meta)
    assert ack == {}
    bot.driver.slack.wait_until(lambda: approval_requests(bot.driver), what="the request")
    message = approval_requests(bot.driver)[0]
    text = visible_text(message)
    assert message["channel"] == "C_SUPPORT" and "Add *5* accounts to *acme.com*: 40 -> 45 accounts" in text
    assert "invoice option PayInvoice" in text and "*Reason:* three new hires" in text
    note = bot.driver.slack.wait("/api/chat.postEphemeral", 1)[0]
    assert note["user"] == "U0AGENT" and "Approval requested" in note["text"]


def test_a_value_given_but_invalid_is_an_error_not_a_form(bot, sim):
    shown = visible_text(bot.driver.command("add-accounts acme.com ²").ack)
    assert "must be a whole number of 1 or more, not `²`" in shown and "Usage" in shown
    assert bot.driver.slack.posts("/api/views.open") == []


def test_suspend_form_requires_a_reason_and_remove_form_keeps_one_account(bot, sim):
    bot.driver.command("suspend example.com")
    meta = filled_form(bot.driver.slack)["private_metadata"]
    _, ack = submit_view(bot.driver, "change_form", {}, user="U0AGENT", metadata=meta)
    assert ack == {"response_action": "errors", "errors": {"reason": "A reason is needed."}}
    bot.driver.command("remove-accounts globex.com")
    meta = filled_form(bot.driver.slack, 2)["private_metadata"]
    _, ack = submit_view(bot.driver, "change_form", {"count": {"value": {"value": "3"}}}, user="U0AGENT", metadata=meta)
    assert ack["errors"] == {"count": "The order has 3 accounts and keeps at least one."}
