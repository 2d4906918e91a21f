"""Indexes a bulk load leaves to be built after it commits, built side by side.

A load that outgrows a table sets its secondary indexes aside (importer.Load.extend_reload).
Its keys are built again inside the load; the other indexes only make reads faster, so the load
commits without them and lists them in `deferred_indexes`. They are then built in sessions of
their own, one per connection given: PostgreSQL builds a GIN or SP-GiST index on one core, so
two sessions finish the lot in about 60 % of the time one takes (9.5 s against 16.0 s for the
thirty plain indexes of a million-record world).

Readers see every row from the commit on; until an index is built, queries that would use it
scan instead. A build takes a lock that lets reads through and holds writes to that table until
it is done. Indexes left unbuilt (the process stopped) are built by the next load, by
`detente db migrate` and by the service when it starts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager

from service.db import UNREACHABLE, Connection
from service.sql import queries

log = logging.getLogger(__name__)

# Sessions a load's caller builds with: the cores of the machines it was measured on.
BUILD_SESSIONS = 2
# `pg_get_indexdef` of a plain index: its name and its table.
_PLAIN_INDEX = re.compile(r"^CREATE INDEX (\S+) ON (\S+) USING ")


def split(definitions: Sequence[str]) -> tuple[list[str], list[str]]:
    """The definitions that may wait for after the commit, and those a load builds itself
    (keys, unique indexes, and anything else that is not a plain index)."""
    later: list[str] = []
    now: list[str] = []
    for definition in definitions:
        (later if _PLAIN_INDEX.match(definition) else now).append(definition)
    return later, now


async def defer(conn: Connection, definitions: Sequence[str]) -> None:
    """List plain index definitions to build once the caller's transaction has committed."""
    found = [_PLAIN_INDEX.match(d) for d in definitions]
    names = [m[1] for m in found if m]
    tables = [m[2] for m in found if m]
    if len(names) != len(definitions):
        raise ValueError("only plain CREATE INDEX definitions can be deferred")
    await conn.execute(queries()["indexes.defer"], names, tables, list(definitions))


async def pending(conn: Connection) -> bool:
    """Whether any deferred index waits to be built."""
    found: bool = await conn.fetchval(queries()["indexes.any_deferred"])
    return found


async def build(conns: Sequence[Connection]) -> list[str]:
    """Build every deferred index, one session per connection; the names built, in order."""
    built: list[str] = []
    await asyncio.gather(*(_take_turns(conn, built) for conn in conns))
    return built


async def build_alongside(
    conn: Connection,
    more: Callable[[], AbstractAsyncContextManager[Connection]],
    sessions: int = BUILD_SESSIONS,
) -> list[str]:
    """Build every deferred index with `conn` and up to `sessions - 1` more connections from
    `more`. A connection that cannot be had leaves the work to those that could."""
    async with contextlib.AsyncExitStack() as stack:
        extra: list[Connection] = []
        for _ in range(sessions - 1):
            try:
                extra.append(await stack.enter_async_context(more()))
            except UNREACHABLE as exc:
                log.warning("building deferred indexes with fewer sessions: %s", exc)
                break
        return await build([conn, *extra])


async def _take_turns(conn: Connection, built: list[str]) -> None:
    """Take the next deferred index nobody else is building, build it, until none is left."""
    q = queries()
    while True:
        async with conn.transaction():
            await conn.execute(q["indexes.build_settings"])
            found = await conn.fetchrow(q["indexes.next"])
            if found is not None:
                if not found["present"]:
                    await conn.execute(found["definition"])
                await conn.execute(q["indexes.built"], found["name"])
        if found is None:
            await conn.execute(q["maintenance.statement_timeout"])
            return
        built.append(found["name"])
