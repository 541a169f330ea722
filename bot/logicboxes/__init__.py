"""The LogicBoxes client: the only code that speaks HTTP to LogicBoxes.

errors (typed failures and their sentences), models (dataclasses), wire (pure parsing of the
recorded answer shapes), resilience (single-flight cache, breaker), transport (session,
retries, deadline, size cap) and client (endpoints to models). Callers import from here.
"""

from bot.logicboxes.client import CUSTOMERS, MAX_RECORDS, PRICE_LISTS, PRICES, LogicBoxes
from bot.logicboxes.errors import (
    CREDENTIALS_FIX,
    WHITELIST_FIX,
    AccessDenied,
    ApiRefused,
    AuthenticationFailed,
    BadResponse,
    BreakerOpen,
    CannotConnect,
    LogicBoxesError,
    NotWhitelisted,
    OrderNotFound,
    PriceListMissing,
    UpstreamTimeout,
    UpstreamUnavailable,
    describe_unavailable,
    is_not_found,
)
from bot.logicboxes.models import (
    ActionPage,
    ActionResult,
    Customer,
    DnsRecord,
    Order,
    OrderSummary,
    PriceBand,
    PriceTable,
    QueuedAction,
    SearchPage,
    describe_action,
    speaks_of_payment,
)
from bot.logicboxes.resilience import CircuitBreaker, Memo
from bot.logicboxes.transport import ClientConfig

__all__ = [
    "CREDENTIALS_FIX",
    "CUSTOMERS",
    "MAX_RECORDS",
    "PRICES",
    "PRICE_LISTS",
    "WHITELIST_FIX",
    "AccessDenied",
    "ActionPage",
    "ActionResult",
    "ApiRefused",
    "AuthenticationFailed",
    "BadResponse",
    "BreakerOpen",
    "CannotConnect",
    "CircuitBreaker",
    "ClientConfig",
    "Customer",
    "DnsRecord",
    "LogicBoxes",
    "LogicBoxesError",
    "Memo",
    "NotWhitelisted",
    "Order",
    "OrderNotFound",
    "OrderSummary",
    "PriceBand",
    "PriceListMissing",
    "PriceTable",
    "QueuedAction",
    "SearchPage",
    "UpstreamTimeout",
    "UpstreamUnavailable",
    "describe_action",
    "describe_unavailable",
    "is_not_found",
    "speaks_of_payment",
]
