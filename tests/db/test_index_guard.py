"""The index guard at realistic size: every list query shape is planned against a generated
database of ~80k events and ~20k deals with skewed countries and real planner statistics, and
none may read the events or deals table sequentially.

tests/db/test_queries.py proves each filter *can* use an index on the seed world (sequential
scans switched off); this proves the planner *does* choose one when the tables are big enough
for the choice to matter, for a frequent and a rare value of each filter, on the first page and
on a keyset page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from decimal import Decimal
from typing import Any, cast

import pytest

from service import db
from service.repos import deals as deal_repo
from service.repos import events as event_repo
from service.routes.pairs import LATEST
from service.sql import queries
from tests.databases import Databases, app_settings, with_database

EVENTS = 80_000
DEALS = 20_000
# The pair page's latest items, a default page plus the row that tells whether another follows,
# and the largest page. Not the 500-row pages of a streamed (NDJSON, CSV) list: on 20k deals such
# a page is 2.5% of the table, and reading the table once to join it is then the cheaper plan,
# rightly chosen (the planner switches to primary-key probes near 50k deals).
PAGE_LIMITS = (LATEST, 51, 201)

# Vocabularies are drawn from the reference tables themselves, so every row passes the foreign
# keys; countries are ordered by a hash and drawn with a power law, so a few pairs hold most rows,
# as in GDELT-style data. The statements are deterministic (setseed) within a PostgreSQL version.
VOCABULARY = """
WITH vocab AS MATERIALIZED (
    SELECT (SELECT array_agg(code ORDER BY md5(code)) FROM countries) AS codes,
           (SELECT array_agg(id ORDER BY id) FROM event_types) AS types,
           (SELECT array_agg(cameo_code ORDER BY id) FROM event_types) AS cameos,
           (SELECT array_agg(id ORDER BY id) FROM sectors) AS sectors,
           ARRAY['tariff', 'summit', 'boycott', 'semiconductor', 'sanction', 'visit', 'memorandum',
                 'export', 'investment', 'ministers', 'talks', 'protest', 'drills', 'shipping', 'rare',
                 'earth', 'battery', 'tourism', 'students', 'fishing', 'pipeline', 'grain', 'vaccine',
                 'satellite', 'nuclear', 'embassy', 'airline', 'steel', 'currency', 'swap'] AS words
)
"""
# Two countries per row: index draws with a power law; a repeated draw moves to the next code.
COUNTRY_DRAWS = """
    SELECT d.*, v.codes[ia] AS a,
           v.codes[CASE WHEN ib = ia THEN ib % cardinality(v.codes) + 1 ELSE ib END] AS b
    FROM (
        SELECT i, 1 + (power(random(), 2.5) * n)::int % n AS ia,
               1 + (power(random(), 2.5) * n)::int % n AS ib,
               random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5,
               random() AS r6, random() AS r7, random() AS r8, random() AS r9, random() AS r10,
               random() AS r11, random() AS r12
        FROM generate_series(1, $1::int) AS i, (SELECT cardinality(codes) AS n FROM vocab) AS size
    ) d, vocab v
"""
GENERATE_EVENTS = f"""
INSERT INTO events (id, type, cameo_code, title, summary, status, start_date, start_precision, end_date,
                    end_precision, sectors, countries, pairs, initiators, targets, actor_ids)
{VOCABULARY}
SELECT 'ev-gen-' || lpad(i::text, 7, '0'), v.types[t], v.cameos[t],
       'Event ' || i || ' ' || v.words[1 + (r3 * 29)::int] || ' ' || a || ' ' || b,
       v.words[1 + (r4 * 29)::int] || ' and ' || v.words[1 + (r5 * 29)::int],
       CASE WHEN r2 < 0.86 THEN 'occurred' WHEN r2 < 0.91 THEN 'scheduled' WHEN r2 < 0.95 THEN 'ongoing'
            WHEN r2 < 0.98 THEN 'postponed' ELSE 'cancelled' END,
       start_date, CASE WHEN r11 < 0.9 THEN 'day' WHEN r11 < 0.95 THEN 'month' ELSE 'year' END,
       CASE WHEN r7 < 0.1 THEN start_date + (r7 * 4000)::int END, CASE WHEN r7 < 0.1 THEN 'day' END,
       CASE WHEN r8 < 0.35 THEN '{{}}'::text[] WHEN r8 < 0.8 THEN ARRAY[v.sectors[1 + (r9 * 21)::int]]
            ELSE ARRAY[v.sectors[1 + (r9 * 21)::int], v.sectors[1 + (r10 * 21)::int]] END,
       ARRAY[a, b], ARRAY[least(a, b) || '-' || greatest(a, b)],
       CASE WHEN r12 < 0.7 THEN ARRAY[a] ELSE '{{}}' END, CASE WHEN r12 < 0.7 THEN ARRAY[b] ELSE '{{}}' END,
       CASE WHEN r8 < 0.3 THEN ARRAY['actor-gen-' || lpad((power(r11, 2) * 500)::int::text, 4, '0')]
            ELSE '{{}}' END
FROM (
    SELECT c.*, 1 + (power(r1, 1.6) * cardinality(v.types))::int % cardinality(v.types) AS t,
           -- Coverage grows towards the present, as in real event data.
           DATE '2000-01-01' + (sqrt(r6) * 9677)::int AS start_date
    FROM ({COUNTRY_DRAWS}) c, vocab v
) rows, vocab v
"""
GENERATE_DEALS = f"""
INSERT INTO deals (id, kind, title, summary, status, signed_on, date_precision, amount, currency, value_basis,
                   value_usd, usd_method, sectors, countries, pairs, actor_ids, event_id)
{VOCABULARY}
SELECT 'deal-gen-' || lpad(i::text, 7, '0'),
       (ARRAY['export_contract', 'export_contract', 'export_contract', 'mou', 'mou', 'investment',
              'investment', 'joint_venture', 'trade_agreement', 'loan', 'procurement', 'licence'])
           [1 + (r1 * 11)::int],
       'Deal ' || i || ' ' || v.words[1 + (r3 * 29)::int] || ' ' || a || ' ' || b,
       v.words[1 + (r4 * 29)::int],
       CASE WHEN r2 < 0.5 THEN 'signed' WHEN r2 < 0.8 THEN 'announced' WHEN r2 < 0.9 THEN 'in_force'
            WHEN r2 < 0.96 THEN 'completed' WHEN r2 < 0.98 THEN 'suspended' ELSE 'cancelled' END,
       DATE '2000-01-01' + (sqrt(r6) * 9677)::int, 'day',
       CASE WHEN r7 < 0.8 THEN usd END, CASE WHEN r7 < 0.8 THEN 'USD' END,
       CASE WHEN r7 < 0.8 THEN 'actual_total' END, CASE WHEN r7 < 0.8 THEN usd END,
       CASE WHEN r7 < 0.8 THEN 'reported' END,
       ARRAY[v.sectors[1 + (r9 * 21)::int]], ARRAY[a, b], ARRAY[least(a, b) || '-' || greatest(a, b)],
       CASE WHEN r5 < 0.3 THEN ARRAY['actor-gen-' || lpad((power(r11, 2) * 500)::int::text, 4, '0')]
            ELSE '{{}}' END,
       -- One deal in twenty was signed at one of the generated events.
       CASE WHEN r10 < 0.05 THEN 'ev-gen-' || lpad((1 + r12 * ($2::int - 1))::int::text, 7, '0') END
FROM (
    SELECT c.*, round(power(10, 4 + r8 * 6)::numeric, 2) AS usd FROM ({COUNTRY_DRAWS}) c
) rows, vocab v
"""
# The most and the least frequent value of a filter, as the statistics-minded planner sees them.
COMMON_AND_RARE = """
WITH counted AS (SELECT {value} AS value, count(*) AS n FROM {table}{unnest} GROUP BY 1)
SELECT (SELECT value FROM counted ORDER BY n DESC, value LIMIT 1),
       (SELECT value FROM counted ORDER BY n, value LIMIT 1)
"""


def _scans(node: dict[str, Any]) -> list[tuple[str, str]]:
    """(node type, table) for every node of a plan that reads a table."""
    found = [(node["Node Type"], node["Relation Name"])] if "Relation Name" in node else []
    for child in node.get("Plans", []):
        found += _scans(child)
    return found


class Planner:
    """Handed to the repository functions in place of a connection: each statement they send is
    planned with EXPLAIN on the real database instead of run, so the guard covers exactly the SQL
    and parameters the service sends, whatever positions the parameters take."""

    def __init__(self, conn: db.Connection) -> None:
        self.conn = conn
        self.plans: list[dict[str, Any]] = []

    async def fetch(self, query: str, *args: Any) -> list[Any]:
        rows = await self.conn.fetch("EXPLAIN (FORMAT JSON) " + query, *args)
        self.plans.append(rows[0][0][0]["Plan"])  # the json codec has decoded the plan already
        return []


async def _generate(conn: db.Connection) -> None:
    # Bulk-built indexes are several times faster than maintaining them row by row: keep their
    # definitions, drop them, load, and create them again exactly as the migrations left them.
    indexes = await conn.fetch(
        """SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS definition
           FROM pg_index i
           WHERE i.indrelid IN ('events'::regclass, 'deals'::regclass) AND NOT i.indisunique"""
    )
    for index in indexes:
        await conn.execute(f"DROP INDEX {index['name']}")
    # Triggers that maintain derived tables would run per row; the guard reads events and deals.
    await conn.execute("ALTER TABLE events DISABLE TRIGGER USER; ALTER TABLE deals DISABLE TRIGGER USER")
    await conn.execute("SET jit = off; SET maintenance_work_mem = '128MB'")
    await conn.execute("SELECT setseed(0.25)")
    await conn.execute(GENERATE_EVENTS, EVENTS)
    await conn.execute("SELECT setseed(0.75)")
    await conn.execute(GENERATE_DEALS, DEALS, EVENTS)
    for index in indexes:
        await conn.execute(index["definition"])
    await conn.execute("ALTER TABLE events ENABLE TRIGGER USER; ALTER TABLE deals ENABLE TRIGGER USER")
    # pair_activity as the write path leaves it after a bulk load (pairs.counts reads it).
    await conn.execute(queries()["pairs.rebuild"])
    # A sample (300 × target rows) larger than the tables: ANALYZE reads every row, so the
    # statistics, and with them the plans, are the same on every run.
    await conn.execute("SET default_statistics_target = 400; ANALYZE; RESET default_statistics_target")


@pytest.fixture(scope="module")
async def big(databases: Databases, template_db: str) -> AsyncIterator[db.Connection]:
    """A connection (with the service's session settings) to a migrated, generated database."""
    name = await databases.create("big", template=template_db)
    url = with_database(databases.url, name)
    conn = await db.connect(url, app_settings(url, statement_timeout_ms=0))
    try:
        await _generate(conn)  # about 10 s on two cores
        await conn.execute(f"SET statement_timeout = {app_settings().statement_timeout_ms}")
        yield conn
    finally:
        await conn.close()
        await databases.drop(name)


async def _common_and_rare(conn: db.Connection, table: str, column: str) -> tuple[Any, Any]:
    array = column in {"countries", "pairs", "initiators", "targets", "actor_ids", "sectors"}
    sql = COMMON_AND_RARE.format(
        table=table, value="x" if array else column, unnest=f", unnest({column}) AS x" if array else ""
    )
    row = await conn.fetchrow(sql)
    assert row is not None
    return row[0], row[1]


Shape = tuple[str, Any]


async def _event_shapes(conn: db.Connection) -> list[Shape]:
    """(label, EventFilters) for every filter alone, with a frequent and a rare value, and some mixes."""
    shapes: list[Shape] = [("no filter", event_repo.EventFilters())]
    for field, column in [("country", "countries"), ("pair", "pairs"), ("initiator", "initiators"),
                          ("target", "targets"), ("type", "type"), ("actor", "actor_ids"),
                          ("sector", "sectors")]:  # fmt: skip
        common, rare = await _common_and_rare(conn, "events", column)
        shapes += [(f"{field}={v}", event_repo.EventFilters(**{field: v})) for v in (common, rare)]
    for status in ("occurred", "scheduled", "ongoing", "postponed", "cancelled"):
        shapes.append((f"status={status}", event_repo.EventFilters(status=status)))
    day = dt.date
    windows = [(day(2017, 3, 1), day(2017, 3, 31)), (day(2010, 1, 1), day(2019, 12, 31)),
               (day(2025, 6, 1), None), (None, day(2001, 1, 31))]  # fmt: skip
    for start, end in windows:
        shapes.append((f"from={start} to={end}", event_repo.EventFilters(date_from=start, date_to=end)))
    for words in ("boycott", "rare earth", "semiconductor -tariff", "nosuchword"):
        shapes.append((f"q={words}", event_repo.EventFilters(q=words)))
    country, _ = await _common_and_rare(conn, "events", "countries")
    pair, _ = await _common_and_rare(conn, "events", "pairs")
    a, b = pair.split("-")
    shapes += [
        ("initiator+target", event_repo.EventFilters(initiator=a, target=b)),
        ("pair+type", event_repo.EventFilters(pair=pair, type="statement")),
        ("country+status", event_repo.EventFilters(country=country, status="cancelled")),
        ("country+from", event_repo.EventFilters(country=country, date_from=day(2024, 1, 1))),
        ("sector+q", event_repo.EventFilters(sector="energy", q="pipeline")),
    ]
    return shapes


async def _deal_shapes(conn: db.Connection) -> list[Shape]:
    """(label, DealFilters) as for events, plus the USD bounds."""
    shapes: list[Shape] = [("no filter", deal_repo.DealFilters())]
    for field, column in [("country", "countries"), ("pair", "pairs"), ("kind", "kind"),
                          ("actor", "actor_ids"), ("sector", "sectors")]:  # fmt: skip
        common, rare = await _common_and_rare(conn, "deals", column)
        shapes += [(f"{field}={v}", deal_repo.DealFilters(**{field: v})) for v in (common, rare)]
    for status in ("announced", "signed", "in_force", "completed", "suspended", "cancelled"):
        shapes.append((f"status={status}", deal_repo.DealFilters(status=status)))
    usd = Decimal
    for low, high in [(usd(10**9), None), (None, usd(20_000)), (usd(10**6), usd(2 * 10**6)), (usd(1), None)]:
        shapes.append((f"min_usd={low} max_usd={high}", deal_repo.DealFilters(min_usd=low, max_usd=high)))
    day = dt.date
    windows = [(day(2017, 3, 1), day(2017, 3, 31)), (day(2025, 6, 1), None), (None, day(2001, 1, 31))]
    for start, end in windows:
        shapes.append((f"from={start} to={end}", deal_repo.DealFilters(date_from=start, date_to=end)))
    for words in ("memorandum", "rare earth", "nosuchword"):
        shapes.append((f"q={words}", deal_repo.DealFilters(q=words)))
    country, _ = await _common_and_rare(conn, "deals", "countries")
    shapes += [
        ("country+kind", deal_repo.DealFilters(country=country, kind="loan")),
        ("country+min_usd", deal_repo.DealFilters(country=country, min_usd=usd(10**9))),
        ("status+from", deal_repo.DealFilters(status="suspended", date_from=day(2020, 1, 1))),
    ]
    return shapes


# A key from the middle of the date range: the page after it is a deep keyset page.
EVENT_KEY = ["2016-07-01", "ev-gen-0040000"]
DEAL_KEY = ["2016-07-01", "deal-gen-0010000"]

ListQuery = Callable[[db.Connection, Any, int, Any], Awaitable[Any]]


async def _violations(conn: db.Connection, run: ListQuery, shapes: list[Shape], key: list[Any]) -> list[str]:
    """Each shape on its first and a keyset page at each page size: the plans that scan sequentially."""
    found: list[str] = []
    for label, filters in shapes:
        for after in (None, key):
            for limit in PAGE_LIMITS:
                planner = Planner(conn)
                await run(cast(db.Connection, planner), after, limit, filters)
                assert planner.plans, label
                for plan in planner.plans:
                    scans = _scans(plan)
                    bad = sorted({t for node, t in scans if node == "Seq Scan" and t in {"events", "deals"}})
                    if bad:
                        page = "keyset page" if after else "first page"
                        found.append(f"{label} ({page}, limit {limit}): sequential scan of {', '.join(bad)}")
    return found


async def test_the_generated_database_is_of_realistic_size(big: db.Connection) -> None:
    counts = await big.fetchrow(
        "SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM deals) AS deals,"
        " (SELECT count(DISTINCT p) FROM events, unnest(pairs) p) AS pairs"
    )
    assert counts is not None
    assert counts["events"] >= EVENTS
    assert counts["deals"] >= DEALS
    # Skewed, not uniform: thousands of pairs, the busiest holding a few per cent of all events.
    assert counts["pairs"] > 2_000
    busiest = await big.fetchval(
        "SELECT max(n) FROM (SELECT count(*) AS n FROM events, unnest(pairs) p GROUP BY p) t"
    )
    assert EVENTS * 0.005 < busiest < EVENTS * 0.2


async def test_no_event_list_shape_scans_a_table(big: db.Connection) -> None:
    shapes = await _event_shapes(big)
    assert len(shapes) > 30
    found = await _violations(big, event_repo.list_events, shapes, EVENT_KEY)
    assert not found, "\n".join(found)


async def test_no_deal_list_shape_scans_a_table(big: db.Connection) -> None:
    shapes = await _deal_shapes(big)
    assert len(shapes) > 25
    found = await _violations(big, deal_repo.list_deals, shapes, DEAL_KEY)
    assert not found, "\n".join(found)


async def test_the_pair_page_queries_use_indexes(big: db.Connection) -> None:
    busiest, quietest = await _common_and_rare(big, "events", "pairs")
    found: list[str] = []
    for key in (busiest, quietest):
        for name in ("pairs.counts", "pairs.deal_totals"):
            rows = await big.fetch("EXPLAIN (FORMAT JSON) " + queries()[name], key)
            scans = _scans(rows[0][0][0]["Plan"])
            found += [f"{name} for {key}: {node} on {t}" for node, t in scans if node == "Seq Scan"]
    assert not found, "\n".join(found)


async def test_the_guard_sees_a_sequential_scan(big: db.Connection) -> None:
    planner = Planner(big)
    await planner.fetch("SELECT id FROM events WHERE summary LIKE $1", "%grain%")
    assert ("Seq Scan", "events") in _scans(planner.plans[0])
