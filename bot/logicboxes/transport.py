"""HTTP to LogicBoxes: session, auth, retries, the command's deadline, a size cap, redaction.

The only place that touches `requests`. It answers with decoded JSON or a typed error, and
decides about retries from what the body says, never from the Content-Type (LogicBoxes labels
some JSON errors text/html): an ERROR body is an answer and is never retried; a 5xx page, an
empty 5xx or a dropped connection is retried for GETs only. POSTs are never retried.
"""

from __future__ import annotations

import json
import logging
import socket
import time
from dataclasses import dataclass
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import (
    ConnectTimeoutError,
    DecodeError,
    MaxRetryError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
)
from urllib3.util.retry import Retry

from bot.logicboxes.errors import (
    AccessDenied,
    ApiRefused,
    AuthenticationFailed,
    BadResponse,
    CannotConnect,
    LogicBoxesError,
    NotWhitelisted,
    UpstreamTimeout,
    UpstreamUnavailable,
    is_access_denied,
    is_auth_failure,
)
from bot.logicboxes.meanings import Meaning, meaning_of
from bot.logicboxes.wire import error_message
from bot.telemetry import metrics, trace
from bot.telemetry.logs import event, protect, redact

log = logging.getLogger("bot.logicboxes")

MAX_ANSWER_BYTES = 20_000_000  # a price list of every product is a few MB; far beyond that is not an answer
_CHUNK = 64 * 1024
_NOT_JSON = object()


@dataclass(frozen=True)
class ClientConfig:
    base_url: str
    auth_userid: int
    api_key: str
    connect_timeout: float = 3.05
    read_timeout: float = 10.0
    retries: int = 2
    order_ttl: float = 60
    dns_ttl: float = 600
    pricing_ttl: float = 3600
    breaker_failures: int = 3
    breaker_reset: float = 30.0
    regions: tuple[str, ...] = ("us", "in")
    max_answer_bytes: int = MAX_ANSWER_BYTES


class _Retryable(Exception):
    """Internal: this failure may go away if a GET is asked again."""

    def __init__(self, error: LogicBoxesError):
        self.error = error


class Transport:
    def __init__(self, config: ClientConfig):
        self.config = config
        protect("urllib3.connectionpool")  # it logs request URLs, api-key included, at debug level
        self.base = config.base_url.rstrip("/")
        self.session = requests.Session()
        # urllib3 itself never retries: retry decisions need the body, which it has not read yet.
        adapter = HTTPAdapter(
            max_retries=Retry(0, read=False, redirect=0, raise_on_status=False), pool_connections=4, pool_maxsize=64
        )
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers["User-Agent"] = "mailops-slack-bot"

    def url(self, path: str) -> str:
        return f"{self.base}/{path}.json"

    def call(self, method: str, path: str, params: list[tuple[str, Any]], where: str) -> Any:
        """One API call: decoded JSON, or a typed LogicBoxesError naming `where`."""
        attempts = 1 + (self.config.retries if method == "GET" else 0)
        for attempt in range(attempts):
            try:
                return self._once(method, path, params, where)
            except _Retryable as retry:
                backoff = min(0.2 * 2**attempt, 2.0)
                remaining = trace.current().remaining()
                if attempt + 1 >= attempts or (remaining is not None and remaining <= backoff):
                    raise retry.error from None
                time.sleep(backoff)
        raise AssertionError("unreachable")

    def get_raw(self, path: str, params: list[tuple[str, Any]], where: str) -> tuple[int, str, bytes]:
        """One GET, answered as it came: (HTTP status, content type, body), nothing decoded, for
        `doctor --record`. Only a failure to get any answer raises (typed, like every call)."""
        auth = [("auth-userid", self.config.auth_userid), ("api-key", self.config.api_key)]
        started = time.monotonic()
        timeout = (self.config.connect_timeout, self.config.read_timeout)
        try:
            response = self.session.get(self.url(path), params=auth + params, timeout=timeout, stream=True)
        except requests.exceptions.ReadTimeout:
            raise UpstreamTimeout(where, self.config.read_timeout) from None
        except requests.exceptions.RequestException as exc:  # str(exc) holds the api-key: never passed on
            failure = _connection_failure(exc, where)
            raise (failure.error if isinstance(failure, _Retryable) else failure) from None
        try:
            body = self._read(response, None, self.config.read_timeout, where, started)
        except _Retryable as retry:
            raise retry.error from None
        finally:
            response.close()
        return response.status_code, response.headers.get("Content-Type", ""), body

    def _once(self, method: str, path: str, params: list[tuple[str, Any]], where: str) -> Any:
        command = trace.current()
        remaining = command.remaining()
        if remaining is not None and remaining <= 0:
            raise UpstreamTimeout(where)
        started = time.monotonic()
        deadline = None if remaining is None else started + remaining
        read_timeout = self.config.read_timeout if remaining is None else min(self.config.read_timeout, remaining)
        auth = [("auth-userid", self.config.auth_userid), ("api-key", self.config.api_key)]
        payload = {"params": auth + params} if method == "GET" else {"data": auth + params}
        status, size, outcome = "-", 0, "ok"
        try:
            try:
                response = self.session.request(
                    method,
                    self.url(path),
                    timeout=(self.config.connect_timeout, read_timeout),
                    stream=True,
                    **payload,
                )
            except requests.exceptions.ReadTimeout:
                raise UpstreamTimeout(where, round(read_timeout, 1)) from None
            except requests.exceptions.RequestException as exc:
                # str(exc) holds the URL with the api-key: never pass it on
                raise _connection_failure(exc, where) from None
            status = str(response.status_code)
            try:
                body = self._read(response, deadline, read_timeout, where, started)
            finally:
                response.close()
            size = len(body)
            return self._decode(response.status_code, body, where, path)
        except (LogicBoxesError, _Retryable) as exc:
            error = exc.error if isinstance(exc, _Retryable) else exc
            status = status if status != "-" else type(error).__name__
            outcome = error.metric
            raise
        except BaseException:
            outcome = "crash"
            raise
        finally:
            command.upstream_calls += 1
            command.upstream_status = status
            endpoint = path.replace(f"/{where}/", "/", 1)  # the region is a label of its own
            elapsed = time.monotonic() - started
            metrics.UPSTREAM_CALLS.labels(where, endpoint, outcome).inc()
            metrics.UPSTREAM_SECONDS.labels(where, endpoint).observe(elapsed)
            event(
                log,
                "upstream",
                method=method,
                where=where,
                call=path,
                status=status,
                bytes=size,
                ms=round(elapsed * 1000),
            )

    def _read(
        self, response: requests.Response, deadline: float | None, read_timeout: float, where: str, started: float
    ) -> bytes:
        """The body, read in pieces so that the command's deadline bounds the whole answer (a
        read timeout alone is reset by every byte that trickles in) and a huge answer is refused
        without reading it all."""
        cap = self.config.max_answer_bytes
        declared = response.headers.get("Content-Length", "")
        if declared.isascii() and declared.isdigit() and int(declared) > cap:
            raise BadResponse(where, f"an answer of {int(declared):,} bytes, over the {cap:,}-byte limit")
        raw = response.raw
        chunks: list[bytes] = []
        size = 0
        while True:
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise UpstreamTimeout(where, round(time.monotonic() - started, 1))
                sock = getattr(getattr(raw, "connection", None), "sock", None)
                if isinstance(sock, socket.socket):
                    sock.settimeout(max(min(read_timeout, left), 0.01))
            try:
                chunk = raw.read1(_CHUNK, decode_content=True)
            except ReadTimeoutError:
                raise UpstreamTimeout(where, round(time.monotonic() - started, 1)) from None
            except (ProtocolError, DecodeError, OSError) as exc:
                raise _Retryable(
                    CannotConnect(where, f"connection dropped mid-answer, {_reason(exc)}", sent=True)
                ) from None
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > cap:
                raise BadResponse(where, f"an answer over the {cap:,}-byte limit")
            chunks.append(chunk)

    @staticmethod
    def _decode(status: int, body: bytes, where: str, call: str = "") -> Any:
        try:
            data = json.loads(body) if body.strip() else _NOT_JSON
        except RuntimeError:  # RecursionError, or the interpreter's other depth guards
            raise BadResponse(where, "JSON nested too deeply") from None
        except ValueError:
            data = _NOT_JSON
        message = error_message(data)
        if message is not None:  # an answer, whatever the HTTP status or Content-Type says
            message = redact(message)
            meaning = meaning_of(message, call)  # one table: bot.logicboxes.meanings
            if meaning is Meaning.ACCESS_DENIED:
                raise AccessDenied(where, status)
            if meaning is Meaning.AUTHENTICATION:
                raise AuthenticationFailed(message, where, status)
            raise ApiRefused(message, where, status, meaning)
        if status in (400, 401) and is_auth_failure(body[:2000].decode("utf-8", "replace")):
            raise AuthenticationFailed("Authentication failure", where, status)
        if status == 403:
            page = body[:4000].decode("utf-8", "replace")
            raise AccessDenied(where, status) if is_access_denied(page) else NotWhitelisted(where)
        if status >= 500:
            why = f"HTTP {status} error page" if data is _NOT_JSON else f"HTTP {status}"
            raise _Retryable(UpstreamUnavailable(where, why, http_status=status))
        if status >= 400:
            raise UpstreamUnavailable(where, f"HTTP {status}", http_status=status)
        if data is _NOT_JSON:
            raise BadResponse(where, f"HTTP {status}, not JSON")
        return data


def _connection_failure(exc: requests.exceptions.RequestException, where: str) -> _Retryable | LogicBoxesError:
    """Name what failed. A failure before the request left (refused, TLS, connect timeout) sent
    nothing; a connection dropped afterwards may have delivered it."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return _Retryable(CannotConnect(where, "connection timed out"))
    if isinstance(exc, requests.exceptions.SSLError):
        return _Retryable(CannotConnect(where, "TLS handshake failed"))
    if isinstance(exc, requests.exceptions.ConnectionError):
        cause = exc.args[0] if exc.args else None
        cause = cause.reason if isinstance(cause, MaxRetryError) else cause
        at_connect = isinstance(cause, NewConnectionError | ConnectTimeoutError)
        return _Retryable(CannotConnect(where, _reason(cause or exc), sent=not at_connect))
    return UpstreamUnavailable(where, "request failed")


def _reason(exc: BaseException | None) -> str:
    """A few words for a network failure, from the exception chain (never its text: it holds the URL)."""
    chain: list[BaseException] = []
    while exc is not None and len(chain) < 10:
        chain.append(exc)
        inner = [arg for arg in exc.args if isinstance(arg, BaseException)]
        exc = inner[0] if inner else (exc.__cause__ or exc.__context__)
    named = [
        (ConnectionRefusedError, "connection refused"),
        (ConnectionResetError, "connection reset"),
        (socket.gaierror, "host name not found"),
    ]
    for kind, words in named:
        if any(isinstance(link, kind) for link in chain):
            return words
    if any(type(link).__name__ == "RemoteDisconnected" for link in chain):
        return "closed without an answer"
    # NewConnectionError subclasses ConnectTimeoutError in urllib3 2: only a real timeout says so
    if any(isinstance(link, TimeoutError) or type(link) is ConnectTimeoutError for link in chain):
        return "connection timed out"
    return "network error"
