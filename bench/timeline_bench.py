"""Pair timeline and relationship index latency on a large synthetic world.

    python -m bench.timeline_bench --events 1000000 --pair-share 0.05 --repeat 50

Creates its own database on DATABASE_URL's server (or an embedded one), loads the synthetic
events and deals with set-based SQL (the pair_days triggers maintain the daily tallies as they
would for any write), then times requests through the app: p50 and p99 of each URL. For
comparison it also times the same monthly aggregation computed straight from `events`.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import statistics
import time
from collections.abc import Awaitable, Callable

from litestar.testing import AsyncTestClient

from service import db, setup
from service.app import create_app
from tests.databases import Databases, app_settings, server_url, with_database

# Countries the synthetic events fall between; CN-KR gets `--pair-share` of all events.
COUNTRIES = [
    "US", "CN", "JP", "KR", "DE", "FR", "GB", "IN", "RU", "BR", "IT", "CA", "AU", "ES", "MX", "ID", "TR",
    "SA", "AR", "ZA", "NL", "CH", "SE", "PL", "BE", "TH", "VN", "MY", "SG", "PH", "PK", "EG", "NG", "IR",
    "IL", "UA", "KZ", "NO", "DK", "FI",
]  # fmt: skip
DAYS = 9500  # 2000-01-01 onwards, about 26 years

# One batch of events: numbers $1..$2. Event g falls on CN-KR when its hash lands below the share,
# otherwise between two countries picked by hashing g; the first picked country initiates.
EVENTS = """
WITH g AS (
    SELECT g, abs(hashint8(g)) AS h, abs(hashint8(-g)) AS k FROM generate_series($1::bigint, $2::bigint) g
), picked AS (
    SELECT g, h,
           CASE WHEN h % 10000 < $3::float8 * 10000 THEN 'CN'
                ELSE ($4::text[])[1 + k % cardinality($4)] END AS x,
           CASE WHEN h % 10000 < $3::float8 * 10000 THEN 'KR'
                ELSE ($4::text[])[1 + (k % cardinality($4) + 1 + k / 100 % (cardinality($4) - 1))
                                      % cardinality($4)] END AS y
    FROM g
), types AS (
    SELECT array_agg(id ORDER BY id) AS ids FROM event_types
)
INSERT INTO events (id, type, cameo_code, title, status, start_date, start_precision, countries, pairs,
                    initiators, targets)
SELECT 'ev-bench-' || p.g, t.id, t.cameo_code, 'Synthetic event ' || p.g, 'occurred',
       date '2000-01-01' + (p.h / 13 % $5)::int, 'day',
       ARRAY[least(x, y), greatest(x, y)], ARRAY[least(x, y) || '-' || greatest(x, y)],
       -- a third of the events have no direction (meetings), the rest go from x to y
       CASE WHEN p.h % 3 = 0 THEN '{}' ELSE ARRAY[x] END, CASE WHEN p.h % 3 = 0 THEN '{}' ELSE ARRAY[y] END
FROM picked p
CROSS JOIN types
JOIN event_types t ON t.id = types.ids[1 + p.h / 7 % cardinality(types.ids)]
"""

DEALS = """
WITH g AS (
    SELECT g, abs(hashint8(g + 7)) AS h FROM generate_series(1, $1::bigint) g
)
INSERT INTO deals (id, kind, title, status, signed_on, date_precision, amount, currency, value_basis,
                   value_usd, usd_method, countries, pairs)
SELECT 'deal-bench-' || g, 'export_contract', 'Synthetic deal ' || g, 'signed',
       date '2000-01-01' + (h / 13 % $2)::int, 'day', h % 100000000, 'USD', 'actual_total', h % 100000000,
       'reported',
       CASE WHEN h % 10 = 0 THEN ARRAY['CN', 'KR'] ELSE ARRAY['DE', 'FR'] END,
       CASE WHEN h % 10 = 0 THEN ARRAY['CN-KR'] ELSE ARRAY['DE-FR'] END
FROM g
"""

# The monthly aggregation a timeline needs, straight from the events table: what the rollup saves.
DIRECT = """
SELECT date_trunc('month', e.start_date)::date AS month, count(*), sum(c.goldstein)
FROM events e JOIN cameo_codes c ON c.code = e.cameo_code
WHERE e.pairs @> ARRAY[$1::text] AND e.status IN ('occurred', 'ongoing') AND e.start_date <= $2
GROUP BY 1 ORDER BY 1
"""


async def load(url: str, events: int, share: float, deals: int, batch: int) -> None:
    conn = await db.connect(url, app_settings(url))
    try:
        await setup.migrate_database(conn)
        await conn.execute("SET statement_timeout = 0")  # a bulk load, not a request
        started = time.perf_counter()
        for first in range(1, events + 1, batch):
            last = min(first + batch - 1, events)
            await conn.execute(EVENTS, first, last, share, COUNTRIES, DAYS, timeout=3600)
        seconds = time.perf_counter() - started
        rate = events / seconds
        print(f"loaded {events:,} events in {seconds:.1f} s ({rate:,.0f}/s, pair_days kept by triggers)")
        await conn.execute(DEALS, deals, DAYS, timeout=3600)
        # What autovacuum does after a bulk load: the triggers' updates left dead row versions behind.
        await conn.execute("VACUUM ANALYZE")
        for line in await conn.fetch(
            "SELECT (SELECT count(*) FROM events) AS events,"
            " (SELECT count(*) FROM events WHERE pairs @> ARRAY['CN-KR']) AS cn_kr,"
            " (SELECT count(*) FROM pair_days) AS pair_days,"
            " (SELECT count(*) FROM pair_days WHERE pair = 'CN-KR') AS cn_kr_days,"
            " (SELECT count(*) FROM deals WHERE pairs @> ARRAY['CN-KR']) AS cn_kr_deals"
        ):
            print("world:", dict(line))
    finally:
        await conn.close()


def report(label: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    print(f"{label:<72} p50 {p50 * 1000:7.1f} ms   p99 {p99 * 1000:7.1f} ms   (n={len(ordered)})")


async def timed(repeat: int, call: Callable[[], Awaitable[None]]) -> list[float]:
    await call()  # warm caches and prepared statements
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        await call()
        samples.append(time.perf_counter() - started)
    return samples


async def measure(url: str, repeat: int) -> None:
    urls = [
        "/v1/pairs/KR/CN/timeline?from=2000-01-01&to=2026-12-31&interval=month",
        "/v1/pairs/KR/CN/timeline?from=2000-01-01&to=2026-12-31&interval=year",
        "/v1/pairs/KR/CN/timeline?from=2013-04-01&to=2026-12-01&interval=day",
        "/v1/pairs/KR/CN/timeline?from=2000-01-01&to=2026-12-31&interval=week&format=csv",
        "/v1/pairs/DE/JP/timeline?from=2000-01-01&to=2026-12-31&interval=month",
        "/v1/relationships/KR/CN?as_of=2026-01-07",
    ]
    async with AsyncTestClient(app=create_app(app_settings(url)), base_url="http://bench.local") as client:
        for path in urls:

            async def get(path: str = path) -> None:
                response = await client.get(path)
                assert response.status_code == 200, response.text

            report(f"GET {path}", await timed(repeat, get))
    conn = await db.connect(url, app_settings(url))
    try:

        async def direct() -> None:
            await conn.fetch(DIRECT, "CN-KR", dt.date(2026, 12, 31))

        report("for comparison: CN-KR months aggregated from events (no rollup)", await timed(repeat, direct))
    finally:
        await conn.close()


async def main_async(args: argparse.Namespace) -> None:
    if args.url:  # a database loaded by an earlier --keep run
        await measure(args.url, args.repeat)
        return
    with server_url() as server:
        dbs = Databases(server)
        try:
            url = with_database(server, await dbs.create("bench_timeline"))
            await load(url, args.events, args.pair_share, args.deals, args.batch)
            await measure(url, args.repeat)
        finally:
            if args.keep:
                print(f"kept: --url {url}")
            else:
                await dbs.drop_all()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--pair-share", type=float, default=0.05, help="share of events on CN-KR")
    parser.add_argument("--deals", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=100_000, help="events per INSERT statement")
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="keep the loaded database and print its URL")
    parser.add_argument("--url", help="measure a database an earlier --keep run loaded, without loading")
    args = parser.parse_args()
    print(f"database: {'DATABASE_URL' if os.environ.get('DATABASE_URL') else 'embedded'}")
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
