"""Nothing unsigned acts: Slack's signature is checked before anything reads the body.

slack_sdk's `SignatureVerifier` raises on a timestamp that is not an integer (`int("abc")`), and
Bolt hands whatever a middleware raises to the error boundary, which then acted on the unsigned
body (dialled its response_url, messaged the user it named). Here a check that cannot be made is
a check that failed: `is_signed` never raises, and anything short of Slack's exact form (ASCII
digits for the timestamp, `v0=` and 64 hex digits for the signature) is refused before any HMAC.

The same check runs twice on HTTP: in the WSGI app, before Bolt parses the body, and as the first
Bolt middleware (`Verification`), so that a request dispatched into the app by any other way is
held to it too. Socket Mode's envelopes come over a socket Slack authenticated: no signature.

Defence in depth: a response_url is dialled only at Slack's origin (`https://hooks.slack.com`,
or SLACK_API_URL's where that is set); any other is dropped from the request before a listener
sees it, so `respond()` has nowhere to go.
"""

from __future__ import annotations

import hmac
import logging
import re
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware
from slack_sdk.signature import SignatureVerifier

log = logging.getLogger(__name__)

SLACK_HOOKS = "https://hooks.slack.com"
MAX_AGE = 300  # seconds: Slack's own bound for a request's timestamp
VERIFIED = "mailops_verified"  # the context key the boundary reads: only verified requests are acted on

_TIMESTAMP = re.compile(
    r"[0-9]{1,12}"
)  # ASCII digits only: int() also takes "+1", " 1", "1_0" and other scripts' digits
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


def is_signed(
    secret: str, body: str | bytes, timestamp: Any, signature: Any, now: Callable[[], float] = time.time
) -> bool:
    """Is this Slack's signature of `body`, made within MAX_AGE? False for anything malformed; never raises."""
    try:
        if not secret or not isinstance(timestamp, str) or not isinstance(signature, str):
            return False
        if not _TIMESTAMP.fullmatch(timestamp) or not _SIGNATURE.fullmatch(signature):
            return False
        if abs(now() - int(timestamp)) > MAX_AGE:
            return False
        raw = body if isinstance(body, bytes) else body.encode("utf-8")
        if isinstance(body, bytes):
            raw.decode("utf-8")  # Slack signs UTF-8 text; anything else is not from Slack
        expected = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=raw.decode("utf-8"))
        return expected is not None and hmac.compare_digest(expected, signature)
    except Exception:  # a check that cannot be made has failed
        return False


def origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of a URL, or None when it has none."""
    try:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return None
        return parts.scheme, parts.hostname.lower(), parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return None


def slack_origins(slack_api_url: str | None) -> frozenset[tuple[str, str, int]]:
    """Where a response_url may point: Slack's hooks, and SLACK_API_URL's origin (a test's or a proxy's Slack)."""
    found = {origin(SLACK_HOOKS)}
    if slack_api_url:
        found.add(origin(slack_api_url))
    return frozenset(o for o in found if o is not None)


def refused(size: int, why: str) -> None:
    """One line for a refused request: its size and why, never a byte of its body or headers."""
    log.warning("refused a request that is not verifiably from Slack (%s, %d bytes): HTTP 401", why, size)


class Verification(Middleware):
    """Bolt's first middleware: the signature (HTTP), Slack's ssl_check, and response_urls at Slack's origin."""

    def __init__(self, signing_secret: str, allowed: Iterable[tuple[str, str, int]]):
        self._secret = signing_secret
        self._allowed = frozenset(allowed)

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> BoltResponse:
        if req.mode != "socket_mode":
            timestamp = (req.headers.get("x-slack-request-timestamp") or [None])[0]
            signature = (req.headers.get("x-slack-signature") or [None])[0]
            if not is_signed(self._secret, req.raw_body, timestamp, signature):
                refused(len(req.raw_body or ""), "signature")
                return BoltResponse(status=401, body="invalid request")
        req.context[VERIFIED] = True
        body = req.body if isinstance(req.body, dict) else {}
        if body.get("ssl_check") == "1":  # Slack checking the certificate of a slash command's URL
            return BoltResponse(status=200, body="")
        self._keep_slack_urls(req)
        return next()

    def _keep_slack_urls(self, req: BoltRequest) -> None:
        """Drop a response_url that is not Slack's: respond() then has nowhere to go (and says so)."""
        url = req.context.get("response_url")
        if isinstance(url, str) and origin(url) not in self._allowed:
            log.warning("ignored a response_url that is not Slack's (origin %s)", _shown(url))
            req.context["response_url"] = None
            req.context.pop("respond", None)
        body = req.body if isinstance(req.body, dict) else {}
        if isinstance(body.get("response_url"), str) and origin(body["response_url"]) not in self._allowed:
            body.pop("response_url")
        urls = body.get("response_urls")
        if isinstance(urls, list):
            body["response_urls"] = [
                u for u in urls if isinstance(u, dict) and origin(str(u.get("response_url"))) in self._allowed
            ]


def _shown(url: str) -> str:
    """scheme://host:port of a URL, for a log line (never its path: a response_url is a credential)."""
    found = origin(url)
    return "none" if found is None else f"{found[0]}://{found[1]}:{found[2]}"
