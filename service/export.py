"""The whole database as NDJSON import records, read through server-side cursors in one snapshot."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import BinaryIO

import msgspec

from service.collections import ACTORS, DEALS, EVENTS, PERIODS, SOURCES, Collection, as_input
from service.db import Connection, to_struct
from service.sql import queries

# Dependency order: an item points only at items of collections before its own, or of its own.
ORDER = (SOURCES, ACTORS, EVENTS, DEALS, PERIODS)
STATEMENTS = {
    "sources": "export.sources",
    "actors": "export.actors",
    "events": "export.events",
    "deals": "export.deals",
    "relationship-periods": "export.periods",
}
# Rows the server-side cursor hands over per round trip: memory stays flat whatever the table size.
PREFETCH = 500

_ENCODER = msgspec.json.Encoder()


def record(collection: Collection, item_id: str, item: msgspec.Struct) -> bytes:
    """One import line: `{"collection": ..., "id": ..., <input fields>}` and its newline."""
    line = {"collection": collection.name, "id": item_id, **as_input(collection, item)}
    return _ENCODER.encode(line) + b"\n"


async def counts(conn: Connection) -> dict[str, int]:
    """Items per collection, as the export will see them when run in the same transaction."""
    row = await conn.fetchrow(queries()["export.counts"])
    assert row is not None
    return {c.name: int(row[c.name.replace("-", "_")]) for c in ORDER}


async def records(conn: Connection) -> AsyncIterator[tuple[str, bytes]]:
    """(collection, line) for every item in dependency order, ids ascending; call it in a transaction."""
    for collection in ORDER:
        cursor = conn.cursor(queries()[STATEMENTS[collection.name]], prefetch=PREFETCH)
        async for row in cursor:
            yield collection.name, record(collection, row["id"], to_struct(row, collection.out))


async def write(
    conn: Connection,
    out: BinaryIO,
    on_start: Callable[[dict[str, int]], None] | None = None,
    on_row: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Write every record to `out` from one read-only snapshot; returns the lines per collection."""
    written = dict.fromkeys(STATEMENTS, 0)
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        if on_start is not None:
            on_start(await counts(conn))
        async for collection, line in records(conn):
            out.write(line)
            written[collection] += 1
            if on_row is not None:
                on_row(collection)
    return written
