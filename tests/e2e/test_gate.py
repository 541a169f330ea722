"""The gate cannot be skipped: every listener Bolt routes to is declared in bot.slack.surfaces, and
each surface, reached by someone who holds no role, has the one gate check the use cases declared
for it before anything else happens (LogicBoxes is asked nothing). Through the real app over HTTP."""

from __future__ import annotations

import json
import threading

import pytest

from bot.access import Access
from bot.slack.surfaces import REGISTERED, SURFACES, table
from tests.support import ROOT, click_in_view, event, shortcut, submit_view

NOBODY = "U0NOBODY"  # in the workspace, in no role


def _function(driver, callback: str) -> None:
    payload = json.loads(json.dumps(driver.templates["event_function_executed"]))
    payload["event"]["function"]["callback_id"] = callback
    payload["event"]["inputs"] = {
        "domain_or_order_id": "example.com",
        "accounts": 5,
        "months": 12,
        "interactivity": {"interactor": {"id": NOBODY, "team_id": "T1"}},
    }
    body = json.dumps(payload)
    driver.post(body, driver.sign(body) | {"Content-Type": "application/json"})


CHANGE_META = json.dumps({"kind": "renew", "target": "84372632", "channel": "C0SUPPORT"})

REACH = {
    ("command", "/email"): lambda d: d.command("order example.com", user=NOBODY),
    ("action", "share"): lambda d: d.click("share", "order example.com", user=NOBODY),
    ("action", "next_page"): lambda d: d.click("next_page", "search page:2", user=NOBODY),
    ("action", "check_dns"): lambda d: d.click("check_dns", "check example.com", user=NOBODY),
    ("action", "look_up"): lambda d: d.click("look_up", "order example.com", user=NOBODY),
    ("action", "customer_card"): lambda d: d.click("customer_card", "customer 20101", user=NOBODY),
    ("action", "watch_mute"): lambda d: d.click("watch_mute", "acme.com", user=NOBODY),
    ("action", "request_change"): lambda d: d.click("request_change", "add-accounts example.com 5", user=NOBODY),
    ("action", "approve"): lambda d: d.click("approve", "0123456789abcdef", user=NOBODY),
    ("action", "deny"): lambda d: d.click("deny", "0123456789abcdef", user=NOBODY),
    ("action", "cancel"): lambda d: d.click("cancel", "0123456789abcdef", user=NOBODY),
    ("action", "home_lookup"): lambda d: click_in_view(d, "home_lookup", "", user=NOBODY),
    ("action", "home_quote"): lambda d: click_in_view(d, "home_quote", "", user=NOBODY),
    ("view", "change_form"): lambda d: submit_view(d, "change_form", {}, user=NOBODY, metadata=CHANGE_META),
    ("view", "deny_reason"): lambda d: submit_view(d, "deny_reason", {}, user=NOBODY, metadata="0123456789abcdef"),
    ("view", "lookup_form"): lambda d: submit_view(
        d, "lookup_form", {"target": {"value": {"type": "plain_text_input", "value": "example.com"}}}, user=NOBODY
    ),
    ("view", "quote_form"): lambda d: submit_view(d, "quote_form", {}, user=NOBODY),
    ("shortcut", "lookup_message"): lambda d: shortcut(d, "please check example.com", user=NOBODY),
    ("event", "app_home_opened"): lambda d: event(d, "event_app_home_opened", user=NOBODY, tab="home"),
    ("function", "lookup_order"): lambda d: _function(d, "lookup_order"),
    ("function", "quote_enterprise_email"): lambda d: _function(d, "quote_enterprise_email"),
}


@pytest.fixture
def gated(start_bot, monkeypatch):
    """A bot where NOBODY holds no role, and every use case the gate checks, recorded."""
    checked: list[str] = []
    lock = threading.Lock()
    original = Access.check

    def spy(self, who, use_case, *args, **kwargs):
        with lock:
            checked.append(use_case)
        return original(self, who, use_case, *args, **kwargs)

    monkeypatch.setattr(Access, "check", spy)
    bot = start_bot(
        readers="U0READER", quoters="U0READER", requesters="U0READER", alerts_channel="C0ALERTS", watch=False
    )
    return bot, checked


def test_every_registered_listener_is_a_declared_surface_and_every_surface_is_reached_here(gated):
    assert set(SURFACES) <= REGISTERED and set(REACH) == set(SURFACES)


@pytest.mark.parametrize("surface", list(SURFACES), ids=[f"{kind}:{name}" for kind, name in SURFACES])
def test_every_surface_reaches_the_gate_with_its_declared_use_case(gated, sim, surface):
    bot, checked = gated
    REACH[surface](bot.driver)
    assert bot.bot.deps.workers.wait_idle(10)
    declared = set(SURFACES[surface])
    assert checked and set(checked) <= declared, (checked, declared)
    assert sim.calls == []  # nobody in no role made LogicBoxes answer anything


def test_the_readme_shows_the_table_of_surfaces_and_use_cases():
    readme = (ROOT / "README.md").read_text()
    for row in table():
        assert row in readme, row
