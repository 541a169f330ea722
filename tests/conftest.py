"""Fixtures: the fake LogicBoxes (bot.sandbox.simulator), the fake Slack, and the real bot served over HTTP."""

from __future__ import annotations

import os
import subprocess
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

from bot.config import Settings, load_settings
from bot.running.wiring import Bot, make_bot
from bot.sandbox.simulator import Simulator, demo
from tests.fakes import ROOT, FakeSlack, SlackDriver

SIGNING_SECRET = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"  # the shape of a real one: 32 hex digits
BOT_TOKEN = "xoxb-test-0000-token"
API_KEY = "lb-api-key-SECRET-42"
APPROVERS = "U0ONCALL,U0LEAD,S0ONCALL"


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def sim() -> Iterator[Simulator]:
    simulator = demo()
    simulator.api_key = API_KEY
    simulator.start()
    yield simulator
    simulator.stop()


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    fake = FakeSlack()
    fake.groups["S0ONCALL"] = ["U0GROUPIE"]
    yield fake
    fake.stop()


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
    server: WSGIServer


@pytest.fixture
def start_bot(sim: Simulator, slack: FakeSlack, tmp_path) -> Iterator[Callable[..., Running]]:
    servers: list[Running] = []

    def start(**overrides: object) -> Running:
        database_url = str(overrides.pop("database_url", f"sqlite:///{tmp_path}/mailops.db"))
        clock = overrides.pop("clock", time.time)
        settings = bot_settings(sim, slack, database_url, **overrides)
        bot = make_bot(settings, sweep=False, clock=clock)
        server = make_server("127.0.0.1", 0, bot.wsgi, _Server, _Quiet)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}"
        running = Running(bot, url, SlackDriver(url, slack, SIGNING_SECRET), settings, server)
        servers.append(running)
        return running

    yield start
    sim.release.set()  # free calls a test left hanging, so the bot's jobs can finish while Slack still listens
    for running in servers:
        running.bot.stop.set()
        running.server.shutdown()
        running.server.server_close()
        running.bot.deps.workers.shutdown(wait=True)


class FakeClock:
    """Time for the approvals (expiry, stuck runs, follow-ups) that a test moves by hand."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def bot(start_bot) -> Running:
    return start_bot()


@pytest.fixture
def slack_driver(bot: Running) -> SlackDriver:
    return bot.driver


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


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for one test; skipped when no server runs, except under CI."""
    if not postgres_available():
        if in_ci():
            pytest.fail(
                "PostgreSQL at 127.0.0.1:5432 is required under CI: the exactly-once guarantee must be verified"
            )
        pytest.skip("no PostgreSQL server at 127.0.0.1:5432")
    import uuid

    import psycopg

    name = f"mailops_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


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
            for _ in range(300):
                try:
                    urllib.request.urlopen(running.url + "/healthz", timeout=1).close()
                    break
                except OSError:
                    if process.poll() is not None:
                        pytest.fail(f"the bot exited: {process.stdout.read()}")
                    time.sleep(0.05)
            else:
                pytest.fail("the bot did not answer /healthz")
        yield running
    finally:
        process.terminate()
        running.output = process.communicate(timeout=20)[0]
