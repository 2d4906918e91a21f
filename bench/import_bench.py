"""Bulk import throughput: generate a world, import it into a fresh database, print records/s.

    python -m bench.import_bench --events 800000 --deals 190000

Uses DATABASE_URL's server (creating and dropping its own database) or an embedded one.
The second import of the same file measures the no-change path (nothing is rewritten).
`--profile SECONDS` also prints every statement that ran at least that long, to see where a
load spends its time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from asyncpg.connection import LoggedQuery

from bench.generate import write
from service import db, deferred_indexes, importer, setup, staging
from service.settings import Settings
from tests.databases import scratch_database


async def build_deferred(conn: db.Connection, url: str, settings: Settings) -> None:
    """The indexes a load left for after its commit, built as `detente import` builds them."""
    if await deferred_indexes.pending(conn):
        await deferred_indexes.build_alongside(conn, lambda: db.opened(url, settings))


def deferred_part(committed: float, seconds: float) -> str:
    """When a load deferred indexes: the moment it committed, before they were built."""
    if seconds - committed < 0.05:
        return ""
    return f"; committed at {committed:.1f} s, then {seconds - committed:.1f} s building deferred indexes"


def statement_timer(threshold: float) -> Callable[[LoggedQuery], None]:
    def report(query: LoggedQuery) -> None:
        if query.elapsed >= threshold:
            print(f"  {query.elapsed:6.2f} s  {' '.join(query.query.split())[:100]}", flush=True)

    return report


async def run(path: Path, url: str, profile: float | None) -> None:
    settings = Settings(database_url=url)
    conn = await db.connect(url, settings)
    try:
        await setup.migrate_database(conn)
        resolver = await setup.load_resolver(conn)
        if profile is not None:
            conn.add_query_logger(statement_timer(profile))
        for attempt in ("first import", "same file again"):
            started = time.perf_counter()
            with path.open("rb") as lines:
                async with conn.transaction():
                    report = await importer.apply(
                        conn, resolver, staging.parse_lines(lines), "bench", statement_timeout_ms=0
                    )
            committed = time.perf_counter() - started
            await build_deferred(conn, url, settings)
            seconds = time.perf_counter() - started
            rate = report.lines / seconds
            print(
                f"{attempt}: {report.lines} records in {seconds:.1f} s = {rate:,.0f} records/s "
                f"({report.changed} changed, {report.unchanged} unchanged, {len(report.errors)} refused"
                f"{deferred_part(committed, seconds)})"
            )
        await floor(conn, report.lines)
    finally:
        await conn.close()


# The tables an import fills, with the columns it writes (the rest are generated or defaulted).
FLOOR_TABLES = ("events", "deals", "event_participants", "deal_parties", "event_sources", "deal_sources")


async def floor(conn: db.Connection, records: int) -> None:
    """The imported rows written again, straight into empty copies of their tables: no parsing,
    no checks, no revisions; only each table's own indexes, constraints and generated columns."""
    rows = 0
    await conn.execute("SET statement_timeout = 0")
    started = time.perf_counter()
    for table in FLOOR_TABLES:
        columns = await conn.fetchval(
            "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute "
            "WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''",
            table,
        )
        await conn.execute(f"CREATE TEMP TABLE floor_{table} (LIKE {table} INCLUDING ALL)")
        status = await conn.execute(f"INSERT INTO floor_{table} ({columns}) SELECT {columns} FROM {table}")
        rows += int(status.split()[-1])
    seconds = time.perf_counter() - started
    for table in FLOOR_TABLES:
        await conn.execute(f"DROP TABLE floor_{table}")
    print(
        f"table floor: the same {rows} rows into empty copies of {', '.join(FLOOR_TABLES)}: "
        f"{seconds:.1f} s = {records / seconds:,.0f} records/s"
    )


async def main_async(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "world.ndjson"
        with path.open("wb") as out:
            count = write(out, args.seed, args.events, args.deals, args.periods, 200)
        print(f"generated {count} records ({path.stat().st_size / 1e6:.0f} MB)")
        async with scratch_database("bench_import") as url:
            await run(path, url, args.profile)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=800_000)
    parser.add_argument("--deals", type=int, default=190_000)
    parser.add_argument("--periods", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", type=float, metavar="SECONDS", help="print slower statements")
    args = parser.parse_args()
    print(f"database: {'DATABASE_URL' if os.environ.get('DATABASE_URL') else 'embedded'}")
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
