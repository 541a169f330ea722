"""Every setting works as the README documents it: the real process reads each one written exactly
as the README writes it (lists comma-separated, durations, booleans), from the environment and
from a `.env` file, and `python -m bot settings` says what it took. Bad values stop start-up
with one line naming the setting; secrets are masked everywhere, a proxy's password included."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from tests.support import ROOT, SIGNING_SECRET, ForwardProxy, SlackDriver, bot_process, free_port, process_env

# Every row of the README's settings table: (as written in the environment, as the bot uses it).
DOCUMENTED: dict[str, tuple[str, object]] = {
    "SLACK_BOT_TOKEN": ("xoxb-1-settings-test", "***"),
    "SLACK_SIGNING_SECRET": ("0a1b2c3d4e5f60718293a4b5c6d7e8f9", "***"),
    "SLACK_APP_TOKEN": ("xapp-1-settings-test", "***"),
    "SLACK_API_URL": ("http://127.0.0.1:9/api", "http://127.0.0.1:9/api/"),  # the trailing slash slack_sdk needs
    "PORT": ("8080", 8080),
    "RESELLER_AUTH_USERID": ("465229", 465229),
    "RESELLER_API_KEY": ("lb-key-SETTINGS-7", "***"),
    "RESELLER_API_URL": ("https://httpapi.com/api", "https://httpapi.com/api"),
    "RESELLER_REGIONS": ("in,us", ["in", "us"]),
    "DNS_RESOLVERS": ("127.0.0.1:53, 127.0.0.2:5353", ["127.0.0.1:53", "127.0.0.2:5353"]),
    "RESELLER_CURRENCY": ("INR", "INR"),
    "CONNECT_TIMEOUT": ("2.5", 2.5),
    "READ_TIMEOUT": ("12", 12.0),
    "COMMAND_DEADLINE": ("20", 20.0),
    "RETRIES": ("1", 1),
    "ORDER_CACHE_TTL": ("30", 30.0),
    "DNS_CACHE_TTL": ("300", 300.0),
    "REGION_CACHE_TTL": ("1800", 1800.0),
    "PRICING_CACHE_TTL": ("900", 900.0),
    "BREAKER_FAILURES": ("5", 5),
    "BREAKER_RESET": ("60", 60.0),
    "WORKER_THREADS": ("20", 20),
    "WORK_QUEUE_LIMIT": ("100", 100),
    "PROBE_THREADS": ("10", 10),
    "HTTP_THREADS": ("4", 4),
    "SHUTDOWN_GRACE": ("20", 20.0),
    "GIL_SWITCH_INTERVAL": ("0.002", 0.002),
    "READERS": ("U0READ,S0READERS,C0SUPPORT", ["U0READ", "S0READERS", "C0SUPPORT"]),
    "QUOTERS": ("U0SALES", ["U0SALES"]),
    "REQUESTERS": ("U0AGENT, S0AGENTS", ["U0AGENT", "S0AGENTS"]),
    "ALLOW_GUESTS": ("true", True),
    "ACCESS_LOG_DAYS": ("30", 30),
    "APPROVERS": ("U0ONCALL,S0ONCALL", ["U0ONCALL", "S0ONCALL"]),
    "COST_VIEWERS": ("U0CFO", ["U0CFO"]),
    "APPROVAL_CHANNEL": ("C0APPROVALS", "C0APPROVALS"),
    "APPROVAL_TTL": ("3600", 3600),
    "APPROVAL_SWEEP_INTERVAL": ("30", 30.0),
    "MAX_ADD_ACCOUNTS": ("50", 50),
    "FOLLOWUP_AFTER": ("2", 2.0),  # any positive number: the tests use 2
    "ACTION_STUCK_AFTER": ("3600", 3600.0),
    "ALERTS_CHANNEL": ("C0ALERTS", "C0ALERTS"),
    "WATCH": ("off", False),
    "WATCH_INTERVAL": ("1.5", 1.5),  # fractions allowed
    "WATCH_GRACE_DAYS": ("3", 3.0),
    "WATCH_CONFIRM_ROUNDS": ("3", 3),
    "EXPIRY_WARNING_DAYS": ("30", 30),
    "WATCH_LEASE_TTL": ("10", 10.0),
    "WATCH_CONCURRENCY": ("2", 2),
    "WATCH_DNS_CONCURRENCY": ("8", 8),
    "SLACK_RETRY_BASE": ("0.5", 0.5),
    "DEFAULT_INVOICE_OPTION": ("KeepInvoice", "KeepInvoice"),
    "DATABASE_URL": (
        "postgresql://mailops:db-pw-9@127.0.0.1:5432/mailops",
        "postgresql://mailops:***@127.0.0.1:5432/mailops",
    ),
    "LOG_LEVEL": ("warning", "WARNING"),
    "LOG_FORMAT": ("json", "json"),
}


def documented_names() -> set[str]:
    """The names in the first column of the README's settings table."""
    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("## Settings") : readme.index("## Deploy")]
    rows = [line.split("|")[1] for line in table.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row)}


def settings_of(env: dict[str, str], cwd: Path) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "settings"], env=env, cwd=cwd, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_every_documented_setting_is_in_this_test():
    assert documented_names() == set(DOCUMENTED)


@pytest.mark.parametrize("where", ["environment", ".env file"])
def test_every_setting_written_as_documented_is_taken_by_the_real_process(tmp_path, where):
    env = process_env()
    written = {name: raw for name, (raw, _) in DOCUMENTED.items()}
    if where == "environment":
        env.update(written)
    else:
        (tmp_path / ".env").write_text("".join(f"{name}={raw}\n" for name, raw in written.items()))
    shown = settings_of(env, tmp_path)
    assert {name: shown[name] for name in DOCUMENTED} == {name: used for name, (_, used) in DOCUMENTED.items()}
    for secret in ("xoxb-1-settings-test", SIGNING_SECRET, "xapp-1-settings-test", "lb-key-SETTINGS-7", "db-pw-9"):
        assert secret not in json.dumps(shown)


@pytest.mark.parametrize(
    ("value", "accepted"),
    [("<!channel>", False), ("usd", False), ("US$", False), ("", False), ("EUR", True), ("₹", True), ("$", True)],
)
def test_the_currency_is_a_code_or_one_symbol(value, accepted):
    if accepted:
        assert load_settings(_env_file=None, reseller_currency=value).reseller_currency == value
    else:
        with pytest.raises(ConfigError, match="RESELLER_CURRENCY: use a 3-letter currency code like USD"):
            load_settings(_env_file=None, reseller_currency=value)


@pytest.mark.parametrize(
    "url", ["https://", "http://exa mple.com/api/", "https://slack.com:port/api/", "slack.com/api"]
)
def test_a_malformed_slack_api_url_is_refused(url):
    with pytest.raises(ConfigError, match="SLACK_API_URL"):
        load_settings(_env_file=None, slack_api_url=url)


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("RESELLER_CURRENCY", "<!channel>"),
        ("SLACK_API_URL", "http://exa mple.com/api/"),
        ("ALERTS_CHANNEL", "#alerts"),  # a name, not the channel's id
        ("APPROVAL_CHANNEL", "#approvals"),  # checked like ALERTS_CHANNEL
        ("RESELLER_AUTH_USERID", ""),  # empty: "required but not set", once, not also "not an integer"
        ("WATCH_INTERVAL", "0.5"),  # at least 1
        ("WATCH_CONFIRM_ROUNDS", "0"),  # at least 1
        ("EXPIRY_WARNING_DAYS", "400"),  # 1 to 365
        ("WATCH_LEASE_TTL", "1"),  # at least 2
    ],
)
def test_a_bad_setting_stops_the_real_process_in_one_line(slack, sim, tmp_path, setting, value):
    env = process_env(sim, slack, DATABASE_URL=f"sqlite:///{tmp_path}/m.db", **{setting: value})
    done = subprocess.run(
        [sys.executable, "-m", "bot"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2 and done.stdout == ""
    (line,) = done.stderr.strip().splitlines()
    assert setting in line and "Traceback" not in line


def test_an_unreachable_slack_api_url_at_start_is_one_readable_line(sim, tmp_path):
    env = process_env(sim, None, DATABASE_URL=f"sqlite:///{tmp_path}/m.db", LOG_LEVEL="WARNING")
    env.update(
        SLACK_BOT_TOKEN="xoxb-1-unreachable",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        RESELLER_AUTH_USERID="1",
        RESELLER_API_KEY="k",
        RESELLER_API_URL=sim.base_url,
        SLACK_API_URL=f"http://127.0.0.1:{free_port()}/api/",  # nothing listens there
    )
    done = subprocess.run(
        [sys.executable, "-m", "bot"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "mailops cannot start: Slack cannot be reached at SLACK_API_URL (URLError): check the URL and the network."
    ]


def test_the_proxy_password_is_masked_in_debug_logs(sim, slack, tmp_path):
    """slack_sdk logs the proxy URL it loaded from HTTPS_PROXY at DEBUG, password included."""
    proxy = ForwardProxy()
    port = free_port()
    env = process_env(
        sim,
        slack,
        PORT=str(port),
        DATABASE_URL=f"sqlite:///{tmp_path}/m.db",
        LOG_LEVEL="DEBUG",
        HTTPS_PROXY=proxy.url.replace("http://", "http://egress:proxy-pw-123@"),
        HTTP_PROXY=proxy.url.replace("http://", "http://egress:proxy-pw-123@"),
    )
    for name in ("NO_PROXY", "no_proxy", "http_proxy", "https_proxy"):
        env.pop(name, None)
    try:
        with bot_process([sys.executable, "-m", "bot"], env, tmp_path, port) as bot:
            answer = SlackDriver(bot.url, slack, SIGNING_SECRET).command("order acme.com").text()
    finally:
        proxy.stop()
    assert "acme.com · Active" in answer and proxy.seen  # the calls went through the proxy
    assert "HTTP proxy URL has been loaded from an env variable: http://egress:***@" in bot.output
    assert "proxy-pw-123" not in bot.output


def test_action_stuck_after_is_ten_minutes_at_least(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "bot", "settings"],
        env=process_env(ACTION_STUCK_AFTER="60"),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "ACTION_STUCK_AFTER" in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_a_password_in_the_database_urls_query_is_masked_in_settings_logs_and_doctor(sim, slack, tmp_path):
    """libpq takes `?password=` (and `sslpassword=`) as well as user:password@: masked everywhere."""
    url = "postgresql://mailops@127.0.0.1:1/db?password=db-QUERY-pw-5&sslpassword=ssl-QUERY-pw-6&sslmode=disable"
    env = process_env(sim, slack, DATABASE_URL=url, LOG_LEVEL="DEBUG")
    shown = subprocess.run(
        [sys.executable, "-m", "bot", "settings"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert json.loads(shown.stdout)["DATABASE_URL"] == (
        "postgresql://mailops@127.0.0.1:1/db?password=***&sslpassword=***&sslmode=disable"
    )
    doctor = subprocess.run(
        [sys.executable, "-m", "bot", "doctor"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    migrated = subprocess.run(  # nothing listens on port 1: one line saying so, without the password
        [sys.executable, "-m", "bot", "migrate"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    everything = shown.stdout + shown.stderr + doctor.stdout + doctor.stderr + migrated.stdout + migrated.stderr
    assert "database" in doctor.stdout.lower()
    assert migrated.returncode == 1 and "Traceback" not in migrated.stderr
    assert "cannot be migrated (OperationalError)" in migrated.stderr
    assert "db-QUERY-pw-5" not in everything and "ssl-QUERY-pw-6" not in everything
