"""Facet counts: how many items of a filtered list have each value of a field."""

from __future__ import annotations

from enum import StrEnum

import msgspec


class EventFacet(StrEnum):
    TYPE = "type"
    COUNTRY = "country"
    YEAR = "year"
    SECTOR = "sector"
    STATUS = "status"


class DealFacet(StrEnum):
    KIND = "kind"
    COUNTRY = "country"
    YEAR = "year"
    SECTOR = "sector"
    STATUS = "status"


class FacetCount(msgspec.Struct, kw_only=True):
    value: str
    count: int


# Facet name -> its values, most frequent first (years: latest first); sent only when asked for.
Facets = dict[str, list[FacetCount]]
