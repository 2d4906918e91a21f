"""Country queries."""

from __future__ import annotations

from schemas.countries import CountryDetail, CountryOut
from service.db import Connection, to_structs
from service.pagination import Key
from service.sql import queries


def cursor_key(country: CountryOut) -> Key:
    return [country.code]


async def list_countries(conn: Connection, after: Key | None, limit: int) -> list[CountryOut]:
    rows = await conn.fetch(queries()["countries.list"], str(after[0]) if after else None, limit)
    return to_structs(rows, CountryOut)


async def get_country(conn: Connection, code: str) -> CountryDetail | None:
    rows = await conn.fetch(queries()["countries.get"], code)
    return to_structs(rows, CountryDetail)[0] if rows else None


async def get_many(conn: Connection, codes: list[str]) -> list[CountryOut]:
    return to_structs(await conn.fetch(queries()["countries.many"], codes), CountryOut)
