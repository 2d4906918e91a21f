"""Pairs: one page about two countries, from both directions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import msgspec

from schemas.countries import CountryOut
from schemas.deals import DealKind, DealOut, ValueBasis
from schemas.events import EventOut
from schemas.relationships import PeriodOut, Status, Trend


class PairSummary(msgspec.Struct, kw_only=True):
    pair: str
    country_a: str
    country_b: str
    name: str
    event_count: int
    deal_count: int
    last_activity: dt.date
    status: Status | None
    trend: Trend | None


class PairPage(msgspec.Struct, kw_only=True):
    items: list[PairSummary]
    next: str | None = None


class DealTotal(msgspec.Struct, kw_only=True):
    """USD totals for one kind, year and basis; targets are never added to actual totals."""

    kind: DealKind
    year: int
    basis: ValueBasis | None
    deals: int
    instruments: int
    total_usd: Decimal
    without_usd: int


class PairCounts(msgspec.Struct, kw_only=True):
    events: int
    deals: int
    instruments: int


class PairOut(msgspec.Struct, kw_only=True):
    pair: str
    name: str
    countries: list[CountryOut]
    as_of: dt.date
    relationship: PeriodOut | None
    counts: PairCounts
    deal_totals: list[DealTotal]
    latest_events: list[EventOut]
    latest_deals: list[DealOut]
