"""What tests share, in one place: the fake Slack Web API and a Slack client that signs requests
like Slack does (both behind real sockets), the settings and processes of a bot under test, the
one helper that waits for something without an event, and the approval requests tests make.
(The fake LogicBoxes is bot.sandbox.simulator, shared with the sandbox.) Fixtures are in conftest.py;
no test module imports another."""

from __future__ import annotations

import hashlib
import hmac
import io
import itertools
import json
import os
import re
import shlex
import socket
import socketserver
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

import pytest
import requests
import requests.adapters
import urllib3

from bot.config import Settings, load_settings
from bot.logicboxes import ClientConfig, LogicBoxes
from bot.running.wiring import Bot
from bot.sandbox.simulator import Simulator
from bot.slack.scopes import SCOPES

PAYLOADS = Path(__file__).parent / "payloads"
ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A port nothing listens on (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def procfile_web_argv(port: int) -> list[str]:
    """The Procfile's `web:` command as a platform would run it, on `port`, from this venv."""
    web = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:"))
    command = web.removeprefix("web:").replace("$PORT", str(port))
    command = re.sub(r"\$\{WEB_CONCURRENCY:-(\d+)\}", r"\1", command)
    argv = shlex.split(command)
    argv[0] = str(Path(sys.executable).parent / argv[0])
    return argv


@dataclass
class Recorded:
    path: str
    body: dict[str, Any]
    at: float = 0.0  # time.monotonic() on arrival, for the benchmark


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024  # a burst must not be dropped at the listen backlog


class FakeSlack:
    """Slack's Web API and response_url receiver on loopback; records every post."""

    def __init__(self) -> None:
        self.records: list[Recorded] = []
        self.groups: dict[str, list[str]] = {}
        self.not_in_channels: set[str] = set()
        self.rate_limit_next = 0
        self.fail_updates: list[str] = []  # Slack errors for the next chat.update calls, in order
        self.guests: set[str] = set()  # users.info says these are guests
        self.people: dict[str, dict[str, Any]] = {}  # users.info fields to override, by user id
        self.unknown_people: set[str] = set()  # users.info fails for these (Slack cannot say)
        self.delays: dict[str, float] = {}  # seconds a Web API method takes, as the real Slack does (bench)
        self.valid_tokens: set[str] | None = None  # None: any token is accepted
        self.socket_url: str | None = None  # what apps.connections.open hands out
        self.scopes: str | None = ",".join(SCOPES)  # the x-oauth-scopes header on API answers (None: none)
        self.missing_groups: set[str] = set()  # usergroups.users.list: no_such_subteam
        self.missing_channels: set[str] = set()  # conversations.info: channel_not_found
        self.shared_channels: set[str] = set()  # conversations.info: shared with another organisation
        self.cond = threading.Condition()
        self._ts = itertools.count(1)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                self._serve(parse_qs(urlsplit(self.path).query))

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                if "json" in (self.headers.get("Content-Type") or ""):
                    body = json.loads(raw or "{}")
                else:
                    body = {k: v[0] for k, v in parse_qs(raw).items()}
                    body.update({k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()})
                self._serve(body)

            def _serve(self, body: Any) -> None:
                if isinstance(body, dict):
                    body = {
                        k: (v[0] if isinstance(v, list) and len(v) == 1 and k != "blocks" else v)
                        for k, v in body.items()
                    }
                token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
                status, answer = fake.answer(urlsplit(self.path).path, body, token)
                data = json.dumps(answer).encode()
                self.send_response(status)
                if status == 429:
                    self.send_header("Retry-After", "1")
                if self.path.startswith("/api/") and fake.scopes is not None:
                    self.send_header("x-oauth-scopes", fake.scopes)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = _Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def answer(self, path: str, body: dict[str, Any], token: str = "") -> tuple[int, dict[str, Any]]:
        method = path.removeprefix("/api/")
        if path.startswith("/api/") and self.valid_tokens is not None and token not in self.valid_tokens:
            return 200, {"ok": False, "error": "invalid_auth"}
        if path.startswith("/api/") and self.rate_limit_next > 0 and method == "chat.postMessage":
            self.rate_limit_next -= 1
            return 429, {"ok": False, "error": "ratelimited"}
        with self.cond:
            self.records.append(Recorded(path, body, time.monotonic()))
            self.cond.notify_all()
        if path.startswith("/response/"):
            return 200, {"ok": True}
        if method == "auth.test":
            return 200, {"ok": True, "user_id": "UBOT", "bot_id": "BBOT", "team_id": "T1", "user": "mailops"}
        if method in self.delays:
            time.sleep(self.delays[method])  # the benchmark's stand-in for Slack's own latency
        if method == "users.info":
            user = body.get("user")
            if user in self.unknown_people:
                return 200, {"ok": False, "error": "fatal_error"}
            return 200, {
                "ok": True,
                "user": {
                    "id": user,
                    "team_id": "T1",
                    "is_restricted": user in self.guests,
                    "is_ultra_restricted": False,
                    **self.people.get(user, {}),
                },
            }
        if method == "apps.connections.open":
            return 200, {"ok": True, "url": self.socket_url}
        if method == "chat.postMessage":
            if body.get("channel") in self.not_in_channels:
                return 200, {"ok": False, "error": "not_in_channel"}
            return 200, {"ok": True, "channel": body.get("channel"), "ts": f"1700000000.{next(self._ts):06d}"}
        if method == "chat.update":
            if self.fail_updates:
                return 200, {"ok": False, "error": self.fail_updates.pop(0)}
            return 200, {"ok": True, "channel": body.get("channel"), "ts": body.get("ts")}
        if method == "chat.postEphemeral":
            if body.get("channel") in self.not_in_channels:
                return 200, {"ok": False, "error": "not_in_channel"}
            return 200, {"ok": True, "message_ts": f"1700000000.{next(self._ts):06d}"}
        if method == "chat.getPermalink":
            ts = str(body.get("message_ts", "")).replace(".", "")
            return 200, {"ok": True, "permalink": f"https://example.slack.com/archives/{body.get('channel')}/p{ts}"}
        if method in ("views.open", "views.update", "views.publish", "views.push"):
            view = body.get("view")
            view = json.loads(view) if isinstance(view, str) else view
            view_id = body.get("view_id") or f"V{next(self._ts):06d}"
            return 200, {"ok": True, "view": {**(view or {}), "id": view_id}}
        if method in ("functions.completeSuccess", "functions.completeError"):
            return 200, {"ok": True}
        if method == "usergroups.users.list":
            if body.get("usergroup") in self.missing_groups:
                return 200, {"ok": False, "error": "no_such_subteam"}
            return 200, {"ok": True, "users": self.groups.get(body.get("usergroup"), [])}
        if method == "conversations.info":
            channel = body.get("channel")
            if channel in self.missing_channels:
                return 200, {"ok": False, "error": "channel_not_found"}
            shared = channel in self.shared_channels
            member = channel not in self.not_in_channels
            return 200, {"ok": True, "channel": {"id": channel, "is_member": member, "is_ext_shared": shared}}
        return 200, {"ok": False, "error": "unknown_method"}

    # ---- reading what the bot sent

    def posts(self, path: str) -> list[dict[str, Any]]:
        with self.cond:
            return [r.body for r in self.records if r.path == path]

    def wait(self, path: str, count: int = 1, timeout: float = 10.0) -> list[dict[str, Any]]:
        """The first `count` bodies posted to `path`, waiting for them to arrive."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while len([r for r in self.records if r.path == path]) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    got = [r.body.get("text") for r in self.records if r.path == path]
                    raise AssertionError(f"expected {count} posts to {path}, got {len(got)}: {got}")
                self.cond.wait(left)
            return [r.body for r in self.records if r.path == path][:count]

    def outcome_posts(self) -> list[dict[str, Any]]:
        """chat.update calls that show a request's outcome (not the "running..." card before it)."""
        return [p for p in self.posts("/api/chat.update") if "running..." not in json.dumps(p.get("blocks"))]

    def wait_outcomes(self, count: int = 1, timeout: float = 10.0) -> list[dict[str, Any]]:
        self.wait_until(lambda: len(self.outcome_posts()) >= count, timeout, f"{count} outcome update(s)")
        return self.outcome_posts()[:count]

    def wait_until(self, ready, timeout: float = 10.0, what: str = "the expected posts") -> None:
        """Wait until `ready()` holds, re-checking at every post that arrives."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while not ready():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"timed out waiting for {what}")
                self.cond.wait(left)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def visible_text(message: dict[str, Any]) -> str:
    """Everything a person reads in a message: headers, sections, fields, context, buttons."""
    parts: list[str] = []
    for block in message.get("blocks") or []:
        if "text" in block and isinstance(block["text"], dict):
            parts.append(block["text"]["text"])
        parts += [f["text"] for f in block.get("fields", [])]
        for element in block.get("elements", []):
            if isinstance(element.get("text"), dict):
                parts.append(element["text"]["text"])
            elif isinstance(element.get("text"), str):
                parts.append(element["text"])
    if not parts:
        parts.append(message.get("text", ""))
    return "\n".join(parts)


def buttons(message: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        e["action_id"]: e
        for block in message.get("blocks") or []
        if block["type"] == "actions"
        for e in block["elements"]
    }


_RESPONSE_IDS = itertools.count(1)


class SlackDriver:
    """Sends what Slack sends: signed slash commands and block_actions, over real HTTP."""

    def __init__(self, bot_url: str, slack: FakeSlack, signing_secret: str, wsgi: Callable[..., Any] | None = None):
        """Over HTTP to `bot_url`; or, with `wsgi`, into the bot's own WSGI app in this process (the
        end-to-end layer: the real app, signature check, listeners and pool, without a server)."""
        self.bot_url, self.slack, self.secret, self.wsgi = bot_url, slack, signing_secret, wsgi
        self._ids = _RESPONSE_IDS  # shared: two bots in one test post to one fake Slack
        self.command_template = (PAYLOADS / "slack" / "slash_command.urlencoded").read_text().strip()
        self.action_template = json.loads((PAYLOADS / "slack" / "block_actions.json").read_text())
        self.templates = {p.stem: json.loads(p.read_text()) for p in (PAYLOADS / "slack").glob("*.json")}

    def sign(self, body: str, timestamp: int | None = None, secret: str | None = None) -> dict[str, str]:
        ts = str(timestamp if timestamp is not None else int(time.time()))
        base = f"v0:{ts}:{body}".encode()
        digest = hmac.new((secret or self.secret).encode(), base, hashlib.sha256).hexdigest()
        return {
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": f"v0={digest}",
            "Content-Type": "application/x-www-form-urlencoded",
        }

    def post(self, body: str, headers: dict[str, str]) -> tuple[int, str]:
        if self.wsgi is not None:
            return self._post_in_process(body.encode(), headers)
        request = urllib.request.Request(f"{self.bot_url}/slack/events", body.encode(), headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def _post_in_process(self, raw: bytes, headers: dict[str, str]) -> tuple[int, str]:
        """What a WSGI server would do with this request: the environ, the call, the whole body."""
        environ: dict[str, Any] = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/slack/events",
            "QUERY_STRING": "",
            "CONTENT_LENGTH": str(len(raw)),
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.input": io.BytesIO(raw),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
        }
        for name, value in headers.items():
            key = name.upper().replace("-", "_")
            environ[key if key == "CONTENT_TYPE" else f"HTTP_{key}"] = value
        started: list[str] = []
        result = self.wsgi(environ, lambda status, response_headers, exc_info=None: started.append(status))
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()  # the server's part: ends the request's count (InFlight)
        return int(started[0].split()[0]), body.decode()

    def command(self, text: str, user: str = "U0AGENT", channel: str = "C_SUPPORT") -> Reply:
        rid = f"/response/{next(self._ids)}"
        fields = dict(parse_qs(self.command_template, keep_blank_values=True))
        fields = {k: v[0] for k, v in fields.items()}
        fields.update(text=text, user_id=user, channel_id=channel, response_url=self.slack.url + rid)
        body = urlencode(fields)
        status, raw = self.post(body, self.sign(body))
        return Reply(self, status, raw, rid)

    def click(
        self,
        action_id: str,
        value: str,
        user: str = "U0ONCALL",
        message: dict | None = None,
        channel: str = "C_SUPPORT",
    ) -> Reply:
        rid = f"/response/{next(self._ids)}"
        payload = json.loads(json.dumps(self.action_template))
        payload["user"]["id"] = user
        payload["channel"]["id"] = channel
        payload["container"]["channel_id"] = channel
        payload["response_url"] = self.slack.url + rid
        payload["actions"][0].update(action_id=action_id, value=value, block_id="decision")
        if message is not None:
            payload["message"] = message
            payload["container"]["message_ts"] = message.get("ts", "1")
        body = urlencode({"payload": json.dumps(payload)})
        status, raw = self.post(body, self.sign(body))
        return Reply(self, status, raw, rid)


def _signed_json(driver: SlackDriver, payload: dict[str, Any]) -> tuple[int, str]:
    body = json.dumps(payload)
    headers = driver.sign(body) | {"Content-Type": "application/json"}
    return driver.post(body, headers)


def _form(driver: SlackDriver, payload: dict[str, Any]) -> tuple[int, str]:
    body = urlencode({"payload": json.dumps(payload)})
    return driver.post(body, driver.sign(body))


def event(driver: SlackDriver, template: str, **event_fields: Any) -> int:
    """An Events API delivery (signed JSON), built from a recorded envelope."""
    payload = json.loads(json.dumps(driver.templates[template]))
    payload["event"].update(event_fields)
    payload["event_id"] = f"Ev{next(driver._ids):08d}"
    return _signed_json(driver, payload)[0]


def submit_view(
    driver: SlackDriver, callback_id: str, values: dict[str, dict[str, Any]], user: str = "U0LEAD", metadata: str = ""
) -> tuple[int, dict[str, Any]]:
    """A view_submission of a modal: `values` as {block_id: {action_id: {"value": ...}}}; the ack's JSON."""
    payload = json.loads(json.dumps(driver.templates["view_submission"]))
    payload["user"]["id"] = user
    payload["view"].update(callback_id=callback_id, private_metadata=metadata, state={"values": values})
    status, raw = _form(driver, payload)
    return status, (json.loads(raw) if raw.startswith("{") else {})


def shortcut(driver: SlackDriver, text: str, user: str = "U0AGENT", channel: str = "C_SUPPORT") -> Reply:
    """The message shortcut on a message holding `text`; its private answers arrive at response_url."""
    rid = f"/response/{next(driver._ids)}"
    payload = json.loads(json.dumps(driver.templates["message_action"]))
    payload["user"]["id"] = user
    payload["channel"]["id"] = channel
    payload["message"]["text"] = text
    payload["response_url"] = driver.slack.url + rid
    status, raw = _form(driver, payload)
    return Reply(driver, status, raw, rid)


def click_in_view(driver: SlackDriver, action_id: str, value: str, user: str = "U0LEAD") -> int:
    """A button in the Home tab or a modal: no channel, no response_url."""
    payload = json.loads(json.dumps(driver.templates["block_actions_view"]))
    payload["user"]["id"] = user
    payload["actions"][0].update(action_id=action_id, value=value)
    return _form(driver, payload)[0]


@dataclass
class Reply:
    driver: SlackDriver
    status: int
    raw: str
    response_path: str

    @property
    def ack(self) -> dict[str, Any]:
        return json.loads(self.raw) if self.raw.startswith("{") else {"text": self.raw}

    def responses(self, count: int = 1, timeout: float = 10.0) -> list[dict[str, Any]]:
        return self.driver.slack.wait(self.response_path, count, timeout)

    def response(self, timeout: float = 10.0) -> dict[str, Any]:
        return self.responses(1, timeout)[0]

    def text(self, timeout: float = 10.0) -> str:
        return visible_text(self.response(timeout))

    def shown(self, timeout: float = 10.0) -> str:
        """What the person reads: a parse error in the ack itself, or the answer that follows the
        "Looking up..." / "Pricing..." acknowledgement."""
        ack = self.ack.get("text", "")
        if ack.endswith("...") and not self.ack.get("blocks"):
            return self.text(timeout)
        return visible_text(self.ack)


class ForwardProxy:
    """An HTTP proxy on loopback, like the static-IP egress proxies platforms offer: CONNECT tunnels
    (HTTPS) and absolute-URI requests (plain HTTP). Records what each client asked it for."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                client: socket.socket = self.request
                head = b""
                while b"\r\n\r\n" not in head:
                    chunk = client.recv(65536)
                    if not chunk:
                        return
                    head += chunk
                first, _, rest = head.partition(b"\r\n")
                method, target, version = first.decode().split(" ", 2)
                with proxy._lock:
                    proxy.seen.append(f"{method} {target}")
                if method == "CONNECT":
                    host, port = target.rsplit(":", 1)
                    upstream = socket.create_connection((host, int(port)), timeout=10)
                    client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    leftover = head.partition(b"\r\n\r\n")[2]
                else:  # GET http://host:port/path: pass it on in origin form
                    parts = urlsplit(target)
                    upstream = socket.create_connection((parts.hostname, parts.port or 80), timeout=10)
                    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
                    leftover = f"{method} {path} {version}\r\n".encode() + rest
                if leftover:
                    upstream.sendall(leftover)
                _pipe(client, upstream)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _pipe(a: socket.socket, b: socket.socket) -> None:
    """Copy bytes both ways until either side closes."""
    import selectors

    with selectors.DefaultSelector() as selector, b:
        selector.register(a, selectors.EVENT_READ, b)
        selector.register(b, selectors.EVENT_READ, a)
        while True:
            for key, _ in selector.select(timeout=30):
                data = key.fileobj.recv(65536)
                if not data:
                    return
                key.data.sendall(data)


# ---------------------------------------------------------------- the bot under test

SIGNING_SECRET = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"  # the shape of a real one: 32 hex digits
BOT_TOKEN = "xoxb-test-0000-token"
API_KEY = "lb-api-key-SECRET-42"
APPROVERS = "U0ONCALL,U0LEAD,S0ONCALL"


class ThreadedWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    request_queue_size = 128  # a burst of concurrent requests must not be refused at the listen backlog (5)


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def bot_settings(sim: Simulator, slack: FakeSlack, database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = dict(
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack.url + "/api/",
        reseller_auth_userid=1,
        reseller_api_key=API_KEY,
        reseller_api_url=sim.base_url,
        read_timeout=1.0,
        connect_timeout=1.0,
        command_deadline=5.0,
        approvers=APPROVERS,
        database_url=database_url,
        approval_sweep_interval=3600,
        _env_file=None,
    )
    values.update(overrides)
    return load_settings(**values)


@dataclass
class Running:
    bot: Bot
    url: str
    driver: SlackDriver
    settings: Settings
    server: WSGIServer | None  # None: requests go into the app in process


class FakeClock:
    """Time for the approvals (expiry, stuck runs, follow-ups) that a test moves by hand."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


def postgres_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN.replace("postgresql://", "postgresql://"), connect_timeout=2):
            return True
    except Exception:
        return False


def process_env(sim: Simulator | None = None, slack: FakeSlack | None = None, **extra: str) -> dict[str, str]:
    """The environment for a bot process: this one's without any bot settings, plus the test's."""
    prefixes = ("SLACK_", "RESELLER_", "APPROVERS", "LOG_", "DATABASE_URL", "PORT")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    env["PYTHONPATH"] = str(ROOT)
    if sim is not None and slack is not None:
        env.update(
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=slack.url + "/api/",
            RESELLER_AUTH_USERID="1",
            RESELLER_API_KEY=API_KEY,
            RESELLER_API_URL=sim.base_url,
            APPROVERS=APPROVERS,
        )
    env.update(extra)
    return env


@dataclass
class BotProcess:
    process: subprocess.Popen
    url: str = ""
    output: str = ""  # everything it printed, once it has stopped


@contextmanager
def bot_process(argv: list[str], env: dict[str, str], cwd: Path, port: int | None = None) -> Iterator[BotProcess]:
    """Run a bot entry point as its own process; with `port`, wait until /healthz answers."""
    process = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    running = BotProcess(process)
    try:
        if port is not None:
            running.url = f"http://127.0.0.1:{port}"

            def up() -> bool:
                if process.poll() is not None:
                    pytest.fail(f"the bot exited: {process.stdout.read()}")
                try:
                    urllib.request.urlopen(running.url + "/healthz", timeout=1).close()
                    return True
                except OSError:
                    return False

            eventually(up, "the bot to answer /healthz", 30)
        yield running
    finally:
        process.terminate()
        running.output = process.communicate(timeout=20)[0]


def eventually(condition: Callable[[], object], what: str, timeout: float = 15.0) -> None:
    """Wait for something that sends no event this test can wait on (another process, a call
    reaching the fake LogicBoxes, a log line): re-checked every 20 ms until `timeout`. Whatever
    the fake Slack records has an event of its own: FakeSlack.wait_until."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


# ---------------------------------------------------------------- approval requests, as tests ask for them

REQUESTER = "U0AGENT"

# Two different changes to one order (acme.com): each changes what the other recorded, so approved
# together exactly one reaches LogicBoxes. (first command, its call, second command, its call)
ORDER_PAIRS = [
    ("renew acme.com 12mo autorenew:on", "renew", "add-accounts acme.com 5", "add-email-account"),
    ("delete acme.com", "delete", "renew acme.com 12mo autorenew:on", "renew"),
    ("remove-accounts acme.com 2", "delete-email-account", "add-accounts acme.com 5", "add-email-account"),
]


def approval_requests(driver: SlackDriver) -> list[dict[str, Any]]:
    """The approval requests the bot posted, oldest first."""
    return [p for p in driver.slack.posts("/api/chat.postMessage") if "approve" in buttons(p)]


def request(driver: SlackDriver, text: str, user: str = REQUESTER, channel: str = "C0SUPPORT"):
    """Ask for a change; return (the approval message as posted, the requester's ephemeral note)."""
    before = len(approval_requests(driver))
    reply = driver.command(text, user=user, channel=channel)
    assert reply.ack["text"].startswith("Looking up")
    note = reply.text()
    driver.slack.wait_until(lambda: len(approval_requests(driver)) > before, 10, f"the approval request for {text}")
    return approval_requests(driver)[before], note


def approval_id(message: dict[str, Any]) -> str:
    return buttons(message)["approve"]["value"]


def database_down(name: str, down: bool) -> None:
    """Refuse (or allow again) every connection to one PostgreSQL database, as an outage would."""
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS {"false" if down else "true"}')
        if down:
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))


# ---------------------------------------------------------------- the unit layer's LogicBoxes


class InProcessSimulator(requests.adapters.BaseAdapter):
    """requests' transport answered by the simulator in this process (Simulator.handle), so that
    unit tests run the real client (URLs, auth, typed errors, wire parsing, caching) with no socket.
    The fault shapes that need a connection (dropped, trickled, huge) are the e2e layer's."""

    def __init__(self, simulator: Simulator):
        super().__init__()
        self.simulator = simulator

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        url = urlsplit(request.url)
        params = parse_qs(url.query, keep_blank_values=True)
        body = request.body.decode() if isinstance(request.body, bytes) else request.body or ""
        for key, values in parse_qs(body, keep_blank_values=True).items():
            params.setdefault(key, []).extend(values)
        status, kind, text = self.simulator.handle(request.method, url.path, params)
        if status == 0 or kind in ("trickle", "huge"):
            raise AssertionError(f"fault {kind or 'dropped'} needs a real connection: test it in tests/e2e")
        data = text.encode()
        response = requests.Response()
        response.status_code, response.url, response.request = status, request.url, request
        response.headers["Content-Type"] = kind
        response.headers["Content-Length"] = str(len(data))
        response.raw = urllib3.HTTPResponse(body=io.BytesIO(data), status=status, preload_content=False)
        return response

    def close(self) -> None:
        pass


def in_process_client(simulator: Simulator, **config: Any) -> LogicBoxes:
    """The real LogicBoxes client, talking to `simulator` in this process (see InProcessSimulator)."""
    settings = {"auth_userid": 1, "api_key": simulator.api_key, "retries": 0, **config}
    client = LogicBoxes(ClientConfig(base_url="http://logicboxes.invalid/api", **settings))
    client.transport.session.mount("http://", InProcessSimulator(simulator))
    return client
