"""The files a deployer touches: manifest, Procfile, settings errors, entry points."""

from __future__ import annotations

import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
import yaml

from bot.commands.table import SUBCOMMANDS
from bot.slack.scopes import SCOPES
from tests.support import (
    API_KEY,
    BOT_TOKEN,
    ROOT,
    SIGNING_SECRET,
    SlackDriver,
    bot_process,
    free_port,
    process_env,
    procfile_web_argv,
)


def test_manifest_declares_command_urls_and_scopes():
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())
    assert manifest["display_information"]["name"]
    assert manifest["features"]["bot_user"]["display_name"]
    (command,) = manifest["features"]["slash_commands"]
    assert command["command"] == "/email"
    assert command["url"].endswith("/slack/events")
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["settings"]["interactivity"]["request_url"] == command["url"]
    assert manifest["settings"]["socket_mode_enabled"] is False
    # the scopes the features use, and no others
    assert manifest["oauth_config"]["scopes"]["bot"] == list(SCOPES)  # each with its use, in bot.slack.scopes
    # the usage hint lists every subcommand (one source: bot.commands.table.SUBCOMMANDS)
    assert command["usage_hint"].split(" | ") == list(SUBCOMMANDS)


@pytest.mark.parametrize(("argv", "name"), [((), "manifest.yml"), (("--socket-mode",), "manifest.socket-mode.yml")])
def test_committed_manifests_are_what_python_m_bot_manifest_prints(argv, name, tmp_path):
    """One source: the declarations. A subcommand, scope or step added without regenerating fails here."""
    result = run_bot("manifest", *argv, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (ROOT / name).read_text(), (
        f"regenerate with: python -m bot manifest {' '.join(argv)} > {name}"
    )


def test_manifests_declare_every_surface_the_code_listens_for():
    from bot.slack.listeners.functions import LOOKUP_STEP, QUOTE_STEP
    from bot.slack.listeners.shortcuts import LOOKUP_MESSAGE

    for name in ("manifest.yml", "manifest.socket-mode.yml"):
        manifest = yaml.safe_load((ROOT / name).read_text())
        features, settings = manifest["features"], manifest["settings"]
        assert features["app_home"]["home_tab_enabled"] is True
        assert features["app_home"]["messages_tab_enabled"] is True  # refusals from the Home tab land there
        (shortcut,) = features["shortcuts"]
        assert shortcut["type"] == "message" and shortcut["callback_id"] == LOOKUP_MESSAGE
        assert settings["event_subscriptions"]["bot_events"] == ["app_home_opened"]
        assert settings["org_deploy_enabled"] is True and settings["function_runtime"] == "remote"
        assert manifest["oauth_config"]["scopes"]["bot"] == list(SCOPES)
        functions = manifest["functions"]
        assert set(functions) == {LOOKUP_STEP, QUOTE_STEP}
        # version 1 (no _metadata.major_version): parameters are a map of name -> definition
        assert list(functions[LOOKUP_STEP]["input_parameters"]) == [
            "domain_or_order_id",
            "interactivity",
            "user",
        ]
        for step in (LOOKUP_STEP, QUOTE_STEP):  # who ran it: Slack fills in the interactor, or the builder names one
            person = functions[step]["input_parameters"]
            assert person["interactivity"]["type"] == "slack#/types/interactivity"
            assert person["user"]["type"] == "slack#/types/user_id" and not person["user"]["is_required"]
        assert functions[LOOKUP_STEP]["input_parameters"]["domain_or_order_id"]["is_required"] is True
        assert set(functions[LOOKUP_STEP]["output_parameters"]) == {
            "order_id",
            "status",
            "accounts",
            "expiry_date",
            "customer_id",
            "region",
        }
        assert set(functions[QUOTE_STEP]["output_parameters"]) == {"unit_price", "total", "currency"}
        if name == "manifest.yml":
            assert settings["event_subscriptions"]["request_url"].endswith("/slack/events")
        else:
            assert "request_url" not in settings["event_subscriptions"]


def run_bot(*args: str, cwd: Path, input: str | None = None, **env: str) -> subprocess.CompletedProcess:
    """`python -m bot ARGS` as a user runs it, with only the given settings."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=process_env(**env),
        input=input,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
    )


def test_missing_and_bad_settings_exit_2_naming_each(tmp_path):
    result = run_bot(cwd=tmp_path, RESELLER_API_KEY=API_KEY, PORT="http", RESELLER_REGIONS="us,eu", APPROVAL_TTL="x")
    assert result.returncode == 2
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "PORT", "RESELLER_REGIONS", "APPROVAL_TTL"):
        assert name in result.stderr
    assert "Traceback" not in result.stderr and API_KEY not in result.stderr


def test_console_needs_only_logicboxes_settings(tmp_path):
    result = run_bot("console", "order", "example.com", cwd=tmp_path)
    assert result.returncode == 2
    assert "RESELLER_AUTH_USERID" in result.stderr and "SLACK" not in result.stderr


def test_sandbox_console_one_command(tmp_path):
    result = run_bot("console", "--sandbox", "price", "12", "accounts", "6mo", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "[posted in channel]" in result.stdout and "95.76 USD" in result.stdout
    assert "Margin" in result.stdout


def test_sandbox_console_checks_dns_against_its_own_dns_server(tmp_path):
    result = run_bot("console", "--sandbox", "check", "acme.com", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Mail for acme.com does not reach Enterprise Email: its MX points to mx.oldhost.net." in result.stdout
    assert "acme.com. IN MX 10 mx.oldhost.net." in result.stdout.split("Remove these records:")[1]
    fine = run_bot("console", "--sandbox", "check", "example.com", cwd=tmp_path)
    assert "DNS for example.com is right for Enterprise Email." in fine.stdout


def test_sandbox_console_runs_the_watch_against_its_book_and_dns_server(tmp_path):
    script = "watch\nwatch run\nwatch run\nwatch\n"
    result = run_bot("console", "--sandbox", cwd=tmp_path, input=script)
    assert result.returncode == 0, result.stderr
    first, second = result.stdout.split("Round 1: ")[1], result.stdout.split("Round 2: ")[1]
    assert "No round has finished yet." in result.stdout
    assert "3 new problem(s)" in first.splitlines()[0]
    assert "Mail for acme.com does not reach Enterprise Email: its MX points to mx.oldhost.net." in first
    assert "acme.com expires on" in first and "with auto-renew off" in first
    assert "0 new problem(s)" in second.splitlines()[0]  # alerted once
    assert "*Open (3)*" in second


def test_sandbox_console_exit_status_says_whether_it_worked(tmp_path):
    result = run_bot("console", "--sandbox", "order", "nope.com", cwd=tmp_path)
    assert result.returncode == 1
    assert "No Enterprise Email order for nope.com in us, in." in result.stdout


def test_sandbox_console_interactive(tmp_path):
    result = run_bot("console", "--sandbox", cwd=tmp_path, input="order example.in\nstauts\nsetup a@acme.com\n")
    assert result.returncode == 0, result.stderr
    assert "example.in · Active" in result.stdout
    assert "Unknown subcommand `stauts`" in result.stdout
    assert "Server: `webmail.acme.com`" in result.stdout


def _serve_and_ask(argv: list[str], port: int, sim, slack, tmp_path) -> str:
    env = process_env(sim, slack, PORT=str(port), DATABASE_URL=f"sqlite:///{tmp_path}/bot.db")
    with bot_process(argv, env, tmp_path, port) as bot:
        text = SlackDriver(bot.url, slack, SIGNING_SECRET).command("order acme.com").text()
    assert API_KEY not in bot.output and BOT_TOKEN not in bot.output
    return text


def test_python_m_bot_serves_slack(sim, slack, tmp_path):
    port = free_port()
    text = _serve_and_ask([sys.executable, "-m", "bot"], port, sim, slack, tmp_path)
    assert "acme.com · Active" in text


def test_procfile_runs_the_app_under_gunicorn(sim, slack, tmp_path):
    port = free_port()
    text = _serve_and_ask(procfile_web_argv(port), port, sim, slack, tmp_path)
    assert "acme.com · Active" in text


def test_every_setting_is_documented():
    from bot.config import Settings

    readme = (ROOT / "README.md").read_text()
    missing = [name.upper() for name in Settings.model_fields if f"`{name.upper()}`" not in readme]
    assert missing == []


def test_readme_first_commands_are_the_demo_and_the_ci_test_command():
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```sh\n(.*?)\n```", readme, re.S)
    assert "python -m bot console --sandbox" in blocks[0]
    test_command = blocks[1].strip()
    assert test_command in (ROOT / ".ci" / "run").read_text()


def test_the_lock_pins_every_dependency_and_what_they_need():
    """requirements.txt (what Heroku-like platforms install) is generated from pyproject.toml with
    exact versions; it must still satisfy pyproject and hold every package those need."""
    import importlib.metadata
    import tomllib

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"not pinned exactly: {line}"
            pins[canonicalize_name(name)] = version
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [Requirement(text) for text in project["dependencies"]]
    for req in wanted:
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is in pyproject.toml but not in requirements.txt: regenerate it"
        assert req.specifier.contains(pins[name]), f"requirements.txt pins {req.name}=={pins[name]}, outside {req}"
    for name, version in pins.items():  # the closure, from the metadata of what this venv installed
        dist = importlib.metadata.distribution(name)
        if dist.version != version:
            continue
        extras = {extra for req in wanted if canonicalize_name(req.name) == name for extra in req.extras}
        for text in dist.requires or []:
            req = Requirement(text)
            if req.marker and not any(req.marker.evaluate({"extra": e}) for e in extras | {""}):
                continue
            assert canonicalize_name(req.name) in pins, f"{name} needs {req.name}, which requirements.txt lacks"


def test_the_python_version_platforms_use_is_one_the_project_supports():
    python = (ROOT / ".python-version").read_text().strip()
    assert python == "3.11" and ">=3.11" in (ROOT / "pyproject.toml").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "Python 3.11 or newer" in readme


def test_python_m_bot_simulator_still_serves_the_demo_book(tmp_path):
    """The README's `python -m bot.simulator`: the sandbox's LogicBoxes moved into bot/sandbox/, the
    command did not. It prints its URL, and the URL answers like LogicBoxes."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.simulator"], env=process_env(), cwd=tmp_path, stdout=subprocess.PIPE, text=True
    )
    try:
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:") and url.endswith("/api"), url
        query = "auth-userid=1&api-key=sandbox-key&domain-name=example.com"
        with urllib.request.urlopen(f"{url}/enterpriseemail/us/orderid.json?{query}", timeout=10) as answer:
            assert answer.read().decode().strip() == "84372632"
    finally:
        process.terminate()
        process.wait(timeout=20)
