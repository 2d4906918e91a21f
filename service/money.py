"""US-dollar values for deals: the source's own figure, or the ECB reference rate of the day."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from functools import cache, lru_cache

import msgspec
from currency_converter import CurrencyConverter, RateNotFoundError

# How far back to look for a published rate (weekends, TARGET holidays).
MAX_LOOKBACK_DAYS = 10
CENT = Decimal("0.01")
RATE_DIGITS = 12


class UsdValue(msgspec.Struct, frozen=True, kw_only=True):
    usd: Decimal | None
    method: str | None
    rate: Decimal | None = None
    rate_date: dt.date | None = None
    note: str | None = None


@cache
def _converter() -> CurrencyConverter:
    # The package ships the ECB history; no network is used.
    return CurrencyConverter(fallback_on_missing_rate=False, fallback_on_wrong_date=False)


# Bundled data, so a pure function: a bulk load asks for the same few thousand (currency, day)
# pairs again and again.
@lru_cache(maxsize=65_536)
def ecb_rate(currency: str, on: dt.date) -> tuple[Decimal, dt.date] | None:
    """USD per unit of `currency` on `on`, or the nearest earlier business day that has one."""
    converter = _converter()
    if currency not in converter.currencies or "USD" not in converter.currencies:
        return None
    for back in range(MAX_LOOKBACK_DAYS + 1):
        day = on - dt.timedelta(days=back)
        try:
            # ECB publishes units per euro; their ratio is the cross rate, kept in exact decimals.
            per_euro = Decimal(repr(converter.convert(1, "EUR", currency, date=day)))
            usd_per_euro = Decimal(repr(converter.convert(1, "EUR", "USD", date=day)))
        except RateNotFoundError:
            continue
        with localcontext() as ctx:
            ctx.prec = RATE_DIGITS
            return usd_per_euro / per_euro, day
    return None


def usd_value(amount: Decimal, currency: str, on: dt.date, reported_usd: Decimal | None) -> UsdValue:
    if reported_usd is not None:
        return UsdValue(usd=reported_usd, method="reported")
    if currency == "USD":
        return UsdValue(usd=amount, method="reported")
    found = ecb_rate(currency, on)
    if found is None:
        return UsdValue(
            usd=None,
            method=None,
            note=f"the ECB series has no {currency} rate on or shortly before {on.isoformat()}",
        )
    rate, day = found
    usd = (amount * rate).quantize(CENT, rounding=ROUND_HALF_EVEN)
    return UsdValue(usd=usd, method="ecb", rate=rate, rate_date=day)
