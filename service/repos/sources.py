"""Source queries."""

from __future__ import annotations

import datetime as dt

from schemas.sources import SourceOut
from service.db import Connection, to_structs
from service.pagination import Key
from service.sql import queries


def cursor_key(source: SourceOut) -> Key:
    return [source.published_on.isoformat(), source.id]


async def get_source(conn: Connection, source_id: str) -> SourceOut | None:
    rows = await conn.fetch(queries()["sources.get"], source_id)
    return to_structs(rows, SourceOut)[0] if rows else None


async def list_sources(conn: Connection, after: Key | None, limit: int) -> list[SourceOut]:
    after_date, after_id = (dt.date.fromisoformat(after[0]), str(after[1])) if after else (None, None)
    rows = await conn.fetch(queries()["sources.list"], after_date, after_id, limit)
    return to_structs(rows, SourceOut)
