"""Relationship-period queries."""

from __future__ import annotations

import datetime as dt

from schemas.relationships import PeriodIn, PeriodOut
from service.db import Connection, to_structs
from service.pagination import Key
from service.repos.citations import replace_sources
from service.resolve import Pair
from service.sql import queries


def cursor_key(period: PeriodOut) -> Key:
    return [period.pair]


async def on_day(
    conn: Connection,
    day: dt.date,
    country: str | None,
    status: str | None,
    trend: str | None,
    after: Key | None,
    limit: int,
) -> list[PeriodOut]:
    after_pair = str(after[0]) if after else None
    rows = await conn.fetch(queries()["relationships.on_day"], day, country, status, trend, after_pair, limit)
    return to_structs(rows, PeriodOut)


async def history(conn: Connection, pair: Pair) -> list[PeriodOut]:
    rows = await conn.fetch(queries()["relationships.history"], pair.a, pair.b)
    return to_structs(rows, PeriodOut)


def holding_on(periods: list[PeriodOut], day: dt.date) -> PeriodOut | None:
    """The period in force on `day`: valid_from <= day < valid_to."""
    for period in periods:
        if period.valid_from <= day and (period.valid_to is None or day < period.valid_to):
            return period
    return None


async def save_period(conn: Connection, p: PeriodIn, pair: Pair) -> None:
    q = queries()
    await conn.execute(
        q["relationships.upsert"],
        p.id, pair.a, pair.b, p.valid_from, p.valid_from_precision, p.valid_to, p.status, p.trend, p.summary,
    )  # fmt: skip
    await conn.execute(q["relationships.clear_events"], p.id)
    await conn.executemany(q["relationships.add_event"], [(p.id, e, n) for n, e in enumerate(p.event_ids)])
    await replace_sources(conn, "relationships", p.id, p.sources)
