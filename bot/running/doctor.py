"""`python -m bot doctor`: one line per check, with the fix for each failure or warning.

It reads the same settings as the bot, asks Slack who the bot is (and which scopes its token has),
whether it is in APPROVAL_CHANNEL and who is in each approver group, makes one cheap read in each
configured LogicBoxes region and opens the database without changing it.

FAIL: the bot cannot work as configured (exit status 1). WARN: it works, but not as an operator
would want (no approvers, one approver, the vendor's test server, migrations still to apply, scopes
Slack did not report); warnings alone exit 0. Secrets are never printed, only whether they are set.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from slack_sdk.errors import SlackApiError

from bot.config import ConfigError, Settings, load_settings, serve_requirements
from bot.logicboxes import (
    CREDENTIALS_FIX,
    WHITELIST_FIX,
    AccessDenied,
    ApiRefused,
    AuthenticationFailed,
    CannotConnect,
    LogicBoxesError,
    NotWhitelisted,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from bot.slack.scopes import SCOPES
from bot.telemetry import trace

PASS, WARN, FAIL = "PASS", "WARN", "FAIL"
TEST_SERVER = "test.httpapi.com"  # the vendor's demo server, the default RESELLER_API_URL


@dataclass(frozen=True)
class Check:
    name: str
    level: str
    detail: str
    fix: str = ""

    @property
    def ok(self) -> bool:
        return self.level == PASS

    def line(self) -> str:
        return f"{self.level}  {self.name}: {self.detail}" + (f"\n      fix: {self.fix}" if self.fix else "")


def plural(count: int, word: str) -> str:
    """ "1 order", "2 orders", "1 warning", "0 warnings"."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def run_doctor(print_line: Callable[[str], None] = print) -> int:
    checks = list(_all_checks())
    for check in checks:
        print_line(check.line())
    count = {level: sum(1 for c in checks if c.level == level) for level in (PASS, WARN, FAIL)}
    print_line(f"\n{count[PASS]} passed, {plural(count[WARN], 'warning')}, {count[FAIL]} failed")
    return 1 if count[FAIL] else 0


def _all_checks():
    try:
        settings = load_settings(*serve_requirements())
    except ConfigError as exc:
        yield Check("settings", FAIL, str(exc).split("\n", 1)[-1].strip(), "set them in the environment or .env")
        return
    yield Check("settings", PASS, "all required settings are present and well-formed")
    yield _signing_secret(settings)
    yield from _slack(settings)
    yield from _logicboxes(settings)
    yield _database(settings)
    yield _approvers(settings)


def _signing_secret(settings: Settings) -> Check:
    if settings.slack_app_token is not None:
        return Check("Slack signing secret", PASS, "not needed in Socket Mode (SLACK_APP_TOKEN is set)")
    if re.fullmatch(r"[0-9a-f]{32}", settings.secret("slack_signing_secret")):
        return Check("Slack signing secret", PASS, "set, 32 hex characters")
    return Check(
        "Slack signing secret",
        FAIL,
        "SLACK_SIGNING_SECRET is not 32 hex characters",
        "copy Signing Secret from the app's Basic Information page (not the verification token or client secret)",
    )


def _slack(settings: Settings):
    from bot.slack import web_client

    client = web_client(settings)
    try:
        answer = client.auth_test()
    except SlackApiError as exc:
        error = exc.response.get("error", "unknown_error")
        yield Check(
            "Slack auth.test",
            FAIL,
            f"Slack refused the bot token ({error})",
            "reinstall the app to the workspace and copy its Bot User OAuth Token into SLACK_BOT_TOKEN",
        )
        return
    except OSError as exc:
        yield Check(
            "Slack auth.test",
            FAIL,
            f"cannot reach {settings.slack_api_url} ({type(exc).__name__})",
            "check SLACK_API_URL and this host's outbound network",
        )
        return
    yield Check("Slack auth.test", PASS, f"bot {answer.get('user')} in team {answer.get('team_id')}")
    granted = _granted_scopes(answer.headers)
    yield _scopes(granted)
    if settings.approval_channel:
        yield _approval_channel(client, settings.approval_channel, granted)
    if settings.alerts_channel:
        yield _alerts_channel(client, settings.alerts_channel)
    for group in [g for g in settings.approvers if g.startswith("S")]:
        yield _approver_group(client, group)


def _granted_scopes(headers: dict[str, Any]) -> set[str] | None:
    """The token's scopes from auth.test's x-oauth-scopes header; None when Slack sent none."""
    value = next((v for k, v in headers.items() if k.lower() == "x-oauth-scopes"), None)
    if isinstance(value, list):
        value = ",".join(value)
    return None if value is None else {scope.strip() for scope in value.split(",") if scope.strip()}


def _scopes(granted: set[str] | None) -> Check:
    if granted is None:
        return Check(
            "Slack scopes",
            WARN,
            "Slack did not report the token's scopes (no x-oauth-scopes header), so they were not checked",
            f"make sure the app has {', '.join(SCOPES)} (see manifest.yml)",
        )
    missing = [scope for scope in SCOPES if scope not in granted]
    if missing:
        uses = "; ".join(f"{scope} for {SCOPES[scope]}" for scope in missing)
        return Check(
            "Slack scopes",
            FAIL,
            f"the token lacks {', '.join(missing)} ({uses})",
            "add them under OAuth & Permissions (or update the app from manifest.yml), then reinstall the app",
        )
    return Check("Slack scopes", PASS, f"all {len(SCOPES)} the features need")


def _approval_channel(client: Any, channel: str, granted: set[str] | None) -> Check:
    return _channel(client, channel, "approval channel", "APPROVAL_CHANNEL", "approval requests")


def _alerts_channel(client: Any, channel: str) -> Check:
    return _channel(client, channel, "alerts channel", "ALERTS_CHANNEL", "the watch's alerts", warn_shared=True)


def _channel(client: Any, channel: str, name: str, setting: str, what: str, warn_shared: bool = False) -> Check:
    """The bot is in `channel` (else `what` cannot be posted there); with `warn_shared`, a channel
    shared with another organisation (Slack Connect) is a warning: its people would read them."""
    try:
        info = client.conversations_info(channel=channel)["channel"]
    except SlackApiError as exc:
        error = exc.response.get("error", "unknown_error")
        if error == "missing_scope":
            return Check(name, WARN, f"not checked: the token lacks channels:read and groups:read ({channel})")
        if error == "channel_not_found":  # also a private channel the bot is not in
            return Check(
                name,
                FAIL,
                f"{channel} not found: it does not exist, or it is private and the bot is not in it",
                f"check {setting}, then /invite @mailops in {channel}",
            )
        return Check(name, FAIL, f"Slack refused conversations.info for {channel} ({error})", f"check {setting}")
    if not info.get("is_member"):
        return Check(
            name,
            FAIL,
            f"the bot is not in {channel}: {what} cannot be posted there",
            f"/invite @mailops in {channel}",
        )
    if warn_shared and (info.get("is_ext_shared") or info.get("is_shared") or info.get("is_pending_ext_shared")):
        return Check(
            name,
            WARN,
            f"{channel} is shared with another organisation: its people would read {what}",
            f"use a channel only your own workspace is in for {setting}",
        )
    return Check(name, PASS, f"the bot is in {channel}")


def _approver_group(client: Any, group: str) -> Check:
    name = f"approver group {group}"
    try:
        members = client.usergroups_users_list(usergroup=group).get("users") or []
    except SlackApiError as exc:
        error = exc.response.get("error", "unknown_error")
        return Check(
            name,
            FAIL,
            f"does not resolve ({error}): nobody in it can approve",
            "check the group id in APPROVERS (Slack: the group's profile, Copy group ID) and the usergroups:read scope",
        )
    if not members:
        return Check(name, WARN, "has no members: nobody in it can approve", f"add on-call people to {group}")
    return Check(name, PASS, plural(len(members), "member"))


def _logicboxes(settings: Settings):
    from bot.running.wiring import make_client

    client = make_client(settings)
    host = urlsplit(settings.reseller_api_url).hostname or ""
    if host == TEST_SERVER:
        yield Check(
            "LogicBoxes server",
            WARN,
            f"{settings.reseller_api_url} is the vendor's test server: its orders are demo data",
            "set RESELLER_API_URL=https://httpapi.com/api for production",
        )
    for region in settings.reseller_regions:
        name = f"LogicBoxes {region}"
        try:
            with trace.command_trace(settings.read_timeout + settings.connect_timeout):
                page = client.search(region, per_page=10)
        except AccessDenied:  # an account-wide read holds no record outside the account: it is the IP
            yield Check(
                name,
                FAIL,
                '"Access Denied" to an account-wide order search: this server\'s IP address is not whitelisted '
                "(no single order can be the cause)",
                "add this server's public IP under Settings > API in the reseller control panel (it can take an hour)",
            )
        except NotWhitelisted:
            yield Check(
                name,
                FAIL,
                "HTTP 403: this server's IP address is not whitelisted",
                "add this server's public IP under Settings > API in the reseller control panel (it can take an hour)",
            )
        except AuthenticationFailed as exc:
            yield Check(name, FAIL, f"the reseller id or API key was rejected ({exc.api_message})", CREDENTIALS_FIX)
        except CannotConnect as exc:
            yield Check(
                name,
                FAIL,
                f"{exc.why}: if {settings.reseller_api_url} is right, this server's IP may not be whitelisted",
                f"check RESELLER_API_URL and the network; then {WHITELIST_FIX}",
            )
        except ApiRefused as exc:
            yield Check(name, FAIL, f"refused: {exc.api_message}", "see the message from LogicBoxes")
        except (UpstreamTimeout, UpstreamUnavailable) as exc:
            yield Check(
                name,
                FAIL,
                f"unreachable: {exc}",
                f"check RESELLER_API_URL ({settings.reseller_api_url}) and the network",
            )
        except LogicBoxesError as exc:
            yield Check(name, FAIL, str(exc), "check RESELLER_API_URL")
        else:
            yield Check(name, PASS, f"answered; {plural(page.total, 'order')}")  # so the IP is whitelisted


def _database(settings: Settings) -> Check:
    """Opened without migrating: doctor reports, the next start (or `python -m bot migrate`) acts."""
    from bot.approvals.store import Store, head_revision, schema_revision

    try:
        store = Store(settings.database_url, migrate_schema=False)
        store.ping()
        current, head = schema_revision(store.engine), head_revision()
    except Exception as exc:  # any driver error: say which kind, never the URL (it may hold a password)
        return Check(
            "database",
            FAIL,
            f"cannot open DATABASE_URL ({type(exc).__name__})",
            "check DATABASE_URL, that the server runs and that the user may create tables",
        )
    kind = settings.database_url.split(":", 1)[0]
    if current is None:
        return Check(
            "database",
            WARN,
            f"{kind} reachable; a fresh database (or one from 0.1.0): its schema is created at the next start",
            "nothing to do, or run `python -m bot migrate` as a release step",
        )
    if current != head:
        return Check(
            "database",
            WARN,
            f"{kind} reachable; schema at {current}, migrations to {head} are applied at the next start",
            "nothing to do, or run `python -m bot migrate` as a release step",
        )
    return Check("database", PASS, f"{kind} reachable, schema up to date ({head})")


def _approvers(settings: Settings) -> Check:
    if len(settings.approvers) == 1 and not settings.approvers[0].startswith("S"):
        return Check(
            "approvers",
            WARN,
            f"only one approver ({settings.approvers[0]}): their own requests can never be approved (four eyes)",
            "add a second approver or an on-call user group (S...) to APPROVERS",
        )
    if settings.approvers:
        return Check("approvers", PASS, f"{', '.join(settings.approvers)} (users and groups)")
    return Check(
        "approvers",
        WARN,
        "APPROVERS is empty: every change (delete, add-accounts, renew, suspend...) is refused",
        "set APPROVERS to on-call Slack user ids (U...) or a user-group id (S...)",
    )
