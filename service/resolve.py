"""Turning what clients type ("Seoul", "PRC", "kor", "fips:JA", "156") into country codes and pair keys.

A country may be named in five schemes. Bare text is read in this order: the ISO 3166 codes,
names, variants and capitals of the alias table; a number as a UN M49 (= ISO numeric) code; a
two-letter code ISO does not know as FIPS 10-4; a three-letter one as a CAMEO code. A prefix
(`iso:`, `m49:`, `fips:`, `cameo:`) reads the code in that scheme only. When bare text could
name different countries in different schemes ("CH": Switzerland in ISO, China in FIPS), or was
read outside ISO, the response says how it was read in the `Detente-Country-Read-As` header.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from contextvars import ContextVar

import msgspec
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from service.errors import InvalidParameter
from service.reference import normalize

_CODE_PAIR = re.compile(r"^([A-Za-z]{2})-([A-Za-z]{2})$")
_PREFIXED = re.compile(r"^\s*([A-Za-z][A-Za-z0-9]{1,9})\s*:\s*(.*?)\s*$")
_DIGITS = re.compile(r"^[0-9]{1,3}$")
_LETTERS = re.compile(r"^[A-Za-z]{2,3}$")

READ_AS = "Detente-Country-Read-As"
# One header line stays short even for a bulk import full of ambiguous codes.
MAX_READINGS = 20

SCHEMES: dict[str, str] = {
    "iso": "ISO 3166-1 (alpha-2, alpha-3 or numeric)",
    "m49": "UN M49",
    "fips": "FIPS 10-4",
    "cameo": "CAMEO",
}
# How an alias of each kind is labelled when its reading is reported.
_ALIAS_SCHEME = {"alpha2": "iso", "alpha3": "iso"}

# The readings of the current request, collected for its response header (see ReadingsHeader).
_readings: ContextVar[list[str] | None] = ContextVar("country_readings", default=None)


class Pair(msgspec.Struct, frozen=True):
    """An unordered pair of countries, held in canonical (sorted) order."""

    a: str
    b: str

    @property
    def key(self) -> str:
        return f"{self.a}-{self.b}"

    @classmethod
    def of(cls, first: str, second: str) -> Pair:
        a, b = sorted((first, second))
        return cls(a, b)


class CountryResolver:
    """One lookup for every country parameter and path segment in the API."""

    def __init__(
        self,
        aliases: Iterable[tuple[str, str, str, str]],
        codes: Iterable[tuple[str, str, str, str]] = (),
    ) -> None:
        """`aliases`: (alias, code, kind, name) rows; `codes`: (scheme, code, alpha2, name) rows."""
        self._alias: dict[str, tuple[str, str]] = {}  # normalized alias -> (alpha-2, kind)
        self._name_by_code: dict[str, str] = {}
        for alias, code, kind, name in aliases:
            self._alias[alias] = (code, kind)
            self._name_by_code[code] = name
        # scheme -> upper-case code -> (alpha-2 as the source gives it, the source's name)
        self._codes: dict[str, dict[str, tuple[str, str]]] = {s: {} for s in SCHEMES}
        for scheme, code, alpha2, name in codes:
            self._codes[scheme][code.upper()] = (alpha2, name)
        for alias, (code, kind) in self._alias.items():
            if kind in _ALIAS_SCHEME:
                self._codes["iso"][alias.upper()] = (code, self._name_by_code[code])
        self._codes["iso"].update(self._codes["m49"])

    def __len__(self) -> int:
        return len(self._name_by_code)

    def lookup(self, text: str) -> str | None:
        """The country text names, as `country` reads it but quietly; None when it names none."""
        prefixed = _PREFIXED.match(text)
        if prefixed and normalize(text) not in self._alias:
            entry = self._codes.get(prefixed[1].lower(), {}).get(_key(prefixed[2]))
            return self._known(entry) or None
        found = self._readings(text)
        return found[0][1] if found else None

    def name(self, code: str) -> str:
        return self._name_by_code.get(code, code)

    def suggest(self, text: str, limit: int = 5) -> list[str]:
        """Close spellings, shown as 'Name (CODE)', for the error a typo gets."""
        matches = difflib.get_close_matches(normalize(text), self._alias, n=limit * 3, cutoff=0.6)
        seen: list[str] = []
        for alias in matches:
            code = self._alias[alias][0]
            label = f"{self._name_by_code[code]} ({code})"
            if label not in seen:
                seen.append(label)
        return seen[:limit]

    def _readings(self, text: str) -> list[tuple[str, str]]:
        """Every (scheme, alpha-2) reading of bare text, the one that wins first."""
        found: list[tuple[str, str]] = []
        hit = self._alias.get(normalize(text))
        if hit is not None:
            found.append((_ALIAS_SCHEME.get(hit[1], "name"), hit[0]))
        bare = text.strip().upper()
        if _DIGITS.match(bare):
            found.append(("m49", self._known(self._codes["m49"].get(bare.zfill(3)))))
        elif _LETTERS.match(bare):
            scheme = "fips" if len(bare) == 2 else "cameo"
            found.append((scheme, self._known(self._codes[scheme].get(bare))))
        return [(scheme, code) for scheme, code in found if code]

    def _known(self, entry: tuple[str, str] | None) -> str:
        return entry[0] if entry is not None and entry[0] in self._name_by_code else ""

    def country(self, text: str, param: str, location: str = "query") -> str:
        prefixed = _PREFIXED.match(text)
        if prefixed and normalize(text) not in self._alias:
            return self._in_scheme(prefixed[1].lower(), prefixed[2], param, location)
        found = self._readings(text)
        if not found:
            raise InvalidParameter(
                param,
                f"unknown country {text!r}; use an ISO code, a name or a capital, or a code "
                "with its scheme (m49:156, fips:CH, cameo:CHN)",
                location=location,
                suggestions=self.suggest(text),
            )
        scheme, code = found[0]
        if scheme not in ("iso", "name", "m49") or len({c for _, c in found}) > 1:
            _note(f"{param}={scheme}:{text.strip().upper()}->{code}")
        return code

    def _in_scheme(self, scheme: str, code: str, param: str, location: str) -> str:
        """A code read in the scheme its prefix names, and in no other."""
        table = self._codes.get(scheme)
        if table is None:
            choices = ", ".join(SCHEMES)
            raise InvalidParameter(
                param, f"unknown code scheme {scheme!r}; use one of {choices}", location=location
            )
        entry = table.get(_key(code))
        if entry is None:
            raise InvalidParameter(
                param, f"{code!r} is not a country code in {SCHEMES[scheme]}", location=location
            )
        if entry[0] not in self._name_by_code:
            raise InvalidParameter(
                param,
                f"{SCHEMES[scheme]} {code.upper()} is {entry[1]}, which has no current ISO 3166-1 code",
                location=location,
            )
        return entry[0]

    def optional(self, text: str | None, param: str) -> str | None:
        return None if text is None else self.country(text, param)

    def pair(self, text: str, param: str = "pair") -> Pair:
        """`Tokyo,Beijing`, `CN,JP` and `CN-JP` all name the same pair."""
        match = _CODE_PAIR.match(text.strip())
        parts = [match[1], match[2]] if match else text.split(",")
        if len(parts) != 2 or not all(p.strip() for p in parts):
            raise InvalidParameter(param, "give two countries separated by a comma, e.g. 'Seoul,Beijing'")
        return self.pair_of(parts[0], parts[1], (param, param))

    def pair_of(
        self, first: str, second: str, params: tuple[str, str] = ("a", "b"), location: str = "query"
    ) -> Pair:
        a = self.country(first, params[0], location)
        b = self.country(second, params[1], location)
        if a == b:
            raise InvalidParameter(
                params[1], f"a pair needs two different countries, got {a} twice", location=location
            )
        return Pair.of(a, b)

    def optional_pair(self, text: str | None, param: str = "pair") -> Pair | None:
        return None if text is None else self.pair(text, param)


def _key(code: str) -> str:
    """A code as the tables hold it: upper case, numbers zero-padded to three digits."""
    code = code.strip().upper()
    return code.zfill(3) if _DIGITS.match(code) else code


def _note(reading: str) -> None:
    found = _readings.get()
    if found is not None and reading not in found and len(found) < MAX_READINGS:
        found.append(reading)


class ReadingsHeader:
    """ASGI middleware: sends how the request's ambiguous country codes were read, when any were."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        found: list[str] = []

        async def send_with_readings(message: Message) -> None:
            if message["type"] == "http.response.start" and found:
                MutableScopeHeaders(message)[READ_AS] = ", ".join(found)
            await send(message)

        token = _readings.set(found)
        try:
            await self.app(scope, receive, send_with_readings)
        finally:
            _readings.reset(token)
