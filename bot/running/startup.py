"""Starting up without a traceback: settings and the bot, or one readable line naming what to fix
and exit status 2. Shared by `python -m bot`, the console and bot.wsgi (gunicorn)."""

from __future__ import annotations

import re

from bot.config import ConfigError, Settings, load_settings, url_secrets
from bot.telemetry.logs import fatal, register_secret


def load_or_exit(*required: str, **overrides: object) -> Settings:
    """Settings, or one readable message and exit status 2 (never a traceback). The database's
    password, wherever DATABASE_URL carries it, is masked in every log line from here on."""
    try:
        settings = load_settings(*required, **overrides)
    except ConfigError as exc:
        fatal(str(exc))
        raise SystemExit(2) from None
    for secret in url_secrets(settings.database_url):
        register_secret(secret)
    return settings


def make_bot_or_exit(settings: Settings, **options: object):
    """The bot, or one readable line naming why it cannot start and exit status 2 (never a
    traceback): a revoked token, Slack unreachable, a database that cannot be migrated."""
    from bot.running.wiring import make_bot

    try:
        return make_bot(settings, **options)
    except Exception as exc:
        fatal(f"mailops cannot start: {startup_failure(exc)}")
        raise SystemExit(2) from None


def startup_failure(exc: BaseException) -> str:
    from slack_sdk.errors import SlackApiError
    from sqlalchemy.exc import SQLAlchemyError

    from bot.telemetry.logs import redact

    text = redact(str(exc))
    refused = re.search(r"'error': '([a-z_]+)'", text)  # Bolt's BoltError carries auth.test's answer
    if isinstance(exc, SlackApiError) or refused:
        error = exc.response.get("error", "unknown_error") if isinstance(exc, SlackApiError) else refused[1]
        return f"Slack refused the bot token ({error}): reinstall the app and copy its token into SLACK_BOT_TOKEN."
    if isinstance(exc, SQLAlchemyError):
        return f"the database at DATABASE_URL cannot be prepared ({type(exc).__name__})."
    if isinstance(exc, OSError) or "urlopen error" in text or "Connection refused" in text:
        return f"Slack cannot be reached at SLACK_API_URL ({type(exc).__name__}): check the URL and the network."
    return f"{type(exc).__name__}: {text[:300]}"
