"""Typed LogicBoxes failures. Each carries data (where, HTTP status, the API's own message) and
builds the one sentence a Slack user is shown, here and nowhere else.

`where` names what answered: a region (`us`, `in`) for Enterprise Email and order calls, or the
API area (`prices`, `customers`) for calls that belong to no region.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.logicboxes.meanings import Meaning, meaning_of

WHITELIST_FIX = (
    "add this server's public IP address under Settings > API in the reseller control panel "
    "(up to 3 addresses; it can take an hour to apply)"
)
CREDENTIALS_FIX = "check RESELLER_AUTH_USERID and RESELLER_API_KEY (Settings > API in the reseller control panel)"


def label(where: str | None) -> str:
    """ "LogicBoxes us" for a region, "LogicBoxes (prices)" for an API area."""
    if not where:
        return "LogicBoxes"
    return f"LogicBoxes {where}" if len(where) <= 2 or "," in where else f"LogicBoxes ({where})"


class LogicBoxesError(Exception):
    """Base of every failure; str(exc) is one plain sentence fit to show a Slack user."""

    counts_as_outage = False  # does it count towards opening the region's circuit breaker?
    sent = True  # might LogicBoxes have received the request? (False: nothing left this server)
    metric = "error"  # the outcome label of mailops_upstream_calls_total

    def __init__(self, sentence: str, where: str | None = None, http_status: int | None = None):
        super().__init__(sentence)
        self.where = where
        self.http_status = http_status


def describe_unavailable(unavailable: dict[str, str]) -> str:
    """ "us unavailable (timed out); in unavailable (...)": how every message names regions that failed."""
    return "; ".join(f"{region} unavailable ({why})" for region, why in unavailable.items())


class OrderNotFound(LogicBoxesError):
    """No region holds the order. `unavailable` names regions that could not be asked."""

    metric = "not_found"

    def __init__(self, target: str, searched: Iterable[str], unavailable: dict[str, str] | None = None):
        self.target = target
        self.searched = list(searched)
        self.unavailable = dict(unavailable or {})
        down = describe_unavailable(self.unavailable)
        if self.unavailable and self.searched:
            text = f"No Enterprise Email order for {target} in {', '.join(self.searched)}; {down}. Try again shortly."
        elif self.unavailable:
            text = f"Could not look up {target}: {down}. Try again shortly."
        else:
            text = f"No Enterprise Email order for {target} in {', '.join(self.searched)}."
        super().__init__(text)


class CustomerNotFound(LogicBoxesError):
    """No customer has this login, this id, or this name or company."""

    metric = "not_found"

    def __init__(self, what: str):
        self.what = what
        super().__init__(f"No customer {what} at LogicBoxes.")


class ApiRefused(LogicBoxesError):
    """LogicBoxes answered, and the answer was an error: its own message is shown."""

    sent = False  # an ERROR answer means LogicBoxes did not act
    metric = "refused"

    def __init__(
        self, message: str, where: str | None = None, http_status: int | None = None, meaning: Meaning | None = None
    ):
        self.api_message = message
        self.meaning = meaning or meaning_of(message)  # what it means for the call that answered it
        where_text = f" ({where})" if where else ""
        super().__init__(f"LogicBoxes{where_text} refused the request: {message}", where, http_status)


class AuthenticationFailed(ApiRefused):
    """The reseller id or API key is wrong (HTTP 400 "Authentication failure")."""

    metric = "auth_failed"

    def __init__(self, message: str, where: str | None = None, http_status: int | None = None):
        super().__init__(message, where, http_status, Meaning.AUTHENTICATION)
        Exception.__init__(
            self,
            f"{label(where)} rejected the reseller id or API key ({message}): {CREDENTIALS_FIX}.",
        )


class NotWhitelisted(LogicBoxesError):
    sent = False
    metric = "not_whitelisted"

    def __init__(self, where: str | None = None):
        super().__init__(
            f"{label(where)} refused this server's IP address (HTTP 403, IP not whitelisted): {WHITELIST_FIX}.",
            where,
            403,
        )


class AccessDenied(NotWhitelisted):
    """ "Access Denied. You are not authorized to perform this action.": reported for a caller whose IP
    is not whitelisted, and plausibly for a record outside this reseller account; its HTTP status and
    format are not recorded, so it is recognised in an ERROR body and in an error page alike.
    `python -m bot doctor` tells the two apart with one account-wide read."""

    metric = "access_denied"

    def __init__(self, where: str | None = None, http_status: int | None = None):
        LogicBoxesError.__init__(
            self,
            f'{label(where)} answered "Access Denied": this server\'s IP may not be whitelisted in LogicBoxes, '
            f"or the record is not in your account. If it is the IP: {WHITELIST_FIX}; `python -m bot doctor` "
            "tells which.",
            where,
            http_status,
        )


class UpstreamTimeout(LogicBoxesError):
    counts_as_outage = True
    metric = "timeout"

    def __init__(self, where: str | None, seconds: float | None = None):
        self.seconds = seconds
        after = f" after {seconds:g}s" if seconds else ""
        super().__init__(f"{label(where)} timed out{after}; try again in a minute.", where)


class UpstreamUnavailable(LogicBoxesError):
    counts_as_outage = True
    metric = "unavailable"

    def __init__(self, where: str | None, why: str, retry_in: float | None = None, http_status: int | None = None):
        self.why = why
        self.retry_in = retry_in
        super().__init__(f"{label(where)} is unavailable: {why}.", where, http_status)


class CannotConnect(UpstreamUnavailable):
    """The connection failed before a request was sent (refused, reset, TLS, connect timeout).

    LogicBoxes drops connections from addresses it does not whitelist, so the fix is named too.
    """

    sent = False
    metric = "unreachable"

    def __init__(self, where: str | None, reason: str, sent: bool = False):
        super().__init__(where, f"could not connect ({reason})")
        self.reason = reason
        self.sent = sent  # a connection dropped after the request went out may have delivered it
        Exception.__init__(
            self,
            f"{label(where)}: could not connect ({reason}); if the address is right, this server's IP may not "
            f"be whitelisted: {WHITELIST_FIX}.",
        )


class BreakerOpen(UpstreamUnavailable):
    """Answered at once while a region keeps failing, instead of hammering it."""

    counts_as_outage = False
    sent = False
    metric = "breaker_open"

    def __init__(self, where: str | None, retry_in: float):
        super().__init__(where, "not responding", retry_in)
        Exception.__init__(self, f"{label(where)} is not responding; retrying in {max(1, round(retry_in))}s.")


class BadResponse(LogicBoxesError):
    metric = "bad_answer"

    def __init__(self, where: str | None, what: str):
        self.what = what
        super().__init__(f"{label(where)} sent an unreadable answer ({what}).", where)


class PriceListMissing(LogicBoxesError):
    """A price list answered without the product asked for: say so, never guess from another list."""

    metric = "missing_prices"

    def __init__(self, price_list: str, product_key: str):
        self.price_list, self.product_key = price_list, product_key
        super().__init__(f"LogicBoxes' {price_list} has no Enterprise Email prices for {product_key}.", "prices")


def is_not_found(exc: LogicBoxesError) -> bool:
    """LogicBoxes said there is no such thing (bot.logicboxes.meanings), and nothing else did."""
    return isinstance(exc, ApiRefused) and exc.meaning is Meaning.NOT_FOUND


def is_auth_failure(message: str) -> bool:
    return meaning_of(message) is Meaning.AUTHENTICATION


def is_access_denied(text: str) -> bool:
    return meaning_of(text) is Meaning.ACCESS_DENIED
