"""Guards over sql/queries: every statement prepares, read columns match their Structs, and every
list query can be answered from an index."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import msgspec
import pytest

from schemas.actors import ActorOut
from schemas.countries import CountryDetail, CountryOut
from schemas.deals import DealOut
from schemas.events import EventOut
from schemas.pairs import DealTotal, PairCounts, PairSummary
from schemas.relationships import PeriodOut
from schemas.sources import SourceOut
from service import db
from service.sql import QueryError, load, parse, queries
from tests.databases import app_settings

READS: dict[str, type[msgspec.Struct]] = {
    "actors.get": ActorOut,
    "actors.list": ActorOut,
    "countries.get": CountryDetail,
    "countries.list": CountryOut,
    "countries.many": CountryOut,
    "deals.get": DealOut,
    "deals.list": DealOut,
    "events.get": EventOut,
    "events.list": EventOut,
    "pairs.counts": PairCounts,
    "pairs.deal_totals": DealTotal,
    "pairs.list": PairSummary,
    "relationships.history": PeriodOut,
    "relationships.on_day": PeriodOut,
    "sources.get": SourceOut,
    "sources.list": SourceOut,
}

D = dt.date(2026, 1, 1)
# One parameter list per filter a list endpoint offers: each shape must have an index plan.
EVENT_SHAPES: dict[str, dict[int, Any]] = {
    "no filter": {},
    "country": {1: "KR"},
    "pair": {2: "CN-KR"},
    "initiator": {3: "CN"},
    "target": {4: "JP"},
    "type": {5: "summit"},
    "actor": {6: "actor-alibaba"},
    "sector": {7: "robotics"},
    "status": {8: "ongoing"},
    "from/to": {9: dt.date(2017, 1, 1), 10: dt.date(2017, 12, 31)},
    "q": {11: "boycott"},
    "cursor": {12: D, 13: "ev-x"},
}
DEAL_SHAPES: dict[str, dict[int, Any]] = {
    "no filter": {},
    "country": {1: "KR"},
    "pair": {2: "CN-KR"},
    "kind": {3: "mou"},
    "sector": {4: "robotics"},
    "actor": {6: "actor-alibaba"},
    "min_usd": {7: 1000},
    "from": {9: D},
    "q": {11: "contracts"},
    "cursor": {12: D, 13: "deal-x"},
}


@pytest.fixture(scope="module")
async def conn(seeded_url: str) -> AsyncIterator[db.Connection]:
    connection = await db.connect(seeded_url, app_settings(seeded_url))
    yield connection
    await connection.close()


def test_loader_refuses_duplicate_and_missing_names() -> None:
    with pytest.raises(QueryError, match="twice"):
        parse("-- name: a.b\nSELECT 1;\n-- name: a.b\nSELECT 2;", "x.sql")
    with pytest.raises(QueryError, match="empty"):
        parse("-- name: a.b\n\n", "x.sql")
    with pytest.raises(QueryError, match="no SQL statement"):
        load()["nope.nothing"]


async def test_every_named_statement_prepares(conn: db.Connection) -> None:
    names = queries().names()
    assert len(names) > 30
    # A script of several statements cannot be prepared; it runs, and the rest may use its tables.
    await conn.execute(queries()["imports.create_staging"])
    for name in names:
        if name != "imports.create_staging":
            await conn.prepare(queries()[name])  # raises on a syntax, type or reference error


async def test_read_columns_are_the_struct_fields(conn: db.Connection) -> None:
    for name, struct in READS.items():
        statement = await conn.prepare(queries()[name])
        columns = [a.name for a in statement.get_attributes()]
        assert sorted(columns) == sorted(struct.__struct_fields__), name


def _scans(node: dict[str, Any]) -> list[tuple[str, str]]:
    """(node type, table) for every node of a plan that reads a table."""
    found = [(node["Node Type"], node["Relation Name"])] if "Relation Name" in node else []
    for child in node.get("Plans", []):
        found += _scans(child)
    return found


async def _scans_of(conn: db.Connection, sql: str, args: list[Any]) -> list[tuple[str, str]]:
    async with conn.transaction():
        # The seed world is tiny; forbid sequential scans so the plan shows whether an index can serve.
        await conn.execute("SET LOCAL enable_seqscan = off")
        rows = await conn.fetch("EXPLAIN (FORMAT JSON) " + sql, *args)
    return _scans(rows[0][0][0]["Plan"])  # the json codec has decoded the plan already


def _args(count: int, given: dict[int, Any], limit_position: int) -> list[Any]:
    args: list[Any] = [None] * count
    for position, value in given.items():
        args[position - 1] = value
    args[limit_position - 1] = 51
    return args


@pytest.mark.parametrize(("query", "table", "shapes"), [
    ("events.list", "events", EVENT_SHAPES),
    ("deals.list", "deals", DEAL_SHAPES),
])  # fmt: skip
async def test_list_queries_use_an_index_for_every_filter(
    conn: db.Connection, query: str, table: str, shapes: dict[str, dict[int, Any]]
) -> None:
    for shape, given in shapes.items():
        scans = await _scans_of(conn, queries()[query], _args(14, given, 14))
        assert any(t == table for _, t in scans), shape
        assert ("Seq Scan", table) not in scans, f"{query} with {shape}: {scans}"


async def test_other_list_queries_use_an_index(conn: db.Connection) -> None:
    cases: dict[str, tuple[list[Any], str]] = {
        "pairs.list": ([None, D, None, None, 51], "pair_activity"),
        "actors.list": ([None, None, None, None, None, 51], "actors"),
        "sources.list": ([None, None, 51], "sources"),
        "countries.list": ([None, 51], "countries"),
        "relationships.history": (["CN", "JP"], "relationship_periods"),
        "timeline.buckets": (["CN-KR", dt.date(2017, 1, 1), D, "month", D, 180.0], "pair_days"),
        "timeline.index_on": (["CN-KR", D, 180.0], "pair_days"),
        "timeline.deals": (["CN-KR", dt.date(2017, 1, 1), D, "month"], "deals"),
    }
    for name, (args, table) in cases.items():
        scans = await _scans_of(conn, queries()[name], args)
        assert any(t == table for _, t in scans), name
        assert ("Seq Scan", table) not in scans, f"{name}: {scans}"


async def test_the_guard_sees_a_sequential_scan(conn: db.Connection) -> None:
    scans = await _scans_of(conn, "SELECT id FROM events WHERE summary LIKE $1", ["%thaad%"])
    assert ("Seq Scan", "events") in scans
