"""Bulk import throughput: generate a world, import it into a fresh database, print records/s.

    python -m bench.import_bench --events 800000 --deals 190000

Uses DATABASE_URL's server (creating and dropping its own database) or an embedded one.
The second import of the same file measures the no-change path (nothing is rewritten).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from pathlib import Path

from bench.generate import write
from service import db, importer, setup
from service.settings import Settings
from tests.databases import Databases, server_url, with_database


async def run(path: Path, url: str) -> None:
    settings = Settings(database_url=url)
    conn = await db.connect(url, settings)
    try:
        await setup.migrate_database(conn)
        resolver = await setup.load_resolver(conn)
        for attempt in ("first import", "same file again"):
            started = time.perf_counter()
            with path.open("rb") as lines:
                async with conn.transaction():
                    report = await importer.apply(
                        conn, resolver, importer.parse_lines(lines), "bench", statement_timeout_ms=0
                    )
            seconds = time.perf_counter() - started
            rate = report.lines / seconds
            print(
                f"{attempt}: {report.lines} records in {seconds:.1f} s = {rate:,.0f} records/s "
                f"({report.changed} changed, {report.unchanged} unchanged, {len(report.errors)} refused)"
            )
    finally:
        await conn.close()


async def main_async(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "world.ndjson"
        with path.open("wb") as out:
            count = write(out, args.seed, args.events, args.deals, args.periods, 200)
        print(f"generated {count} records ({path.stat().st_size / 1e6:.0f} MB)")
        with server_url() as server:
            dbs = Databases(server)
            try:
                name = await dbs.create("bench_import")
                await run(path, with_database(server, name))
            finally:
                await dbs.drop_all()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=800_000)
    parser.add_argument("--deals", type=int, default=190_000)
    parser.add_argument("--periods", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(f"database: {'DATABASE_URL' if os.environ.get('DATABASE_URL') else 'embedded'}")
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
