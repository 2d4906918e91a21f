"""Reference data from maintained packages: ISO 3166 countries, capitals, ISO 4217 currencies."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

import msgspec
import pycountry
from countryinfo import all_countries

from service.db import Connection
from service.sql import queries

# Names people and newsrooms use that neither package lists. Capitals come from countryinfo;
# these are nicknames, acronyms and short forms.
COMMON_VARIANTS: dict[str, tuple[str, ...]] = {
    "AE": ("UAE", "Emirates"),
    "CD": ("DRC", "DR Congo", "Congo-Kinshasa"),
    "CG": ("Congo-Brazzaville",),
    "CI": ("Ivory Coast",),
    "CN": ("PRC", "Mainland China", "China, People's Republic of"),
    "CZ": ("Czech Republic",),
    "GB": ("UK", "Britain", "Great Britain", "England"),
    "KP": ("DPRK", "North Korea", "Korea, North"),
    "KR": ("ROK", "South Korea", "Korea, South", "Republic of Korea"),
    "MM": ("Burma",),
    "NL": ("Holland",),
    "RU": ("Russia",),
    "TR": ("Turkey", "Türkiye"),
    "TW": ("Taiwan", "ROC", "Republic of China"),
    "US": ("America", "USA", "United States of America", "Washington", "Washington DC"),
    "VA": ("Vatican", "Vatican City"),
}

# Earlier kinds win when two countries claim the same spelling.
ALIAS_KINDS = ("alpha2", "alpha3", "name", "official_name", "common_name", "variant", "capital")


class CountryRow(msgspec.Struct, frozen=True):
    code: str
    alpha3: str
    numeric: str
    name: str
    official_name: str | None
    common_name: str | None
    capital: str | None


class AliasRow(msgspec.Struct, frozen=True):
    alias: str
    code: str
    kind: str


def normalize(text: str) -> str:
    """The form aliases are stored and looked up in: casefolded, unaccented, single-spaced."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.replace("’", "'").split())


def _capitals_and_spellings() -> dict[str, tuple[str | None, list[str]]]:
    """Capital and alternative spellings by alpha-2 code, from countryinfo."""
    found: dict[str, tuple[str | None, list[str]]] = {}
    for info in all_countries():
        try:
            code = info.iso().get("alpha2")
            capital = info.capital()
            spellings = [info.name(), *(info.alt_spellings() or [])]
        except (KeyError, AttributeError, TypeError):
            continue  # a few entries in the package lack fields; they add nothing we can use
        if isinstance(capital, list):
            capital = capital[0] if capital else None
        if code in found and found[code][0] and not capital:
            continue  # countryinfo also files Wales under GB, with no capital: keep the UK's entry
        found[code] = (capital or None, [s for s in spellings if isinstance(s, str)])
    return found


def countries() -> list[CountryRow]:
    extra = _capitals_and_spellings()
    rows = []
    for c in pycountry.countries:
        capital = extra.get(c.alpha_2, (None, []))[0]
        rows.append(
            CountryRow(
                code=c.alpha_2,
                alpha3=c.alpha_3,
                numeric=c.numeric,
                name=c.name,
                official_name=getattr(c, "official_name", None),
                common_name=getattr(c, "common_name", None),
                capital=capital,
            )
        )
    return rows


def aliases(rows: Iterable[CountryRow]) -> list[AliasRow]:
    """Every spelling of every country; a spelling two countries share at the same rank is dropped."""
    extra = _capitals_and_spellings()
    claims: dict[str, dict[str, str]] = {}  # alias -> code -> best kind
    for row in rows:
        spellings = extra.get(row.code, (None, []))[1]
        candidates: list[tuple[str, str | None]] = [
            ("alpha2", row.code),
            ("alpha3", row.alpha3),
            ("name", row.name),
            ("official_name", row.official_name),
            ("common_name", row.common_name),
            *(("variant", s) for s in spellings),
            *(("variant", s) for s in COMMON_VARIANTS.get(row.code, ())),
            ("capital", row.capital),
        ]
        for kind, text in candidates:
            if not text:
                continue
            key = normalize(text)
            by_code = claims.setdefault(key, {})
            current = by_code.get(row.code)
            if current is None or ALIAS_KINDS.index(kind) < ALIAS_KINDS.index(current):
                by_code[row.code] = kind
    result = []
    for key, by_code in claims.items():
        best = min(ALIAS_KINDS.index(k) for k in by_code.values())
        winners = [code for code, kind in by_code.items() if ALIAS_KINDS.index(kind) == best]
        if len(winners) == 1:
            result.append(AliasRow(alias=key, code=winners[0], kind=ALIAS_KINDS[best]))
    return sorted(result, key=lambda a: a.alias)


def currencies() -> list[tuple[str, str | None, str]]:
    return [(c.alpha_3, getattr(c, "numeric", None), c.name) for c in pycountry.currencies]


async def sync(conn: Connection) -> None:
    """Bring the reference tables in line with the installed packages (idempotent)."""
    q = queries()
    rows = countries()
    async with conn.transaction():
        await conn.executemany(q["reference.upsert_country"], [msgspec.structs.astuple(r) for r in rows])
        await conn.execute(q["reference.clear_aliases"])
        await conn.copy_records_to_table(
            "country_aliases", records=[msgspec.structs.astuple(a) for a in aliases(rows)]
        )
        await conn.executemany(q["reference.upsert_currency"], currencies())
