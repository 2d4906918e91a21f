"""GDELT import throughput: write GDELT 2.0-shaped rows, import them into a fresh database, print rows/s.

    python -m bench.gdelt_bench --rows 1000000

Rows are deterministic for a seed: country actors drawn with a skew (a few pairs dominate), CAMEO
codes from the reference table, about one row in ten not between two countries (skipped), one
article URL per ten rows. Uses DATABASE_URL's server (its own database, dropped after) or an
embedded one. The second import of the same file measures the no-change path.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import tempfile
import time
from pathlib import Path
from typing import IO

from bench.import_bench import build_deferred, deferred_part, statement_timer
from service import db, gdelt, setup
from service.settings import Settings
from tests.databases import scratch_database

COUNTRIES = ["USA", "CHN", "RUS", "JPN", "KOR", "GBR", "FRA", "DEU", "IND", "IRN", "ISR", "UKR", "TUR", "PAK",
             "PRK", "SAU", "BRA", "AUS", "CAN", "MEX", "EGY", "NGA", "ZAF", "IDN", "VNM", "PHL", "TWN", "ITA",
             "ESP", "POL", "SYR", "IRQ", "AFG", "QAT", "ARE", "THA", "MYS", "SGP", "KAZ", "ETH"]  # fmt: skip
CODES = ["010", "012", "020", "036", "040", "042", "043", "046", "051", "057", "061", "071", "0874", "090",
         "100", "111", "112", "1231", "130", "141", "154", "163", "1711", "173", "181", "190"]  # fmt: skip


def write(out: IO[bytes], rows: int, seed: int) -> None:
    rng = random.Random(seed)
    weights = [1 / (rank + 1) ** 1.1 for rank in range(len(COUNTRIES))]
    start = dt.date(2015, 2, 19)
    for n in range(rows):
        a, b = rng.choices(COUNTRIES, weights, k=2)
        if n % 10 == 9:
            b = a  # a domestic row: skipped
        day = start + dt.timedelta(days=rng.randrange(4000))
        cols = [""] * 61
        stamp = day.strftime("%Y%m%d")
        code = rng.choice(CODES)
        cols[0], cols[1], cols[2], cols[3] = str(500_000_000 + n), stamp, stamp[:6], stamp[:4]
        cols[5], cols[6], cols[7] = a, a, a
        cols[15], cols[16], cols[17] = b, b, b
        cols[25], cols[26], cols[27], cols[28] = "1", code, code[:3], code[:2]
        cols[31], cols[32], cols[33] = (
            str(rng.randint(1, 50)),
            str(rng.randint(1, 10)),
            str(rng.randint(1, 50)),
        )
        cols[34] = f"{rng.uniform(-10, 10):.4f}"
        cols[51], cols[52], cols[53] = "1", "Somewhere", "US"
        cols[56], cols[57] = f"{rng.uniform(-60, 60):.4f}", f"{rng.uniform(-170, 170):.4f}"
        cols[59] = stamp + "120000"
        cols[60] = f"https://news.example.com/{n // 10}"
        out.write("\t".join(cols).encode() + b"\n")


async def run(path: Path, url: str, profile: float | None) -> None:
    settings = Settings(database_url=url)
    conn = await db.connect(url, settings)
    try:
        await setup.migrate_database(conn)
        if profile is not None:
            conn.add_query_logger(statement_timer(profile))
        for attempt in ("first import", "same file again"):
            started = time.perf_counter()
            with path.open("rb") as source:
                async with conn.transaction():
                    report = await gdelt.apply(conn, source, "bench", statement_timeout_ms=0)
            committed = time.perf_counter() - started
            await build_deferred(conn, url, settings)
            seconds = time.perf_counter() - started
            print(
                f"{attempt}: {report.lines} rows in {seconds:.1f} s = {report.lines / seconds:,.0f} rows/s "
                f"({report.changed} events written, {report.unchanged} unchanged, {report.skipped} skipped, "
                f"{len(report.errors)} refused{deferred_part(committed, seconds)})"
            )
    finally:
        await conn.close()


async def main_async(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.export.CSV"
        with path.open("wb") as out:
            write(out, args.rows, args.seed)
        print(f"generated {args.rows} GDELT 2.0 rows ({path.stat().st_size / 1e6:.0f} MB)")
        async with scratch_database("bench_gdelt") as url:
            await run(path, url, args.profile)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--profile", type=float, metavar="SECONDS", help="print slower statements")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(f"database: {'DATABASE_URL' if os.environ.get('DATABASE_URL') else 'embedded'}")
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
