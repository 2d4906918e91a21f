"""Relationship-period queries."""

from __future__ import annotations

import datetime as dt

import msgspec

from schemas.relationships import PeriodOut
from service.db import Connection, to_structs
from service.pagination import Key
from service.resolve import Pair
from service.sql import queries


def cursor_key(period: PeriodOut) -> Key:
    return [period.pair]


async def on_day(
    conn: Connection,
    after: Key | None,
    limit: int,
    day: dt.date,
    country: str | None,
    status: str | None,
    trend: str | None,
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


async def get_period(conn: Connection, period_id: str) -> PeriodOut | None:
    rows = await conn.fetch(queries()["relationships.get"], period_id)
    return to_structs(rows, PeriodOut)[0] if rows else None


async def known_periods(conn: Connection, known_on: dt.datetime, pair: Pair | None) -> list[PeriodOut]:
    """Every period (of one pair, or all) as known at `known_on`, by pair then start."""
    rows = await conn.fetch(queries()["relationships.known"], known_on, pair.key if pair else None)
    return msgspec.convert([r["snapshot"] for r in rows], list[PeriodOut])


async def on_day_known(
    conn: Connection,
    after: Key | None,
    limit: int,
    known_on: dt.datetime,
    day: dt.date,
    country: str | None,
    status: str | None,
    trend: str | None,
) -> list[PeriodOut]:
    """on_day as the service would have answered at `known_on`."""
    found = [
        p
        for p in await known_periods(conn, known_on, None)
        if p.valid_from <= day
        and (p.valid_to is None or day < p.valid_to)
        and (country is None or country in (p.country_a, p.country_b))
        and (status is None or p.status == status)
        and (trend is None or p.trend == trend)
        and (after is None or p.pair > str(after[0]))
    ]
    return found[:limit]
