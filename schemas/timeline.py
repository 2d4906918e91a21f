"""A pair's timeline: one bucket per day, week, month or year, with the status and index in force."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

import msgspec
from msgspec import Meta

from schemas.common import CountryCode, PairKey
from schemas.relationships import Status, Trend


class Interval(StrEnum):
    """Calendar buckets; a week is an ISO week, Monday to Sunday."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


class TimelineFormat(StrEnum):
    JSON = "json"
    CSV = "csv"


class IndexMethod(msgspec.Struct, kw_only=True):
    """How the `index*` columns are computed (README: "The relationship index")."""

    method: str
    tau_days: float
    prior_weight: float


class Bucket(msgspec.Struct, kw_only=True):
    """One interval, `start` to `end` (both inclusive). Counts cover events that took place
    (occurred or ongoing), dated on their first day; `a_to_b` counts those `a` initiated against
    `b`. Status and index are those in force on `as_of`: `end`, or today for a bucket in progress.
    """

    start: dt.date
    end: dt.date
    as_of: dt.date
    events: int
    verbal_cooperation: int
    material_cooperation: int
    verbal_conflict: int
    material_conflict: int
    a_to_b: int
    b_to_a: int
    goldstein_sum: float
    goldstein_mean: float | None
    deals: int
    deal_usd: Annotated[Decimal, Meta(description="USD value of actual and estimated totals signed.")]
    deal_usd_targets: Annotated[Decimal, Meta(description="USD value of targets and ceilings announced.")]
    status: Status | None
    trend: Trend | None
    period_id: str | None
    index: float
    index_weight: float
    index_a_to_b: float
    index_b_to_a: float


class TimelineOut(msgspec.Struct, kw_only=True):
    """A pair's activity bucket by bucket; every bucket of the range is present, empty ones with zeros."""

    pair: PairKey
    a: CountryCode
    b: CountryCode
    interval: Interval
    start: dt.date
    end: dt.date
    index: IndexMethod
    buckets: list[Bucket]
