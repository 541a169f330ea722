"""Serving as operators run it: `python -m bot` (waitress), the Procfile's gunicorn line and Socket
Mode, each as its own process. A stop (SIGTERM) with an answer in flight, health and readiness,
metrics, idle clients, the thread budget."""

from __future__ import annotations

import http.client
import json
import signal
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from websockets.sync.server import serve

from tests.support import (
    SIGNING_SECRET,
    BotProcess,
    SlackDriver,
    bot_process,
    eventually,
    free_port,
    process_env,
    procfile_web_argv,
    visible_text,
)

APP_TOKEN = "xapp-1-A1-test-app-token"


def bot_env(sim, slack, tmp_path: Path, **extra: str) -> dict[str, str]:
    return process_env(sim, slack, **{"DATABASE_URL": f"sqlite:///{tmp_path}/serving.db", **extra})


def refuses_connections(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return False
    except ConnectionRefusedError:
        return True


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def stop_with_a_slow_lookup_in_flight(bot: BotProcess, sim, slack, port: int) -> tuple[str, int]:
    """Ask for an order whose details LogicBoxes holds, SIGTERM the bot while it waits, free the
    call once the bot has stopped listening: (the answer the user got, the exit status)."""
    sim.release.clear()
    sim.fail("us", "details", "slow")
    reply = SlackDriver(bot.url, slack, SIGNING_SECRET).command("order acme.com")
    assert reply.status == 200
    eventually(lambda: sim.count("details", "us") == 1, "the lookup to reach LogicBoxes")
    bot.process.send_signal(signal.SIGTERM)
    eventually(lambda: refuses_connections(port), "the bot to stop listening")
    sim.release.set()
    answer = reply.text(timeout=20)
    return answer, bot.process.wait(timeout=30)


def test_python_m_bot_finishes_the_answer_in_flight_on_sigterm_then_exits_0(sim, slack, tmp_path):
    port = free_port()
    env = bot_env(sim, slack, tmp_path, PORT=str(port))
    with bot_process([sys.executable, "-m", "bot"], env, tmp_path, port) as bot:
        answer, status = stop_with_a_slow_lookup_in_flight(bot, sim, slack, port)
    assert "acme.com · Active" in answer
    assert status == 0, bot.output
    assert "SIGTERM: no new requests; finishing the work in flight (up to 25.0s)" in bot.output
    assert "stopped" in bot.output.splitlines()[-1]


def test_the_procfile_web_line_finishes_the_answer_in_flight_on_sigterm_then_exits_0(sim, slack, tmp_path):
    port = free_port()
    env = bot_env(sim, slack, tmp_path, PORT=str(port))
    with bot_process(procfile_web_argv(port), env, tmp_path, port) as bot:
        answer, status = stop_with_a_slow_lookup_in_flight(bot, sim, slack, port)
    assert "acme.com · Active" in answer
    assert status == 0, bot.output
    assert "work in flight finished" in bot.output


def test_a_sigterm_past_the_grace_exits_1_naming_what_was_left(sim, slack, tmp_path):
    port = free_port()
    env = bot_env(sim, slack, tmp_path, PORT=str(port), SHUTDOWN_GRACE="0.5")
    sim.release.clear()
    sim.fail("us", "details", "slow")
    with bot_process([sys.executable, "-m", "bot"], env, tmp_path, port) as bot:
        SlackDriver(bot.url, slack, SIGNING_SECRET).command("order acme.com")
        eventually(lambda: sim.count("details", "us") == 1, "the lookup to reach LogicBoxes")
        bot.process.send_signal(signal.SIGTERM)
        status = bot.process.wait(timeout=30)
        sim.release.set()
    assert status == 1
    assert "stopping with commands and changes running unfinished after SHUTDOWN_GRACE (0.5s)" in bot.output


class FakeSocketMode:
    """Slack's Socket Mode end: hands the bot envelopes and records what it sends back."""

    def __init__(self, slack) -> None:
        self.received: list[dict] = []
        self.changed = threading.Condition()
        self.outbox: list[dict] = []
        self.closed = threading.Event()
        self._server = serve(self._session, "127.0.0.1", 0)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        slack.socket_url = f"ws://127.0.0.1:{self._server.socket.getsockname()[1]}/link"

    def _session(self, ws) -> None:
        ws.send(json.dumps({"type": "hello", "num_connections": 1, "debug_info": {"host": "test"}}))
        try:
            while True:
                with self.changed:
                    while self.outbox:
                        ws.send(json.dumps(self.outbox.pop(0)))
                try:
                    message = json.loads(ws.recv(timeout=0.05))
                except TimeoutError:
                    continue
                with self.changed:
                    self.received.append(message)
                    self.changed.notify_all()
        except Exception:  # the bot closed the connection
            self.closed.set()

    def send_command(self, text: str, response_url: str, envelope_id: str) -> None:
        payload = {
            "command": "/email",
            "text": text,
            "user_id": "U0AGENT",
            "channel_id": "C0SUPPORT",
            "team_id": "T1",
            "response_url": response_url,
            "trigger_id": "1",
        }
        with self.changed:
            self.outbox.append(
                {
                    "envelope_id": envelope_id,
                    "type": "slash_commands",
                    "payload": payload,
                    "accepts_response_payload": True,
                }
            )

    def send(self, envelope: dict) -> None:
        with self.changed:
            self.outbox.append(envelope)

    def wait_ack(self, envelope_id: str, timeout: float = 15) -> dict:
        with self.changed:
            found = self.changed.wait_for(
                lambda: [m for m in self.received if m.get("envelope_id") == envelope_id], timeout
            )
        assert found, f"no ack for {envelope_id}"
        return found[0]

    def stop(self) -> None:
        self._server.shutdown()


def test_socket_mode_serves_probes_on_port_and_stops_cleanly(sim, slack, tmp_path):
    socket_mode = FakeSocketMode(slack)
    port = free_port()
    env = bot_env(sim, slack, tmp_path, SLACK_APP_TOKEN=APP_TOKEN, PORT=str(port))
    del env["SLACK_SIGNING_SECRET"]
    try:
        with bot_process([sys.executable, "-m", "bot"], env, tmp_path, port) as bot:
            assert get(bot.url + "/readyz") == (200, "ready\n")
            assert "mailops_commands_total" in get(bot.url + "/metrics")[1]
            # no signing secret in Socket Mode: the HTTP port must not take Slack requests at all
            refused = urllib.request.Request(bot.url + "/slack/events", data=b"command=/email", method="POST")
            with pytest.raises(urllib.error.HTTPError) as caught:
                urllib.request.urlopen(refused, timeout=5)
            assert caught.value.code == 404

            sim.release.clear()
            sim.fail("us", "details", "slow")
            socket_mode.send_command("order acme.com", slack.url + "/response/socket", "env-1")
            assert socket_mode.wait_ack("env-1")["payload"]["text"] == "Looking up acme.com..."
            eventually(lambda: sim.count("details", "us") == 1, "the lookup to reach LogicBoxes")
            bot.process.send_signal(signal.SIGTERM)
            assert socket_mode.closed.wait(15), "the bot kept its Socket Mode connection open"
            sim.release.set()
            answer = slack.wait("/response/socket", 1, timeout=20)[0]
            assert "acme.com · Active" in visible_text(answer)
            assert bot.process.wait(timeout=30) == 0
    finally:
        socket_mode.stop()
    assert "SIGTERM: closing the Socket Mode connection" in bot.output


def test_socket_mode_never_acts_on_a_payload_it_could_not_parse(sim, slack, tmp_path):
    """The socket is Slack's, but a payload Bolt cannot read is acked and logged, never answered:
    nothing goes to the response_url or the user it names."""
    socket_mode = FakeSocketMode(slack)
    env = bot_env(sim, slack, tmp_path, SLACK_APP_TOKEN=APP_TOKEN)
    del env["SLACK_SIGNING_SECRET"]
    broken = {
        "type": "block_actions",
        "user": 7,  # breaks Bolt's own parsing ("id" in 7), before any listener
        "user_id": "U0AGENT",
        "response_url": slack.url + "/response/unparsed",
        "actions": [{"action_id": "approve", "value": "x"}],
    }
    try:
        with bot_process([sys.executable, "-m", "bot"], env, tmp_path) as bot:
            socket_mode.send({"envelope_id": "env-bad", "type": "interactive", "payload": broken})
            socket_mode.wait_ack("env-bad", timeout=30)
            socket_mode.send_command("order acme.com", slack.url + "/response/after", "env-ok")
            assert "acme.com · Active" in visible_text(slack.wait("/response/after", 1, timeout=20)[0])
            bot.process.send_signal(signal.SIGTERM)
            bot.process.wait(timeout=30)
    finally:
        socket_mode.stop()
    assert slack.posts("/response/unparsed") == []
    assert [p for p in slack.posts("/api/chat.postMessage") if p.get("channel") == "U0AGENT"] == []
    assert "unreadable_request kind=socket_mode" in bot.output


def test_forty_idle_connections_do_not_delay_a_signed_command(sim, slack, tmp_path):
    port = free_port()
    env = bot_env(sim, slack, tmp_path, PORT=str(port))
    with bot_process([sys.executable, "-m", "bot"], env, tmp_path, port) as bot:
        idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(40)]
        half = [socket.create_connection(("127.0.0.1", port)) for _ in range(10)]
        for conn in half:  # half-open requests: headers promising a body that never comes
            conn.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\npartial")
        try:
            reply = SlackDriver(bot.url, slack, SIGNING_SECRET).command("order acme.com")
            assert reply.status == 200  # more idle clients than HTTP_THREADS (8): none of them holds a thread
            assert "acme.com · Active" in reply.text()
        finally:
            for conn in idle + half:
                conn.close()


def test_probes_and_metrics_over_http(sim, slack, tmp_path):
    port = free_port()
    env = bot_env(sim, slack, tmp_path, PORT=str(port))
    with bot_process([sys.executable, "-m", "bot"], env, tmp_path, port) as bot:
        assert get(bot.url + "/healthz") == (200, "ok\n")
        assert get(bot.url + "/readyz") == (200, "ready\n")
        assert get(bot.url + "/nothing-here")[0] == 404
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("HEAD", "/healthz")
        assert conn.getresponse().status == 200
        conn.close()


def metric(text: str, name: str, **labels: str) -> float:
    """The sum of the samples of `name` carrying these labels, from Prometheus text (0.0: none)."""
    from prometheus_client.parser import text_string_to_metric_families

    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items())
    )


def test_metrics_after_a_few_commands(sim, slack, tmp_path):
    port = free_port()
    env = bot_env(sim, slack, tmp_path, PORT=str(port))
    with bot_process([sys.executable, "-m", "bot"], env, tmp_path, port) as bot:
        driver = SlackDriver(bot.url, slack, SIGNING_SECRET)
        assert "acme.com · Active" in driver.command("order acme.com").text()
        assert "acme.com · Active" in driver.command("order acme.com").text()  # from the cache
        assert "No Enterprise Email order for nope.com" in driver.command("order nope.com").text()
        assert "Unknown subcommand" in driver.command("stauts").ack["text"]  # answered in the ack
        driver.command("delete acme.com")
        slack.wait("/api/chat.postMessage", 1)  # the approval request: one pending
        eventually(
            lambda: metric(get(bot.url + "/metrics")[1], "mailops_commands_total") >= 5, "the last command's count"
        )
        status, text = get(bot.url + "/metrics")
    assert status == 200
    assert metric(text, "mailops_commands_total", command="order", outcome="ok") == 2
    assert metric(text, "mailops_commands_total", command="order", outcome="not_found") == 1
    assert metric(text, "mailops_commands_total", command="unknown", outcome="bad_input") == 1
    assert metric(text, "mailops_ack_seconds_count") >= 5
    assert metric(text, "mailops_answer_seconds_count", command="order") == 3
    assert (
        metric(text, "mailops_upstream_calls_total", region="us", endpoint="enterpriseemail/details", outcome="ok") == 1
    )
    assert (
        metric(text, "mailops_upstream_calls_total", region="in", endpoint="enterpriseemail/orderid", outcome="refused")
        >= 1
    )
    assert metric(text, "mailops_upstream_seconds_count", region="us", endpoint="enterpriseemail/details") == 1
    assert metric(text, "mailops_cache_hits_total", cache="orders") >= 1
    assert metric(text, "mailops_cache_misses_total", cache="orders") >= 1
    assert metric(text, "mailops_breaker_open", region="us") == 0
    assert metric(text, "mailops_approvals_pending") == 1
    names = {line.split()[2] for line in text.splitlines() if line.startswith("# TYPE")}
    assert len(names) >= 10 and all(name.startswith("mailops_") for name in names), names


def test_procfile_metrics_add_up_every_worker_and_every_line_is_json(sim, slack, tmp_path):
    port = free_port()
    env = bot_env(sim, slack, tmp_path, PORT=str(port), LOG_FORMAT="json", WEB_CONCURRENCY="2")
    with bot_process(procfile_web_argv(port), env, tmp_path, port) as bot:
        driver = SlackDriver(bot.url, slack, SIGNING_SECRET)
        replies = [driver.command(f"order {domain}") for domain in ["acme.com", "example.com", "example.in"] * 3]
        assert all("· Active" in reply.text() for reply in replies)
        eventually(
            lambda: metric(get(bot.url + "/metrics")[1], "mailops_commands_total", command="order", outcome="ok") == 9,
            "the nine lookups to be counted, whichever worker served them",
        )
        text = get(bot.url + "/metrics")[1]
        assert metric(text, "mailops_ack_seconds_count") >= 9
        assert "\nmailops_approvals_pending 0.0\n" in text  # counted in the database, once, by any worker
        names = {line.split()[2] for line in text.splitlines() if line.startswith("# TYPE")}
        assert len(names) >= 10 and all(name.startswith("mailops_") for name in names), names
        bot.process.send_signal(signal.SIGTERM)
        assert bot.process.wait(timeout=30) == 0
    lines = [line for line in bot.output.splitlines() if line.strip()]
    not_json = []
    for line in lines:
        try:
            json.loads(line)
        except ValueError:
            not_json.append(line)
    assert not_json == []
    entries = [json.loads(line) for line in lines]
    loggers = {entry["logger"] for entry in entries}
    assert {"gunicorn.error", "gunicorn.access", "bot.slack.runtime"} <= loggers
    assert any("POST /slack/events" in entry["msg"] for entry in entries if entry["logger"] == "gunicorn.access")
    assert not [entry for entry in entries if entry["level"] == "warning"], "a warning on a clean start and stop"


def test_a_bot_that_cannot_start_says_why_in_one_json_line(slack, tmp_path):
    env = process_env(
        None,
        None,
        LOG_FORMAT="json",
        SLACK_BOT_TOKEN="xoxb-revoked",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=slack.url + "/api/",
        RESELLER_AUTH_USERID="1",
        RESELLER_API_KEY="k" * 12,
        RESELLER_API_URL="http://127.0.0.1:9/api",
        DATABASE_URL=f"sqlite:///{tmp_path}/x.db",
    )
    slack.valid_tokens = {"xoxb-some-other-token"}
    result = subprocess.run(
        [sys.executable, "-m", "bot"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    entries = [json.loads(line) for line in result.stderr.splitlines()]  # every line parses
    entry = entries[-1]
    assert entry["level"] == "critical" and "Slack refused the bot token (invalid_auth)" in entry["msg"]


def threads_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/status").read_text().split("Threads:")[1].split()[0])


def test_at_peak_a_process_runs_at_most_100_threads(sim, slack, tmp_path):
    """Defaults, every work thread busy and every region probe waiting on LogicBoxes: the process
    stays under 100 threads (it was 208: 16 HTTP, 64 work, 128 probe threads)."""
    port = free_port()
    env = bot_env(sim, slack, tmp_path, PORT=str(port))
    sim.release.clear()
    sim.fail("us", "details", "slow", sticky=True)
    sim.fail("in", "details", "slow", sticky=True)
    with bot_process([sys.executable, "-m", "bot"], env, tmp_path, port) as bot:
        driver = SlackDriver(bot.url, slack, SIGNING_SECRET)
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(16) as pool:
            replies = list(pool.map(lambda i: driver.command(f"order {91000000 + i}"), range(150)))
        assert all(reply.status == 200 for reply in replies)
        # 40 commands ask their first region on their own thread, 40 probes ask the other: 80 held calls
        eventually(lambda: sim.count("details") == 80, "every work and probe thread to wait on LogicBoxes")
        peak = threads_of(bot.process.pid)
        sim.release.set()
        sim.heal()
    assert peak <= 100, f"{peak} threads"


def test_logicboxes_calls_leave_through_the_https_proxy(slack, tmp_path):
    """LogicBoxes whitelists caller IPs and many platforms have none fixed: HTTPS_PROXY sends the
    bot's calls through a static-IP proxy. Here LogicBoxes is served over TLS by a throwaway CA."""
    import ssl

    import trustme

    from bot.sandbox.simulator import demo
    from tests.support import API_KEY, ForwardProxy

    ca = trustme.CA()
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_tls)
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    sim = demo()
    sim.api_key = API_KEY
    sim.start(tls=server_tls)
    proxy = ForwardProxy()
    port = free_port()
    env = bot_env(
        sim,
        slack,
        tmp_path,
        PORT=str(port),
        HTTPS_PROXY=proxy.url.replace("http://", "http://egress:proxy-pw-123@"),
        REQUESTS_CA_BUNDLE=str(tmp_path / "ca.pem"),
    )
    for name in ("NO_PROXY", "no_proxy", "HTTP_PROXY", "http_proxy"):
        env.pop(name, None)
    try:
        with bot_process([sys.executable, "-m", "bot"], env, tmp_path, port) as bot:
            answer = SlackDriver(bot.url, slack, SIGNING_SECRET).command("order acme.com").text()
    finally:
        proxy.stop()
        sim.stop()
    assert sim.base_url.startswith("https://")
    assert "acme.com · Active" in answer
    sim_port = sim.server.server_address[1]
    assert f"CONNECT 127.0.0.1:{sim_port}" in proxy.seen  # every LogicBoxes call went through it
    assert f"POST {slack.url}/api/auth.test" in proxy.seen  # and Slack's Web API calls too
    assert sim.calls, "LogicBoxes was reached"
    assert API_KEY not in " ".join(proxy.seen) and API_KEY not in bot.output and "proxy-pw-123" not in bot.output


def test_sigterm_with_an_approved_change_running_settles_it_then_exits_0(sim, slack, tmp_path):
    """The change LogicBoxes is running when the platform stops the bot: its answer is recorded,
    the card says what happened, and only then does the process exit."""
    from bot.approvals.store import Store
    from tests.support import buttons

    port = free_port()
    env = bot_env(sim, slack, tmp_path, PORT=str(port))
    with bot_process([sys.executable, "-m", "bot"], env, tmp_path, port) as bot:
        driver = SlackDriver(bot.url, slack, SIGNING_SECRET)
        driver.command("add-accounts acme.com 5").text()
        ident = buttons(slack.wait("/api/chat.postMessage", 1)[0])["approve"]["value"]
        sim.release.clear()
        sim.fail("us", "add-email-account", "slow")
        driver.click("approve", ident, user="U0ONCALL")
        eventually(lambda: sim.count("add-email-account", "us", "POST") == 1, "the change to reach LogicBoxes")
        bot.process.send_signal(signal.SIGTERM)
        eventually(lambda: refuses_connections(port), "the bot to stop listening")
        sim.release.set()
        assert "accepted by LogicBoxes, being processed" in visible_text(slack.wait_outcomes(1, timeout=20)[0])
        assert bot.process.wait(timeout=30) == 0
    store = Store(f"sqlite:///{tmp_path}/serving.db")  # LogicBoxes' answer was recorded before the exit
    assert store.get(ident)["status"] == "accepted" and store.count("execute", ident) == 1
