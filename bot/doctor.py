"""`python -m bot doctor`: one line per check, with the fix for each failure.

It reads the same settings as the bot, calls Slack's auth.test, makes one cheap read in each
configured LogicBoxes region and opens the database. Exit status 0 only when every check passes.
Secrets are never printed, only whether they are set and well-formed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError

from bot import trace
from bot.config import ConfigError, Settings, load_settings, serve_requirements
from bot.logicboxes import (
    CREDENTIALS_FIX,
    WHITELIST_FIX,
    ApiRefused,
    AuthenticationFailed,
    CannotConnect,
    LogicBoxesError,
    NotWhitelisted,
    UpstreamTimeout,
    UpstreamUnavailable,
)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""

    def line(self) -> str:
        mark = "PASS" if self.ok else "FAIL"
        return f"{mark}  {self.name}: {self.detail}" + ("" if self.ok else f"\n      fix: {self.fix}")


def run_doctor(print_line: Callable[[str], None] = print) -> int:
    checks = list(_all_checks())
    for check in checks:
        print_line(check.line())
    failed = [c for c in checks if not c.ok]
    print_line(f"\n{len(checks) - len(failed)} passed, {len(failed)} failed")
    return 0 if not failed else 1


def _all_checks():
    try:
        settings = load_settings(*serve_requirements())
    except ConfigError as exc:
        yield Check("settings", False, str(exc).split("\n", 1)[-1].strip(), "set them in the environment or .env")
        return
    yield Check("settings", True, "all required settings are present and well-formed")
    yield _signing_secret(settings)
    yield _slack(settings)
    yield from _logicboxes(settings)
    yield _database(settings)
    yield _approvers(settings)


def _signing_secret(settings: Settings) -> Check:
    if settings.slack_app_token is not None:
        return Check("Slack signing secret", True, "not needed in Socket Mode (SLACK_APP_TOKEN is set)")
    if re.fullmatch(r"[0-9a-f]{32}", settings.secret("slack_signing_secret")):
        return Check("Slack signing secret", True, "set, 32 hex characters")
    return Check(
        "Slack signing secret",
        False,
        "SLACK_SIGNING_SECRET is not 32 hex characters",
        "copy Signing Secret from the app's Basic Information page (not the verification token or client secret)",
    )


def _slack(settings: Settings) -> Check:
    from bot.slack import web_client

    try:
        answer = web_client(settings).auth_test()
    except SlackApiError as exc:
        error = exc.response.get("error", "unknown_error")
        return Check(
            "Slack auth.test",
            False,
            f"Slack refused the bot token ({error})",
            "reinstall the app to the workspace and copy its Bot User OAuth Token into SLACK_BOT_TOKEN",
        )
    except OSError as exc:
        return Check(
            "Slack auth.test",
            False,
            f"cannot reach {settings.slack_api_url} ({type(exc).__name__})",
            "check SLACK_API_URL and this host's outbound network",
        )
    return Check("Slack auth.test", True, f"bot {answer.get('user')} in team {answer.get('team_id')}")


def _logicboxes(settings: Settings):
    from bot.wiring import make_client

    client = make_client(settings)
    for region in settings.reseller_regions:
        name = f"LogicBoxes {region}"
        try:
            with trace.command_trace(settings.read_timeout + settings.connect_timeout):
                page = client.search(region, per_page=10)
        except NotWhitelisted:
            yield Check(
                name,
                False,
                "HTTP 403: this server's IP address is not whitelisted",
                "add this server's public IP under Settings > API in the reseller control panel (it can take an hour)",
            )
        except AuthenticationFailed as exc:
            yield Check(name, False, f"the reseller id or API key was rejected ({exc.api_message})", CREDENTIALS_FIX)
        except CannotConnect as exc:
            yield Check(
                name,
                False,
                f"{exc.why}: if {settings.reseller_api_url} is right, this server's IP may not be whitelisted",
                f"check RESELLER_API_URL and the network; then {WHITELIST_FIX}",
            )
        except ApiRefused as exc:
            yield Check(name, False, f"refused: {exc.api_message}", "see the message from LogicBoxes")
        except (UpstreamTimeout, UpstreamUnavailable) as exc:
            yield Check(
                name,
                False,
                f"unreachable: {exc}",
                f"check RESELLER_API_URL ({settings.reseller_api_url}) and the network",
            )
        except LogicBoxesError as exc:
            yield Check(name, False, str(exc), "check RESELLER_API_URL")
        else:
            yield Check(name, True, f"answered; {page.total} orders")


def _database(settings: Settings) -> Check:
    from bot.store import Store

    try:
        Store(settings.database_url).ping()
    except Exception as exc:  # any driver error: say which kind, never the URL (it may hold a password)
        return Check(
            "database",
            False,
            f"cannot open DATABASE_URL ({type(exc).__name__})",
            "check DATABASE_URL, that the server runs and that the user may create tables",
        )
    return Check("database", True, f"{settings.database_url.split(':', 1)[0]} reachable, schema up to date")


def _approvers(settings: Settings) -> Check:
    if len(settings.approvers) == 1 and not settings.approvers[0].startswith("S"):
        return Check(
            "approvers",
            False,
            f"only one approver ({settings.approvers[0]}): their own requests can never be approved (four eyes)",
            "add a second approver or an on-call user group (S...) to APPROVERS",
        )
    if settings.approvers:
        return Check("approvers", True, f"{len(settings.approvers)} configured")
    return Check(
        "approvers",
        False,
        "APPROVERS is empty: delete and add-accounts will be refused",
        "set APPROVERS to on-call Slack user ids (U...) or a user-group id (S...)",
    )
