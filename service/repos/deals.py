"""Deal queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import msgspec

from schemas.deals import DealIn, DealOut
from service.db import Connection, to_structs
from service.money import UsdValue
from service.pagination import Key
from service.repos.citations import replace_sources
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


async def list_deals(conn: Connection, f: DealFilters, after: Key | None, limit: int) -> list[DealOut]:
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


async def save_deal(
    conn: Connection, d: DealIn, parties: list[tuple[str, str | None, str | None]], usd: UsdValue | None
) -> None:
    """Upsert one deal with its parties (role, country, actor), USD value and citations."""
    q = queries()
    v = d.value
    await conn.execute(
        q["deals.upsert"],
        d.id, d.kind, d.title, d.summary, d.status, d.signed_on, d.date_precision, d.date_inferred,
        d.date_note, d.count,
        v.amount if v else None, v.currency if v else None, v.text if v else None,
        v.basis if v else None, v.qualifier if v else None, v.period if v else None,
        v.horizon_years if v else None,
        usd.usd if usd else None, usd.method if usd else None, usd.rate if usd else None,
        usd.rate_date if usd else None, usd.note if usd else None,
        d.event_id, d.part_of, list(d.sectors),
    )  # fmt: skip
    await conn.execute(q["deals.clear_parties"], d.id)
    await conn.executemany(
        q["deals.add_party"],
        [(d.id, n, role, country, actor) for n, (role, country, actor) in enumerate(parties)],
    )
    await replace_sources(conn, "deals", d.id, d.sources)


async def refresh_links(conn: Connection, deal_ids: list[str]) -> None:
    await conn.execute(queries()["deals.refresh_links"], deal_ids)
