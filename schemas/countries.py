"""Countries: ISO 3166-1 records with their codes in other schemes and the spellings the API accepts."""

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
    # The same country in the schemes of other event data sets: UN M49 (equal to the ISO numeric
    # code), FIPS 10-4 as in GDELT's geography (none for the few places FIPS does not list) and
    # the CAMEO actor country code of GDELT, ICEWS and POLECAT.
    m49: str
    fips: str | None
    cameo: str


class CountryDetail(CountryOut, kw_only=True):
    aliases: list[str]


class CountryPage(msgspec.Struct, kw_only=True):
    items: list[CountryOut]
    next: str | None = None
