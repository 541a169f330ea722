"""The one place that knows the unit of LogicBoxes' Enterprise Email prices."""

from __future__ import annotations

from decimal import Decimal

PRICE_UNIT = "per account per month"
"""The price table's unit. The API docs do not say; third-party integrations and the control
panel treat it as per account per month. This constant and `quote_total` are the only places
that assume it."""


def quote_total(unit_price: Decimal, accounts: int, months: int) -> Decimal:
    """Total before rounding: unit price x accounts x months (see PRICE_UNIT)."""
    return unit_price * accounts * months
