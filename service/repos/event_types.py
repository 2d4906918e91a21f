"""Event type queries."""

from __future__ import annotations

from schemas.event_types import EventTypeOut
from service.db import Connection, to_structs
from service.sql import queries


async def list_event_types(conn: Connection) -> list[EventTypeOut]:
    return to_structs(await conn.fetch(queries()["event_types.list"]), EventTypeOut)


async def get_event_type(conn: Connection, type_id: str) -> EventTypeOut | None:
    rows = await conn.fetch(queries()["event_types.get"], type_id)
    return to_structs(rows, EventTypeOut)[0] if rows else None
