"""Shapes and vocabularies shared by several resources."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

import msgspec
from msgspec import Meta

Id = Annotated[
    str,
    Meta(
        pattern=r"^[a-z0-9][a-z0-9-]{0,127}$",
        description="Stable identifier: lower-case letters, digits and hyphens.",
        examples=["ev-2026-01-05-lee-xi-summit"],
    ),
]


def check_dates(record: object, *names: str) -> None:
    """Refuse 0001-01-01 and 9999-12-31 in a body.

    asyncpg stores Python's `date.min` and `date.max` as PostgreSQL's -infinity and infinity, so
    a stored revision would hold "-infinity" where a date belongs and could not be served again.
    """
    for name in names:
        value = getattr(record, name)
        if value is not None and value in (dt.date.min, dt.date.max):
            raise ValueError(f"{name}: must lie between 0001-01-02 and 9999-12-30")


CountryCode = Annotated[str, Meta(description="ISO 3166-1 alpha-2 code.", examples=["KR"])]
PairKey = Annotated[
    str,
    Meta(description="The two alpha-2 codes of a pair, sorted and joined by '-'.", examples=["CN-KR"]),
]


class Precision(StrEnum):
    """How precisely a date is known: 2017 with precision `year` means some day in 2017."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


class Sector(StrEnum):
    AGRICULTURE = "agriculture"
    AUTOMOTIVE = "automotive"
    CONSUMER_GOODS = "consumer_goods"
    CONTENT = "content"
    COSMETICS = "cosmetics"
    CULTURE = "culture"
    DEFENCE = "defence"
    DIPLOMACY = "diplomacy"
    DUAL_USE = "dual_use"
    E_COMMERCE = "e_commerce"
    ENERGY = "energy"
    FINANCE = "finance"
    FOOD = "food"
    HEALTH = "health"
    MANUFACTURING = "manufacturing"
    MINERALS = "minerals"
    MOBILITY = "mobility"
    ROBOTICS = "robotics"
    SEMICONDUCTORS = "semiconductors"
    TECHNOLOGY = "technology"
    TOURISM = "tourism"
    TRADE = "trade"


class Citation(msgspec.Struct, kw_only=True):
    """A source backing a fact, with who the source attributes the fact to."""

    source_id: str
    title: str
    publisher: str
    original_publisher: str | None = None
    published_on: dt.date
    url: str | None = None
    attribution: str | None = None


# gc=False here and on the other leaf structs of imported records: they hold no containers, so
# they can never close a reference cycle, and a bulk import decodes millions of them.
class CitationIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, gc=False):
    source_id: Id
    attribution: Annotated[str, Meta(max_length=500)] | None = None


class Quantity(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, gc=False):
    """A figure reported about a fact: attendance, company counts, years since."""

    name: Annotated[str, Meta(pattern=r"^[a-z][a-z0-9_]*$", examples=["participants"])]
    value: Decimal
    unit: str | None = None
    approximate: bool = False
    note: str | None = None


class ProblemError(msgspec.Struct, kw_only=True, omit_defaults=True):
    """One thing wrong with a request: where, and what."""

    location: str
    name: str
    message: str
    suggestions: list[str] | None = None


class Problem(msgspec.Struct, kw_only=True, omit_defaults=True):
    """An RFC 9457 problem document; every 4xx and 5xx has this shape."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[ProblemError] | None = None
