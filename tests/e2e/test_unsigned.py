"""Nothing unsigned acts: a request whose signature cannot be checked (a timestamp that is not a
number, a signature of the wrong form) is HTTP 401 and nothing else: no post to the response_url
it names, no message to the user it names, no call to LogicBoxes, nothing of its body logged.
And a response_url that is not Slack's is never dialled, even from a signed request."""

from __future__ import annotations

import json
import logging
import socket
import threading
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import SIGNING_SECRET

MALFORMED_TIMESTAMPS = [
    "abc",
    "1e3",
    "0x10",
    "",
    " ",
    "9" * 400,
    "-1",
    "+1700000000",
    " 1700000000",
    "1_700_000_000",
    "1700000000.5",
    "nan",
]


class Blackhole:
    """A response_url that accepts connections and never answers; counts who came."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.05)
        self.accepted: list[socket.socket] = []
        self.stopped = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/hooks/never"

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                self.accepted.append(self.sock.accept()[0])
            except OSError:
                continue

    def close(self) -> None:
        self.stopped.set()
        for conn in self.accepted:
            conn.close()
        self.sock.close()


@pytest.fixture
def blackhole():
    hole = Blackhole()
    yield hole
    hole.close()


def _command(response_url: str, user: str = "U0AGENT") -> str:
    return urlencode(
        {
            "command": "/email",
            "text": "order example.com",
            "user_id": user,
            "channel_id": "C1",
            "team_id": "T1",
            "response_url": response_url,
            "trigger_id": "1.2.3",
        }
    )


def _action(response_url: str) -> str:
    payload = {
        "type": "block_actions",
        "user": {"id": "U0ONCALL", "team_id": "T1"},
        "team": {"id": "T1"},
        "response_url": response_url,
        "trigger_id": "1.2.3",
        "actions": [{"action_id": "approve", "block_id": "decision", "value": "nope"}],
    }
    return urlencode({"payload": json.dumps(payload)})


@pytest.mark.parametrize("timestamp", MALFORMED_TIMESTAMPS)
@pytest.mark.parametrize("make", [_command, _action], ids=["command", "block_actions"])
def test_a_timestamp_that_is_not_a_number_is_401_and_nothing_else(
    bot, slack_driver, sim, blackhole, caplog, timestamp, make
):
    caplog.set_level(logging.DEBUG)
    before = len(slack_driver.slack.records)  # the bot's own auth.test at start
    body = make(blackhole.url)
    headers = slack_driver.sign(body) | {"X-Slack-Request-Timestamp": timestamp}
    status, _ = slack_driver.post(body, headers)
    assert status == 401
    assert bot.bot.deps.workers.wait_idle(10)
    assert slack_driver.slack.records[before:] == []  # no chat.postMessage, no users.info, no response_url
    assert blackhole.accepted == [] and sim.calls == []
    assert "example.com" not in caplog.text and "U0AGENT" not in caplog.text and "nope" not in caplog.text


def test_unsigned_requests_naming_a_silent_url_never_hold_up_real_commands(bot, slack_driver, blackhole):
    """16 unverifiable requests naming a response_url that never answers, then a real command:
    all 401, nobody dialled, and the command is acknowledged as usual."""
    results: list[int] = []
    threads = [
        threading.Thread(
            target=lambda: results.append(
                slack_driver.post(
                    _command(blackhole.url),
                    slack_driver.sign(_command(blackhole.url)) | {"X-Slack-Request-Timestamp": "abc"},
                )[0]
            )
        )
        for _ in range(16)
    ]
    for thread in threads:
        thread.start()
    reply = slack_driver.command("order example.com")
    for thread in threads:
        thread.join(15)
    assert reply.status == 200 and reply.ack["text"].startswith("Looking up")
    assert "example.com" in reply.text()
    assert results == [401] * 16
    assert blackhole.accepted == []


def test_a_signed_request_naming_a_response_url_that_is_not_slacks_never_dials_it(bot, slack_driver, sim, blackhole):
    """Defence in depth: the origin of a response_url must be Slack's (here SLACK_API_URL's)."""
    body = _command(blackhole.url)
    status, raw = slack_driver.post(body, slack_driver.sign(body))
    assert status == 200, raw
    assert raw.startswith("Looking up"), raw
    assert bot.bot.deps.workers.wait_idle(10)
    assert blackhole.accepted == []


SIGNATURES = st.one_of(
    st.just(""),
    st.just("v0="),
    st.text(max_size=80),
    st.text("0123456789abcdef", min_size=64, max_size=64).map(lambda h: f"v0={h}"),
    st.text("0123456789abcdef", min_size=64, max_size=64).map(lambda h: f"v1={h}"),
    st.binary(max_size=40).map(lambda b: "v0=" + b.hex()),
)
TIMESTAMPS = st.one_of(
    st.sampled_from([*MALFORMED_TIMESTAMPS, "\u0661\u0667\u0660\u0660\u0660"]),  # int() takes Arabic-Indic digits
    st.text(max_size=30).filter(lambda t: not t.isascii() or not t.isdigit()),
    st.integers(min_value=10**15).map(str),
)
BODIES = st.one_of(
    st.binary(max_size=300),
    st.builds(lambda url: _command(url), st.just("http://127.0.0.1:9/hooks")),
    st.dictionaries(st.text(max_size=10), st.text(max_size=20), max_size=6).map(urlencode),
    st.builds(
        lambda p: urlencode({"payload": json.dumps(p)}),
        st.dictionaries(st.sampled_from(["type", "user", "response_url", "actions"]), st.text(max_size=20)),
    ),
)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=BODIES, timestamp=TIMESTAMPS, signature=SIGNATURES, json_body=st.booleans())
def test_property_random_unsigned_requests_are_401_with_no_outbound_call(
    bot, slack_driver, sim, body, timestamp, signature, json_body
):
    """Through the bot's own WSGI app: whatever the body, a timestamp or signature that cannot be
    checked is 401, and nothing is sent anywhere."""
    import io

    raw = body if isinstance(body, bytes) else body.encode()
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/slack/events",
        "QUERY_STRING": "",
        "CONTENT_TYPE": "application/json" if json_body else "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(raw)),
        "HTTP_X_SLACK_REQUEST_TIMESTAMP": timestamp,
        "HTTP_X_SLACK_SIGNATURE": signature,
        "wsgi.input": io.BytesIO(raw),
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
    }
    statuses: list[str] = []
    before = len(slack_driver.slack.records)
    b"".join(bot.bot.wsgi(environ, lambda status, headers, exc_info=None: statuses.append(status)))
    assert statuses and statuses[0].startswith("401")
    assert bot.bot.deps.workers.wait_idle(10)
    assert slack_driver.slack.records[before:] == [] and sim.calls == []


def test_the_signing_secret_never_reaches_the_log_of_a_refused_request(bot, slack_driver, caplog):
    caplog.set_level(logging.DEBUG)
    body = _command("https://hooks.slack.com/x")
    slack_driver.post(body, slack_driver.sign(body) | {"X-Slack-Request-Timestamp": "abc"})
    assert SIGNING_SECRET not in caplog.text
    assert "hooks.slack.com" not in caplog.text
