"""Settings, read once from the environment and `.env` with pydantic-settings.

Every entry point asks only for the groups it uses (serving needs Slack and LogicBoxes, the
console only LogicBoxes, the sandbox nothing), so a missing Slack token never blocks a demo.
A bad setting stops start-up with one readable message per variable and exit status 2.
"""

from __future__ import annotations

import os
import re
import unicodedata
from typing import Annotated, Any, Literal
from urllib.parse import parse_qsl, urlsplit

from dotenv import dotenv_values
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url

REGIONS = ("us", "in")
"""LogicBoxes keeps one Enterprise Email order book per region; an order lives in exactly one."""

INVOICE_OPTIONS = ("NoInvoice", "PayInvoice", "KeepInvoice", "OnlyAdd")

CommaList = Annotated[list[str], NoDecode]

SLACK = ("slack_bot_token", "slack_signing_secret")
LOGICBOXES = ("reseller_auth_userid", "reseller_api_key")


def serve_requirements(env_file: str = ".env") -> tuple[str, ...]:
    """What `python -m bot` needs: Socket Mode (SLACK_APP_TOKEN) needs no signing secret."""
    socket_mode = bool(_raw_values(env_file).get("SLACK_APP_TOKEN"))
    slack = ("slack_bot_token",) if socket_mode else SLACK
    return (*slack, *LOGICBOXES)


class ConfigError(Exception):
    """Start-up cannot go on; the message names every bad variable and never a secret value."""


def _split(value: object) -> object:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


class Settings(BaseSettings):
    """All of the bot's knobs. Durations are seconds; lists are comma-separated."""

    # allow_inf_nan=False: "inf" or "nan" is no duration
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", allow_inf_nan=False)

    # Slack
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    port: int = Field(3000, ge=1, le=65535)

    # LogicBoxes
    reseller_auth_userid: int | None = Field(None, gt=0)
    reseller_api_key: SecretStr | None = None
    reseller_api_url: str = "https://test.httpapi.com/api"
    reseller_regions: CommaList = ["us", "in"]
    dns_resolvers: CommaList = []  # ip[:port] for `/email check`; empty: the system's resolvers
    reseller_currency: str = "USD"

    # Time budgets (seconds)
    connect_timeout: float = Field(3.05, gt=0, le=60)
    read_timeout: float = Field(10.0, gt=0, le=300)
    command_deadline: float = Field(25.0, gt=0, le=600)
    retries: int = Field(2, ge=0, le=5)
    order_cache_ttl: float = Field(60.0, ge=0, le=86400)
    dns_cache_ttl: float = Field(600.0, ge=0, le=86400)
    region_cache_ttl: float = Field(3600.0, ge=0, le=7 * 86400)
    pricing_cache_ttl: float = Field(3600.0, ge=0, le=7 * 86400)
    breaker_failures: int = Field(3, ge=1, le=100)
    breaker_reset: float = Field(30.0, gt=0, le=3600)

    # Capacity: slow LogicBoxes work runs on a bounded pool, never on Bolt's ack threads. With the
    # defaults a process peaks under 100 threads: HTTP 8, work 40, region probes 40, a few helpers.
    worker_threads: int = Field(40, ge=1, le=512)
    work_queue_limit: int = Field(200, ge=1, le=100_000)
    probe_threads: int = Field(40, ge=1, le=512)  # shared by every command's region probes: one each
    http_threads: int = Field(8, ge=1, le=128)  # `python -m bot`'s ack threads (waitress)
    shutdown_grace: float = Field(25.0, ge=0, le=3600)  # on SIGTERM: time for the work in flight to finish

    # How often a busy thread must hand over the GIL (Python's default is 0.005): acks are short
    # I/O-bound bursts that otherwise wait behind LogicBoxes work; see bench/run.py.
    gil_switch_interval: float = Field(0.001, gt=0, le=0.1)

    # Approvals and audit
    approvers: CommaList = []
    cost_viewers: CommaList | None = None
    # Who may read, quote and ask (users U/W, groups S, and channels C/G: "anyone asking there")
    readers: CommaList = []  # empty: every full member of the installing workspace
    quoters: CommaList | None = None  # default: the readers
    requesters: CommaList | None = None  # default: the readers
    allow_guests: bool = False
    approval_channel: str | None = None
    approval_ttl: int = Field(1800, gt=0, le=7 * 86400)
    approval_sweep_interval: float = Field(60.0, gt=0, le=3600)
    max_add_accounts: int = Field(500, ge=1, le=10_000)
    # first look at LogicBoxes' action queue this long after it accepted a change (then doubling to an hour)
    followup_after: float = Field(300.0, gt=0, le=86400)
    action_stuck_after: float = Field(86400.0, ge=600, le=30 * 86400)  # still pending then: said once
    slack_retry_base: float = Field(1.0, ge=0, le=60)  # first wait before retrying a failed outcome update (doubles)
    default_invoice_option: str = "NoInvoice"
    database_url: str = "sqlite:///mailops.db"
    access_log_days: int = Field(90, ge=1, le=3650)

    # The watch over the order book (bot/watch/): on whenever ALERTS_CHANNEL is set, unless WATCH=off
    alerts_channel: str | None = None
    watch: bool = True
    watch_interval: float = Field(900.0, ge=1, le=7 * 86400)  # seconds between rounds
    watch_grace_days: float = Field(7.0, ge=0, le=365)  # a new order's DNS is left alone this long
    watch_confirm_rounds: int = Field(2, ge=1, le=100)  # bad (or good) rounds in a row before alerting (resolving)
    expiry_warning_days: int = Field(14, ge=1, le=365)
    watch_lease_ttl: float = Field(60.0, ge=2, le=3600)  # an instance that stops renewing loses the watch then
    watch_concurrency: int = Field(4, ge=1, le=64)  # LogicBoxes calls of the watch at once
    watch_dns_concurrency: int = Field(16, ge=1, le=256)  # DNS checks of the watch at once

    # Logs
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"

    _split_lists = field_validator(
        "reseller_regions",
        "dns_resolvers",
        "approvers",
        "cost_viewers",
        "readers",
        "quoters",
        "requesters",
        mode="before",
    )(_split)

    @field_validator("reseller_auth_userid", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        """RESELLER_AUTH_USERID= (empty) is not set, not "not a number": one line, saying so."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("alerts_channel", "approval_channel")
    @classmethod
    def _channel(cls, value: str | None) -> str | None:
        """A channel id, as Slack shows it under the channel's details (C... or G...)."""
        if value is None or not value.strip():
            return None
        if not re.fullmatch(r"[CG][A-Z0-9]{2,20}", value.strip()):
            raise ValueError("use the channel's id, like C0123456789 (the channel's details show it)")
        return value.strip()

    @field_validator("reseller_currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        """Shown beside every price, in the channel: a code or one symbol, never markup that pings."""
        value = value.strip()
        if re.fullmatch(r"[A-Z]{3}", value) or (len(value) == 1 and unicodedata.category(value) == "Sc"):
            return value
        raise ValueError("use a 3-letter currency code like USD or INR, or one currency symbol like $ or ₹")

    @field_validator("dns_resolvers")
    @classmethod
    def _resolvers(cls, value: list[str]) -> list[str]:
        from bot.dns.live import parse_resolvers

        items = [item.strip() for item in value if item.strip()]
        parse_resolvers(items)  # a ValueError names the item
        return items

    @field_validator("reseller_regions")
    @classmethod
    def _known_regions(cls, value: list[str]) -> list[str]:
        regions = [region.lower() for region in value]
        unknown = [region for region in regions if region not in REGIONS]
        if unknown or not regions:
            raise ValueError(f"use a comma-separated list of {', '.join(REGIONS)}")
        return list(dict.fromkeys(regions))

    @field_validator("readers", "quoters", "requesters")
    @classmethod
    def _slack_ids_or_channels(cls, value: list[str] | None) -> list[str] | None:
        bad = [item for item in value or [] if not re.fullmatch(r"[UWSCG][A-Z0-9]{2,}", item)]
        if bad:
            raise ValueError(f"not Slack user (U/W), user-group (S) or channel (C/G) ids: {', '.join(bad)}")
        return value

    @field_validator("approvers", "cost_viewers")
    @classmethod
    def _slack_ids(cls, value: list[str] | None) -> list[str] | None:
        bad = [item for item in value or [] if not re.fullmatch(r"[UWS][A-Z0-9]{2,}", item)]
        if bad:
            raise ValueError(f"not Slack user (U.../W...) or user-group (S...) ids: {', '.join(bad)}")
        return value

    @field_validator("default_invoice_option")
    @classmethod
    def _invoice(cls, value: str) -> str:
        if value not in INVOICE_OPTIONS:
            raise ValueError(f"use one of {', '.join(INVOICE_OPTIONS)}")
        return value

    @field_validator("slack_bot_token", "slack_app_token")
    @classmethod
    def _token_kind(cls, value: SecretStr | None, info: Any) -> SecretStr | None:
        prefix = {"slack_bot_token": "xoxb-", "slack_app_token": "xapp-"}[info.field_name]
        if value is not None and value.get_secret_value() and not value.get_secret_value().startswith(prefix):
            raise ValueError(f"must start with {prefix} (copy it from the Slack app's settings)")
        return value

    @field_validator("slack_api_url", "reseller_api_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not re.match(r"https?://", value):
            raise ValueError("must start with http:// or https://")
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018 (raises ValueError for a port that is no number)
        except ValueError:
            raise ValueError("is not a URL (https://host/path/)") from None
        if not parts.hostname or re.search(r"[\s\x00-\x1f]", value):
            raise ValueError("is not a URL: it needs a host name and no spaces (https://host/path/)")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _ends_with_slash(cls, value: str) -> str:
        """slack_sdk appends method names to the base: https://slack.com/api + auth.test must not join."""
        return value if value.endswith("/") else value + "/"

    @field_validator("reseller_api_url")
    @classmethod
    def _secret_travels_safely(cls, value: str) -> str:
        """The API key travels in the URL: https, unless LogicBoxes is on this machine (a simulator)."""
        host = (urlsplit(value).hostname or "").lower()
        if not value.startswith("https://") and host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("must be https:// (the API key travels in the URL); http:// only on loopback")
        return value

    @field_validator("database_url")
    @classmethod
    def _persistent_database(cls, value: str) -> str:
        try:
            url = make_url(value)
        except Exception:
            raise ValueError("is not a database URL (sqlite:///path/mailops.db or postgresql://...)") from None
        if url.drivername.split("+")[0] not in ("sqlite", "postgresql", "postgres"):
            raise ValueError(f"use sqlite:/// or postgresql://, not {url.drivername}://")
        if url.drivername.startswith("sqlite") and (
            url.database in (None, "", ":memory:") or "memory" in str(url.query)
        ):
            raise ValueError("an in-memory SQLite database forgets approvals and the audit log: give a file path")
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        if value.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ValueError("use DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return value.upper()

    @property
    def default_region(self) -> str:
        return self.reseller_regions[0]

    @property
    def effective_quoters(self) -> list[str]:
        return self.readers if self.quoters is None else self.quoters

    @property
    def effective_requesters(self) -> list[str]:
        return self.readers if self.requesters is None else self.requesters

    @property
    def effective_cost_viewers(self) -> list[str]:
        """Who may see reseller cost; the approvers unless configured otherwise."""
        return self.approvers if self.cost_viewers is None else self.cost_viewers

    def effective(self) -> dict[str, Any]:
        """Every setting as the bot uses it, keyed as the environment names it: defaults filled in,
        lists as lists, secrets masked ("***" when set). `python -m bot settings` prints it."""
        values: dict[str, Any] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                value = "***" if value.get_secret_value() else None
            values[name.upper()] = value
        values.update(
            QUOTERS=self.effective_quoters,
            REQUESTERS=self.effective_requesters,
            COST_VIEWERS=self.effective_cost_viewers,
            DATABASE_URL=_mask_password(self.database_url),
        )
        return values

    def secret(self, name: str) -> str:
        value = getattr(self, name)
        return value.get_secret_value() if value is not None else ""


SECRET_PARAMETER = re.compile(r"pass|pwd|secret|token|key", re.IGNORECASE)  # ?password=, ?sslpassword=...


def _mask_password(url: str) -> str:
    """postgresql://user:***@host/db?password=***: a database password is a secret too, wherever
    the URL carries it (libpq takes `password` and `sslpassword` in the query as well)."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return url
    if password:
        url = url.replace(f":{password}@", ":***@", 1)
    return re.sub(
        r"([?&])([^=&#]+)=([^&#]*)",
        lambda m: f"{m[1]}{m[2]}=***" if SECRET_PARAMETER.search(m[2]) and m[3] else m[0],
        url,
    )


def url_secrets(url: str) -> list[str]:
    """The secrets a URL carries (its password, and query values named like one): to mask in logs."""
    try:
        parts = urlsplit(url)
        found = [parts.password] if parts.password else []
    except ValueError:
        return []
    return found + [value for name, value in parse_qsl(parts.query) if SECRET_PARAMETER.search(name) and value]


def load_settings(*required: str, **overrides: object) -> Settings:
    """Read settings and check that the variables named in `required` are set.

    Raises ConfigError naming each bad variable (as the environment spells it).
    """
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        problems = [
            f"{str(err['loc'][0]).upper()}: {err['msg'].removeprefix('Value error, ')}"
            for err in exc.errors(include_input=False)
        ]
        given = {**_raw_values(overrides.get("_env_file", ".env")), **{k.upper(): v for k, v in overrides.items()}}
        named = {problem.split(":", 1)[0] for problem in problems}  # one line per variable
        problems += [
            f"{name.upper()}: required but not set"
            for name in required
            if not given.get(name.upper()) and name.upper() not in named
        ]
        raise ConfigError(_message(problems)) from None
    missing = [f"{name.upper()}: required but not set" for name in required if not _is_set(settings, name)]
    if missing:
        raise ConfigError(_message(missing))
    return settings


def _raw_values(env_file: object) -> dict[str, object]:
    """What the environment and .env say, unvalidated: to name missing variables beside bad ones."""
    from_file = dotenv_values(env_file) if isinstance(env_file, str) and os.path.exists(env_file) else {}
    return {**{k.upper(): v for k, v in from_file.items()}, **os.environ}


def _is_set(settings: Settings, name: str) -> bool:
    value = getattr(settings, name)
    if isinstance(value, SecretStr):
        return bool(value.get_secret_value())
    return value is not None


def _message(problems: list[str]) -> str:
    if len(problems) == 1:  # one line for one problem
        return f"mailops cannot start; fix this setting (environment or .env): {problems[0]}"
    lines = "\n".join(f"  - {problem}" for problem in problems)
    return f"mailops cannot start; fix these settings (environment or .env):\n{lines}"
