"""Pair queries: activity across events, deals and relationship periods."""

from __future__ import annotations

import datetime as dt

from schemas.pairs import DealTotal, PairCounts, PairSummary
from service.db import Connection, to_structs
from service.pagination import Key
from service.resolve import Pair
from service.sql import queries


def cursor_key(summary: PairSummary) -> Key:
    return [summary.last_activity.isoformat(), summary.pair]


async def list_pairs(
    conn: Connection, after: Key | None, limit: int, country: str | None, day: dt.date
) -> list[PairSummary]:
    after_date, after_pair = (dt.date.fromisoformat(after[0]), str(after[1])) if after else (None, None)
    rows = await conn.fetch(queries()["pairs.list"], country, day, after_date, after_pair, limit)
    return to_structs(rows, PairSummary)


async def counts(conn: Connection, pair: Pair) -> PairCounts:
    rows = await conn.fetch(queries()["pairs.counts"], pair.key)
    return to_structs(rows, PairCounts)[0]


async def deal_totals(conn: Connection, pair: Pair) -> list[DealTotal]:
    return to_structs(await conn.fetch(queries()["pairs.deal_totals"], pair.key), DealTotal)


async def touched(
    conn: Connection, event_ids: list[str], deal_ids: list[str], period_ids: list[str]
) -> list[str]:
    """The pair keys these items belong to now."""
    found: list[str] = await conn.fetchval(queries()["pairs.touched"], event_ids, deal_ids, period_ids)
    return found


async def refresh(conn: Connection, pair_keys: list[str]) -> None:
    await conn.execute(queries()["pairs.refresh"], pair_keys)
