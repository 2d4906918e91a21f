"""Event queries."""

from __future__ import annotations

import datetime as dt

import msgspec

from schemas.events import EventIn, EventOut
from service.db import Connection, to_structs
from service.pagination import Key
from service.repos.citations import replace_sources
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


async def list_events(conn: Connection, f: EventFilters, after: Key | None, limit: int) -> list[EventOut]:
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


async def save_event(
    conn: Connection,
    e: EventIn,
    participants: list[tuple[str, str | None, str | None]],
    location_country: str | None,
) -> None:
    """Upsert one event with its participants (role, country, actor) and citations."""
    q = queries()
    await conn.execute(
        q["events.upsert"],
        e.id, e.type, e.cameo_code, e.title, e.summary, e.status, e.start_date, e.start_precision,
        e.end_date, e.end_precision, e.date_inferred, e.date_note, e.location_name, location_country,
        e.related_event_id, e.relation, list(e.sectors), msgspec.to_builtins(e.quantities),
    )  # fmt: skip
    await conn.execute(q["events.clear_participants"], e.id)
    await conn.executemany(
        q["events.add_participant"],
        [(e.id, n, role, country, actor) for n, (role, country, actor) in enumerate(participants)],
    )
    await replace_sources(conn, "events", e.id, e.sources)


async def refresh_links(conn: Connection, event_ids: list[str]) -> None:
    await conn.execute(queries()["events.refresh_links"], event_ids)
