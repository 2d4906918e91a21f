"""Relationship status: how a pair of countries stands, period by period."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

import msgspec
from msgspec import Meta

from schemas.common import Citation, CitationIn, Id, Precision, check_dates
from schemas.countries import CountryOut


class Status(StrEnum):
    """An ordinal scale, worst first: `status_rank` is 0 for hostile up to 5 for close."""

    HOSTILE = "hostile"
    FROZEN = "frozen"
    STRAINED = "strained"
    NORMAL = "normal"
    CORDIAL = "cordial"
    CLOSE = "close"


class Trend(StrEnum):
    DETERIORATING = "deteriorating"
    STEADY = "steady"
    IMPROVING = "improving"


class DriverEvent(msgspec.Struct, kw_only=True):
    id: str
    title: str
    start_date: dt.date


class PeriodOut(msgspec.Struct, kw_only=True):
    """A status that held for a pair from `valid_from` up to (not including) `valid_to`."""

    id: str
    pair: str
    country_a: str
    country_b: str
    valid_from: dt.date
    valid_from_precision: Precision
    valid_to: dt.date | None
    status: Status
    status_rank: int
    trend: Trend
    summary: str
    events: list[DriverEvent]
    sources: list[Citation]
    created_at: dt.datetime
    updated_at: dt.datetime
    revision: int


class PeriodPage(msgspec.Struct, kw_only=True):
    as_of: dt.date
    items: list[PeriodOut]
    next: str | None = None


class RelationshipOut(msgspec.Struct, kw_only=True):
    """A pair's status on `as_of` (null when no curated status covers that day) and its history."""

    pair: str
    countries: list[CountryOut]
    as_of: dt.date
    current: PeriodOut | None
    history: list[PeriodOut]
    # The event-derived counterpart of `current`, computed from the events on file now.
    index: RelationshipIndex | None = None


class PeriodBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """What a client sends to create one; the service assigns the id."""

    country_a: str
    country_b: str
    valid_from: dt.date
    valid_from_precision: Precision = Precision.DAY
    valid_to: dt.date | None = None
    status: Status
    trend: Trend
    summary: Annotated[str, Meta(min_length=1, max_length=5000)]
    event_ids: list[Id] = []
    sources: Annotated[list[CitationIn], Meta(min_length=1)]

    def __post_init__(self) -> None:
        check_dates(self, "valid_from", "valid_to")


class PeriodIn(PeriodBody, kw_only=True):
    """A full record with its id, as imported, exported and seeded."""

    id: Id


class IndexValue(msgspec.Struct, kw_only=True):
    """The derived index of one direction (or of both) on a day: see `RelationshipIndex`."""

    value: Annotated[float, Meta(ge=-10, le=10, description="Decayed mean Goldstein score, -10 to +10.")]
    weight: Annotated[float, Meta(ge=0, description="Decayed event count behind the value (W).")]
    events: Annotated[int, Meta(ge=0, description="Events dated on or before the day that were counted.")]


class RelationshipIndex(msgspec.Struct, kw_only=True):
    """What the event stream says about a pair on `as_of`: value = S / (W + prior_weight), where
    S sums each counted event's Goldstein score times exp(-age_days / tau_days) and W sums the
    weights alone. Directions follow the canonical order: `a_to_b` is `a` acting on `b`.
    """

    as_of: dt.date
    method: str
    tau_days: float
    prior_weight: float
    a: str
    b: str
    undirected: IndexValue
    a_to_b: IndexValue
    b_to_a: IndexValue
