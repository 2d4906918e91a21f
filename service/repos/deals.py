"""Deal queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import msgspec

from schemas.deals import DealOut
from schemas.facets import Facets
from service.db import Connection, to_structs
from service.facets import group_facets
from service.pagination import Key
from service.sql import queries


class DealFilters(msgspec.Struct, frozen=True, kw_only=True):
    country: str | None = None
    pair: str | None = None
    kind: str | None = None
    sector: str | None = None
    status: str | None = None
    actor: str | None = None
    min_usd: Decimal | None = None
    max_usd: Decimal | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    q: str | None = None


def cursor_key(deal: DealOut) -> Key:
    return [deal.signed_on.isoformat(), deal.id]


async def list_deals(conn: Connection, after: Key | None, limit: int, f: DealFilters) -> list[DealOut]:
    after_date, after_id = (dt.date.fromisoformat(after[0]), str(after[1])) if after else (None, None)
    rows = await conn.fetch(
        queries()["deals.list"],
        f.country, f.pair, f.kind, f.sector, f.status, f.actor, f.min_usd, f.max_usd,
        f.date_from, f.date_to, f.q, after_date, after_id, limit,
    )  # fmt: skip
    return to_structs(rows, DealOut)


async def get_deal(conn: Connection, deal_id: str) -> DealOut | None:
    rows = await conn.fetch(queries()["deals.get"], deal_id)
    return to_structs(rows, DealOut)[0] if rows else None


async def list_deals_known(
    conn: Connection, after: Key | None, limit: int, f: DealFilters, known_on: dt.datetime
) -> list[DealOut]:
    """list_deals as the service would have answered at `known_on`."""
    after_date, after_id = (dt.date.fromisoformat(after[0]), str(after[1])) if after else (None, None)
    rows = await conn.fetch(
        queries()["deals.list_known"],
        f.country, f.pair, f.kind, f.sector, f.status, f.actor, f.min_usd, f.max_usd,
        f.date_from, f.date_to, f.q, after_date, after_id, limit, known_on,
    )  # fmt: skip
    return msgspec.convert([r["snapshot"] for r in rows], list[DealOut])


async def deal_facets(conn: Connection, names: list[str], cap: int, f: DealFilters) -> Facets:
    """Counts per value of each named facet over every deal the filters match."""
    rows = await conn.fetch(
        queries()["deals.facets"],
        f.country, f.pair, f.kind, f.sector, f.status, f.actor, f.min_usd, f.max_usd,
        f.date_from, f.date_to, f.q, names, cap,
    )  # fmt: skip
    return group_facets(rows, names)
