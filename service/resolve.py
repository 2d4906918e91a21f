"""Turning what clients type ("Seoul", "PRC", "kor") into country codes and pair keys."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

import msgspec

from service.errors import InvalidParameter
from service.reference import normalize

_CODE_PAIR = re.compile(r"^([A-Za-z]{2})-([A-Za-z]{2})$")


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

    def __init__(self, aliases: Iterable[tuple[str, str, str]]) -> None:
        self._code_by_alias: dict[str, str] = {}
        self._name_by_code: dict[str, str] = {}
        for alias, code, name in aliases:
            self._code_by_alias[alias] = code
            self._name_by_code[code] = name

    def __len__(self) -> int:
        return len(self._name_by_code)

    def lookup(self, text: str) -> str | None:
        return self._code_by_alias.get(normalize(text))

    def name(self, code: str) -> str:
        return self._name_by_code.get(code, code)

    def suggest(self, text: str, limit: int = 5) -> list[str]:
        """Close spellings, shown as 'Name (CODE)', for the error a typo gets."""
        matches = difflib.get_close_matches(normalize(text), self._code_by_alias, n=limit * 3, cutoff=0.6)
        seen: list[str] = []
        for alias in matches:
            code = self._code_by_alias[alias]
            label = f"{self._name_by_code[code]} ({code})"
            if label not in seen:
                seen.append(label)
        return seen[:limit]

    def country(self, text: str, param: str, location: str = "query") -> str:
        code = self.lookup(text)
        if code is None:
            raise InvalidParameter(
                param,
                f"unknown country {text!r}; use an ISO code, a name or a capital",
                location=location,
                suggestions=self.suggest(text),
            )
        return code

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
