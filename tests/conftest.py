"""Fixtures: the fake LogicBoxes (bot.sandbox.simulator), the fake Slack, and the real bot served over HTTP."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from wsgiref.simple_server import make_server

import pytest

from bot.approvals.store import Store
from bot.running.wiring import make_bot
from bot.sandbox.simulator import Simulator, demo
from tests.support import (
    API_KEY,
    PG_ADMIN,
    SIGNING_SECRET,
    FakeClock,
    FakeSlack,
    QuietHandler,
    Running,
    SlackDriver,
    ThreadedWSGIServer,
    bot_settings,
    in_ci,
    postgres_available,
)


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


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory) -> Path:
    """An empty database at the schema's head, made once per test worker: each test copies it
    rather than running every migration again (a fifth of a second a bot)."""
    path = tmp_path_factory.mktemp("template") / "mailops.db"
    store = Store(f"sqlite:///{path}")
    with store.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the file itself
    store.engine.dispose()
    return path


@pytest.fixture
def start_bot(sim: Simulator, slack: FakeSlack, tmp_path, migrated_sqlite) -> Iterator[Callable[..., Running]]:
    servers: list[Running] = []

    def start(http: bool = False, **overrides: object) -> Running:
        """The bot; Slack's requests go into its WSGI app in this process, or, with `http`, over a
        real server on loopback (for the tests of what the server itself answers)."""
        if "database_url" not in overrides and not (tmp_path / "mailops.db").exists():
            shutil.copyfile(migrated_sqlite, tmp_path / "mailops.db")  # a second bot shares the first's file
        database_url = str(overrides.pop("database_url", f"sqlite:///{tmp_path}/mailops.db"))
        clock = overrides.pop("clock", time.time)
        settings = bot_settings(sim, slack, database_url, **overrides)
        bot = make_bot(settings, sweep=False, clock=clock)
        server, url = None, ""
        if http:
            server = make_server("127.0.0.1", 0, bot.wsgi, ThreadedWSGIServer, QuietHandler)
            threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
            url = f"http://127.0.0.1:{server.server_address[1]}"
        driver = SlackDriver(url, slack, SIGNING_SECRET, wsgi=None if http else bot.wsgi)
        running = Running(bot, url, driver, settings, server)
        servers.append(running)
        return running

    yield start
    sim.release.set()  # free calls a test left hanging, so the bot's jobs can finish while Slack still listens
    for running in servers:
        running.bot.stop.set()
        if running.server is not None:
            running.server.shutdown()
            running.server.server_close()
        running.bot.deps.workers.shutdown(wait=True)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def bot(start_bot) -> Running:
    return start_bot()


@pytest.fixture
def slack_driver(bot: Running) -> SlackDriver:
    return bot.driver


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
