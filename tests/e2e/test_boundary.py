"""One error boundary: every listener, fed mutations of every recorded Slack payload (a field
missing, null, or of the wrong type), answers HTTP 200 and logs no traceback; the person, where
there is one, is told a reference. Through the real app over HTTP, signed as Slack signs."""

from __future__ import annotations

import itertools
import json
import logging
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import PAYLOADS, SIGNING_SECRET, SlackDriver

# Each recorded payload, aimed at each listener it can reach (action ids, form callback ids, steps).
ACTIONS = [
    "share",
    "next_page",
    "check_dns",
    "request_change",
    "approve",
    "cancel",
    "deny",
    "home_lookup",
    "home_quote",
]
FORMS = ["change_form", "deny_reason", "lookup_form", "quote_form"]
STEPS = ["lookup_order", "quote_enterprise_email"]
WRONG = [None, 7, "text", [], {}, True]


def recorded(name: str) -> dict[str, Any]:
    return json.loads((PAYLOADS / "slack" / f"{name}.json").read_text())


def bases(response_url: str) -> list[tuple[str, dict[str, Any]]]:
    """(how it is posted, the payload) for every listener."""
    out: list[tuple[str, dict[str, Any]]] = []
    for action in ACTIONS:
        for name in ("block_actions", "block_actions_view"):
            payload = recorded(name)
            payload.setdefault("actions", [{"block_id": "b", "type": "button"}])
            payload["actions"][0].update(action_id=action, value="order example.com")
            if "response_url" in payload:
                payload["response_url"] = response_url
            out.append(("form", payload))
    for callback in FORMS:
        payload = recorded("view_submission")
        payload["view"]["callback_id"] = callback
        payload["view"]["private_metadata"] = json.dumps({"kind": "renew", "target": "84372632", "channel": "C1"})
        out.append(("form", payload))
    shortcut = recorded("message_action")
    shortcut["response_url"] = response_url
    shortcut["message"]["text"] = "please check example.com"
    out.append(("form", shortcut))
    out.append(("json", recorded("event_app_home_opened")))
    for step in STEPS:
        payload = recorded("event_function_executed")
        payload["event"]["function"]["callback_id"] = step
        payload["event"]["inputs"] = {
            "domain_or_order_id": "example.com",
            "accounts": 5,
            "months": 12,
            "interactivity": {"interactor": {"id": "U0AGENT", "team_id": "T1"}},
        }
        out.append(("json", payload))
    return out


def paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every place in a payload a mutation can hit."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            found += paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value[:3]):
            found += paths(child, (*prefix, index))
    return found


def mutate(payload: Any, path: tuple, how: Any) -> Any:
    """The payload with the value at `path` removed (`how` is "missing") or replaced by `how`."""
    copy = json.loads(json.dumps(payload))
    parent = copy
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if how == "missing":
        if isinstance(parent, dict):
            del parent[last]
        else:
            parent.pop(last)
    else:
        parent[last] = how
    return copy


@pytest.fixture
def running(start_bot):
    return start_bot()


@pytest.fixture
def driver(running):
    return running.driver


_SENT = itertools.count()


def post(driver: SlackDriver, how: str, payload: Any) -> int:
    """Signed as Slack signs. The same body twice would be a replay (refused with 401), and
    hypothesis does draw the same payload twice: a field of no meaning makes each body unique."""
    nonce = str(next(_SENT))
    if how == "json":
        body = json.dumps(payload) if not isinstance(payload, dict) else json.dumps({**payload, "x_test": nonce})
        return driver.post(body, driver.sign(body) | {"Content-Type": "application/json"})[0]
    body = urlencode({"payload": json.dumps(payload), "x_test": nonce})
    return driver.post(body, driver.sign(body))[0]


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_listener_survives_mutations_of_every_recorded_payload(running, driver, caplog, data):
    caplog.set_level(logging.INFO)
    how, base = data.draw(st.sampled_from(bases(driver.slack.url + "/response/boundary")))
    path = data.draw(st.sampled_from(paths(base)))
    mutation = data.draw(st.sampled_from(["missing", *WRONG]))
    payload = mutate(base, path, mutation)
    assert post(driver, how, payload) == 200, (path, mutation)
    assert running.bot.deps.workers.wait_idle(10)  # work it started has run: a crash there is this example's
    crashed = [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]
    assert crashed == [], (path, mutation, [r.getMessage() for r in crashed])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(["user_id", "channel_id", "team_id", "text", "trigger_id", "response_url"]))
def test_a_slash_command_missing_any_field_is_answered(driver, field):
    fields = dict(parse_qsl(driver.command_template, keep_blank_values=True))
    fields.update(text="order example.com", response_url=driver.slack.url + "/response/boundary")
    del fields[field]
    body = urlencode(fields)
    status, raw = driver.post(body, driver.sign(body))
    assert status == 200 and "Traceback" not in raw


def test_no_traceback_and_a_reference_for_the_person(start_bot, caplog):
    """A view_submission without `state`, inputs as a string, app_home_opened without user, among
    the ten the attack found: each one line in the log, a reference to the person, HTTP 200."""
    caplog.set_level(logging.INFO)
    bot = start_bot()
    driver = bot.driver
    form = recorded("view_submission")
    form["view"]["callback_id"] = "quote_form"
    del form["view"]["state"]
    assert post(driver, "form", form) == 200
    bad_meta = recorded("view_submission")
    bad_meta["view"].update(callback_id="change_form", private_metadata="{not json")
    status, raw = driver.post(*_form_body(driver, bad_meta))
    assert status == 200 and "Something in that request could not be read (reference " in raw
    step = recorded("event_function_executed")
    step["event"]["inputs"] = "domain_or_order_id=example.com"
    assert post(driver, "json", step) == 200
    home = recorded("event_app_home_opened")
    del home["event"]["user"]
    assert post(driver, "json", home) == 200
    click = recorded("block_actions")
    click["response_url"] = driver.slack.url + "/response/unknown-button"
    click["actions"][0].update(action_id="no_such_button", value="x")
    assert post(driver, "form", click) == 200  # a request no listener expects: acknowledged, not a 404
    told = driver.slack.wait("/response/unknown-button", 1)[0]
    assert "Something in that request could not be read (reference " in told["text"]
    assert bot.bot.deps.workers.wait_idle(10)
    assert "Traceback" not in caplog.text and not [r for r in caplog.records if r.exc_info]
    assert "unreadable_request kind=view_submission" in caplog.text and SIGNING_SECRET not in caplog.text


def _form_body(driver: SlackDriver, payload: dict) -> tuple[str, dict[str, str]]:
    body = urlencode({"payload": json.dumps(payload)})
    return body, driver.sign(body)
