"""Logging: plain text or JSON lines, a correlation id on every line, secrets redacted.

The redaction runs as a filter on our handler *and* on the urllib3 logger, because urllib3
logs request URLs (with `api-key=` in the query string) at debug level.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote, quote_plus

from bot.telemetry import trace

_SECRETS = [
    re.compile(r"(api-key=)[^&\s'\"]+", re.IGNORECASE),
    re.compile(r"(['\"]api-key['\"],\s*['\"])[^'\"]+", re.IGNORECASE),
    re.compile(r"()xox[abposer]-[A-Za-z0-9-]+"),
    re.compile(r"()xapp-[A-Za-z0-9-]+"),
    # a password in any URL (a proxy's, a database's): scheme://user:***@host
    re.compile(r"([a-z][a-z0-9+.\-]*://[^:/@\s]*:)[^@\s/]+(?=@)", re.IGNORECASE),
    # a query parameter named like a secret (a DATABASE_URL's ?password=, ?sslpassword=, a ?token=)
    re.compile(r"([?&][^=&\s]*(?:pass|pwd|secret|token)[^=&\s]*=)[^&\s'\"]+", re.IGNORECASE),
]
PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")
_extra_secrets: set[str] = set()


def register_secret(value: str | None) -> None:
    """Remember a configured secret so it is masked wherever it shows up (signing secret too)."""
    if value and len(value) >= 4:
        _extra_secrets.add(value)


def redact(text: str) -> str:
    """Exact secret values first, raw and URL-encoded (a key holding `&` would otherwise leave its
    tail behind a pattern that stops at `&`), then the patterns for secrets we were not told of."""
    for secret in sorted(_extra_secrets, key=len, reverse=True):
        for form in {secret, quote(secret, safe=""), quote_plus(secret)}:
            text = text.replace(form, "***")
    for pattern in _SECRETS:
        text = pattern.sub(r"\1***", text)
    return text


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        record.cid = trace.current().cid if trace._current.get() is not None else "-"
        return True


def event(logger: logging.Logger, name: str, **fields: object) -> None:
    """One line for one thing that happened: `name k=v ...` as text, an object of fields as JSON."""
    text = " ".join([name, *(f"{key}={value}" for key, value in fields.items())])
    logger.info(text, extra={"event": name, "fields": fields})


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + "Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "cid": getattr(record, "cid", "-"),
            "msg": getattr(record, "event", None) or record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exc"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(cid)s] %(message)s")

    def formatException(self, ei) -> str:  # noqa: N802 (logging's name)
        return redact(super().formatException(ei))


def protect(logger_name: str) -> None:
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, RedactingFilter) for f in logger.filters):
        logger.addFilter(RedactingFilter())


def fatal(text: str) -> None:
    """Why the process cannot go on, to stderr: one JSON object when LOG_FORMAT=json (read from the
    environment: the settings may be what failed), so that every line the process writes parses."""
    import os

    line = redact(text)
    if os.environ.get("LOG_FORMAT", "").strip().lower() == "json":
        ts = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + "Z"
        line = json.dumps({"ts": ts, "level": "critical", "logger": "bot", "cid": "-", "msg": line})
    print(line, file=sys.stderr, flush=True)


def register_proxy_secrets() -> None:
    """The proxy's password from the environment, masked before any library logs the proxy URL
    (slack_sdk does, at DEBUG, the first time it builds a request)."""
    import os
    from urllib.parse import urlsplit

    for name in PROXY_VARIABLES:
        try:
            register_secret(urlsplit(os.environ.get(name, "")).password)
        except ValueError:  # a malformed proxy URL: the pattern for URL passwords still masks it
            continue


@contextmanager
def quiet(*names: str) -> Iterator[None]:
    """Silence libraries' own logging for a moment (start-up: slack_sdk logs every retry of an
    unreachable Slack, and the caller says it once, in one line)."""
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def configure_logging(level: str = "INFO", fmt: str = "text") -> None:
    register_proxy_secrets()
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("urllib3", "urllib3.connectionpool", "slack_sdk", "slack_bolt"):
        protect(name)
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # seven lines of nothing per start
