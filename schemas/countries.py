"""Countries: ISO 3166-1 records with the spellings the API accepts for them."""

from __future__ import annotations

import msgspec


class CountryOut(msgspec.Struct, kw_only=True):
    code: str
    alpha3: str
    numeric: str
    name: str
    official_name: str | None = None
    common_name: str | None = None
    capital: str | None = None


class CountryDetail(CountryOut, kw_only=True):
    aliases: list[str]


class CountryPage(msgspec.Struct, kw_only=True):
    items: list[CountryOut]
    next: str | None = None
