"""Event queries."""

from __future__ import annotations

import datetime as dt

import msgspec

from schemas.events import EventOut
from schemas.facets import Facets
from service.db import Connection, to_structs
from service.facets import group_facets
from service.pagination import Key
from service.sql import queries


class EventFilters(msgspec.Struct, frozen=True, kw_only=True):
    country: str | None = None
    pair: str | None = None
    initiator: str | None = None
    target: str | None = None
    type: str | None = None
    actor: str | None = None
    sector: str | None = None
    status: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    q: str | None = None


def cursor_key(event: EventOut) -> Key:
    return [event.start_date.isoformat(), event.id]


async def list_events(conn: Connection, after: Key | None, limit: int, f: EventFilters) -> list[EventOut]:
    after_date, after_id = (dt.date.fromisoformat(after[0]), str(after[1])) if after else (None, None)
    rows = await conn.fetch(
        queries()["events.list"],
        f.country, f.pair, f.initiator, f.target, f.type, f.actor, f.sector, f.status,
        f.date_from, f.date_to, f.q, after_date, after_id, limit,
    )  # fmt: skip
    return to_structs(rows, EventOut)


async def get_event(conn: Connection, event_id: str) -> EventOut | None:
    rows = await conn.fetch(queries()["events.get"], event_id)
    return to_structs(rows, EventOut)[0] if rows else None


async def list_events_known(
    conn: Connection, after: Key | None, limit: int, f: EventFilters, known_on: dt.datetime
) -> list[EventOut]:
    """list_events as the service would have answered at `known_on`."""
    after_date, after_id = (dt.date.fromisoformat(after[0]), str(after[1])) if after else (None, None)
    rows = await conn.fetch(
        queries()["events.list_known"],
        f.country, f.pair, f.initiator, f.target, f.type, f.actor, f.sector, f.status,
        f.date_from, f.date_to, f.q, after_date, after_id, limit, known_on,
    )  # fmt: skip
    return msgspec.convert([r["snapshot"] for r in rows], list[EventOut])


async def event_facets(conn: Connection, names: list[str], cap: int, f: EventFilters) -> Facets:
    """Counts per value of each named facet over every event the filters match."""
    rows = await conn.fetch(
        queries()["events.facets"],
        f.country, f.pair, f.initiator, f.target, f.type, f.actor, f.sector, f.status,
        f.date_from, f.date_to, f.q, names, cap,
    )  # fmt: skip
    return group_facets(rows, names)
