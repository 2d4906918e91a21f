"""The schema refuses bad data on its own, whatever writes to it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from service import db
from tests.databases import app_settings

SOURCE = "src-2026-01-07-thestar-scmp-china-south-korea-trade-deals"


@pytest.fixture
async def conn(fresh_url: str) -> AsyncIterator[db.Connection]:
    connection = await db.connect(fresh_url, app_settings(fresh_url))
    yield connection
    await connection.close()


async def _period(conn: db.Connection, id_: str, a: str, b: str, start: str, end: str | None) -> None:
    async with conn.transaction():
        await conn.execute(
            "INSERT INTO relationship_periods (id, country_a, country_b, valid_from, valid_to, status, trend,"
            " summary) VALUES ($1, $2, $3, $4::text::date, $5::text::date, 'normal', 'steady', 'test')",
            id_, a, b, start, end,
        )  # fmt: skip


async def test_pair_must_be_in_canonical_order(conn: db.Connection) -> None:
    with pytest.raises(asyncpg.CheckViolationError):
        await _period(conn, "rel-x", "KR", "CN", "2030-01-01", None)


async def test_pair_must_have_two_countries(conn: db.Connection) -> None:
    with pytest.raises(asyncpg.CheckViolationError):
        await _period(conn, "rel-x", "CN", "CN", "2030-01-01", None)


async def test_interval_must_end_after_it_starts(conn: db.Connection) -> None:
    with pytest.raises(asyncpg.CheckViolationError):
        await _period(conn, "rel-x", "FR", "DE", "2030-01-01", "2029-01-01")


async def test_periods_of_a_pair_never_overlap(conn: db.Connection) -> None:
    await _period(conn, "rel-de-fr-1", "DE", "FR", "2030-01-01", "2031-01-01")
    await _period(conn, "rel-de-fr-2", "DE", "FR", "2031-01-01", None)  # touching is fine
    with pytest.raises(asyncpg.ExclusionViolationError):
        await _period(conn, "rel-de-fr-3", "DE", "FR", "2030-06-01", "2030-07-01")
    with pytest.raises(asyncpg.ExclusionViolationError):
        await _period(conn, "rel-cn-jp-late", "CN", "JP", "2026-03-01", None)  # the seed's open period


async def test_amounts_are_non_negative_and_currencies_exist(conn: db.Connection) -> None:
    insert = (
        "INSERT INTO deals (id, kind, title, status, signed_on, date_precision, amount, currency,"
        " value_basis) VALUES ($1, 'mou', 't', 'signed', '2026-01-01', 'day', $2, $3, 'actual_total')"
    )
    with pytest.raises(asyncpg.CheckViolationError):
        await conn.execute(insert, "deal-neg", -1, "USD")
    with pytest.raises(asyncpg.ForeignKeyViolationError):
        await conn.execute(insert, "deal-xxx", 1, "XXZ")
    with pytest.raises(asyncpg.CheckViolationError):
        await conn.execute(insert, "deal-nocur", 1, None)


async def test_unknown_country_and_event_type_are_refused(conn: db.Connection) -> None:
    with pytest.raises(asyncpg.ForeignKeyViolationError):
        await conn.execute(
            "INSERT INTO actors (id, kind, name, country) VALUES ('actor-x', 'person', 'X', 'QQ')"
        )
    with pytest.raises(asyncpg.ForeignKeyViolationError):
        await conn.execute(
            "INSERT INTO events (id, type, cameo_code, title, status, start_date, start_precision)"
            " VALUES ('ev-x', 'invasion', '190', 't', 'occurred', '2026-01-01', 'day')"
        )


async def test_event_end_before_start_is_refused(conn: db.Connection) -> None:
    with pytest.raises(asyncpg.CheckViolationError):
        await conn.execute(
            "INSERT INTO events (id, type, cameo_code, title, status, start_date, start_precision, end_date,"
            " end_precision) VALUES ('ev-x', 'visit', '042', 't', 'occurred', '2026-01-02', 'day',"
            " '2026-01-01', 'day')"
        )


async def test_citations_must_name_an_existing_source(conn: db.Connection) -> None:
    with pytest.raises(asyncpg.ForeignKeyViolationError):
        await conn.execute(
            "INSERT INTO event_sources (event_id, source_id, ordinal)"
            " VALUES ('ev-2026-01-05-lee-xi-summit', 'src-missing', 9)"
        )
    assert await conn.fetchval("SELECT count(*) FROM event_sources WHERE source_id = $1", SOURCE) > 0


# Index keys that are words people read, sorted as the database's language sorts them; and the
# status columns, which a generated column (events.span) reads and which hold a handful of values.
WORD_KEYS = {("actors", "name"), ("events", "status"), ("deals", "status")}
# The tables a load writes or counts: every other text key in them is an id, a code or a pair.
LOADED = ("sources", "actors", "actor_sources", "events", "event_participants", "event_sources", "deals",
          "deal_parties", "deal_sources", "relationship_periods", "period_events", "period_sources",
          "revisions", "pair_days", "pair_deal_days", "pair_activity")  # fmt: skip


async def test_ids_codes_and_pairs_compare_byte_by_byte(conn: db.Connection) -> None:
    """Every text key a load indexes compares by bytes ("C"), not through the C library's
    collation, which made index builds and key probes a quarter to a third slower."""
    rows = await conn.fetch(
        """
        SELECT DISTINCT t.relname AS tab, a.attname AS col, co.collname AS collation
        FROM pg_index i
        JOIN pg_class t ON t.oid = i.indrelid
        CROSS JOIN LATERAL unnest(i.indkey::int2[], i.indcollation::oid[]) AS k (attnum, coll)
        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
        JOIN pg_collation co ON co.oid = k.coll
        WHERE t.relname = ANY ($1::text[]) AND t.relnamespace = 'public'::regnamespace
        """,
        list(LOADED),
    )
    keys = {(r["tab"], r["col"]): r["collation"] for r in rows}
    assert {("events", "id"), ("events", "pairs"), ("revisions", "item_id")} <= keys.keys()
    assert {k: c for k, c in keys.items() if k not in WORD_KEYS and c != "C"} == {}
    assert {keys[k] for k in WORD_KEYS} == {"default"}
