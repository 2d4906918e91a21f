"""A batch large enough for the bulk path (row triggers off, revisions without copies) stays exact."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from bench.generate import write
from service import auth, db, importer, setup
from tests.api.writing import changes
from tests.conftest import ClientFactory
from tests.databases import app_settings

NDJSON = {"Content-Type": "application/x-ndjson"}


def world() -> list[bytes]:
    out = io.BytesIO()
    write(out, seed=7, n_events=4_200, n_deals=900, n_periods=12, countries=40)
    return out.getvalue().splitlines()


async def feed(client: Any, cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
    """Every change after `cursor`, following the feed to its end."""
    found: list[dict[str, Any]] = []
    while True:
        batch, cursor = await changes(client, cursor)
        found += batch
        if not batch:
            return found, cursor


INDEXES = """
SELECT i.indexrelid::regclass::text AS name, i.indexrelid::int AS oid,
       pg_get_indexdef(i.indexrelid) AS definition
FROM pg_index i WHERE i.indrelid = ANY ($1::text[]::regclass[]) ORDER BY 1
"""
CONSTRAINTS = """
SELECT conrelid::regclass::text AS tab, conname, pg_get_constraintdef(oid) AS definition
FROM pg_constraint WHERE conrelid = ANY ($1::text[]::regclass[]) ORDER BY 1, 2
"""
# Events and deals whose filter arrays are not what their participants and parties give (sorted
# as the importer sorts them: by code point).
FILTERS_DISAGREE = """
WITH e AS (
    SELECT e.id, e.countries, e.pairs, e.initiators, e.targets, e.actor_ids,
           coalesce(array_agg(DISTINCT p.country::text ORDER BY p.country::text)
                    FILTER (WHERE p.country IS NOT NULL), '{}') AS c,
           coalesce(array_agg(DISTINCT p.country::text ORDER BY p.country::text)
                    FILTER (WHERE p.role = 'initiator' AND p.country IS NOT NULL), '{}') AS i,
           coalesce(array_agg(DISTINCT p.country::text ORDER BY p.country::text)
                    FILTER (WHERE p.role = 'target' AND p.country IS NOT NULL), '{}') AS t,
           coalesce(array_agg(DISTINCT p.actor_id COLLATE "C" ORDER BY p.actor_id COLLATE "C")
                    FILTER (WHERE p.actor_id IS NOT NULL), '{}') AS a
    FROM events e LEFT JOIN event_participants p ON p.event_id = e.id GROUP BY e.id
), d AS (
    SELECT d.id, d.countries, d.pairs, d.actor_ids,
           coalesce(array_agg(DISTINCT p.country::text ORDER BY p.country::text)
                    FILTER (WHERE p.country IS NOT NULL), '{}') AS c,
           coalesce(array_agg(DISTINCT p.actor_id COLLATE "C" ORDER BY p.actor_id COLLATE "C")
                    FILTER (WHERE p.actor_id IS NOT NULL), '{}') AS a
    FROM deals d LEFT JOIN deal_parties p ON p.deal_id = d.id GROUP BY d.id
)
SELECT (SELECT count(*) FROM e
        WHERE (countries, initiators, targets, actor_ids) IS DISTINCT FROM (c, i, t, a)
           OR pairs IS DISTINCT FROM ARRAY(SELECT x || '-' || y FROM unnest(c) x, unnest(c) y
                                           WHERE x < y ORDER BY 1))
     + (SELECT count(*) FROM d
        WHERE (countries, actor_ids) IS DISTINCT FROM (c, a)
           OR pairs IS DISTINCT FROM ARRAY(SELECT x || '-' || y FROM unnest(c) x, unnest(c) y
                                           WHERE x < y ORDER BY 1))
"""
RELOADED = ["events", "event_participants", "event_sources", "revisions"]


async def indexes(url: str) -> dict[str, tuple[int, str]]:
    conn = await db.connect(url, app_settings(url))
    try:
        return {r["name"]: (r["oid"], r["definition"]) for r in await conn.fetch(INDEXES, RELOADED)}
    finally:
        await conn.close()


async def constraints(url: str) -> list[tuple[str, str, str]]:
    conn = await db.connect(url, app_settings(url))
    try:
        return [tuple(r) for r in await conn.fetch(CONSTRAINTS, RELOADED)]
    finally:
        await conn.close()


async def rolled_and_counted(conn: db.Connection) -> tuple[int, int]:
    """Events in the pair-day rollup, and the same number counted from the events."""
    rolled = await conn.fetchval("SELECT sum(events)::int FROM pair_days")
    counted = await conn.fetchval(
        "SELECT count(*)::int FROM events, unnest(pairs) WHERE status IN ('occurred', 'ongoing')"
    )
    return rolled, counted


async def migrated_with_key(url: str) -> str:
    """Migrate an empty database and give it a write key; returns the key's secret."""
    conn = await db.connect(url, app_settings(url))
    try:
        await setup.migrate_database(conn)
        return await auth.create(conn, "loader", "write")
    finally:
        await conn.close()


@pytest.fixture(params=[None, (1_500, 1_000)], ids=["one-batch", "batches"])
def batches(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """The load in one batch, or in batches of 1,500 records that each take the bulk path: the
    indexes are set aside by the first and built again after the last."""
    if request.param is not None:
        chunk, large = request.param
        monkeypatch.setattr(importer, "BATCH_SIZE", chunk)
        monkeypatch.setattr(importer, "LARGE_BATCH", large)


@pytest.mark.usefixtures("batches")
async def test_a_large_import_writes_every_record_its_links_and_its_revisions(
    api: Any, fresh_url: str
) -> None:
    lines = world()
    records = [json.loads(line) for line in lines]
    assert len(records) >= importer.LARGE_BATCH
    # A citation of a source that does not exist, in the middle: refused, the rest written.
    broken = dict(records[3000], id="ev-gen-broken", sources=[{"source_id": "src-nowhere"}])
    body = b"\n".join([*lines, json.dumps(broken).encode()]) + b"\n"
    _, cursor = await changes(api)
    before = await indexes(fresh_url)
    keys = await constraints(fresh_url)

    response = await api.post("/v1/import", content=body, headers=NDJSON)
    report = response.json()
    assert [(e["line"], e["id"]) for e in report["errors"]] == [(len(lines) + 1, "ev-gen-broken")]
    assert (report["valid"], report["changed"]) == (len(records), len(records))

    created, cursor = await feed(api, cursor)
    assert sorted((c["collection"], c["id"]) for c in created) == sorted(
        (r["collection"], r["id"]) for r in records
    )
    assert {c["op"] for c in created} == {"create"}
    event = next(r for r in records if r["collection"] == "events" and len(r["participants"]) == 3)
    served = (await api.get(f"/v1/events/{event['id']}")).json()
    assert [(p["role"], p["country"], p["actor_id"]) for p in served["participants"]] == [
        (p["role"], p.get("country"), p.get("actor_id")) for p in event["participants"]
    ]
    assert [s["source_id"] for s in served["sources"]] == [s["source_id"] for s in event["sources"]]
    assert served["participants"][2]["actor_name"].startswith("Actor ")
    assert next(c for c in created if c["id"] == event["id"])["item"] == served

    # The load outgrew the seeded events tables and the revisions: their secondary indexes were
    # dropped and built again (new oids), each exactly as it was defined.
    rebuilt = await indexes(fresh_url)
    assert {name: d for name, (_, d) in rebuilt.items()} == {name: d for name, (_, d) in before.items()}
    assert {name for name in before if before[name][0] != rebuilt[name][0]} >= {
        "events_pairs",
        "events_span",
        "events_search",
        "event_sources_source",
        "revisions_feed",
        # keys that no foreign key points at are set aside too, and added back as constraints
        "event_participants_pkey",
        "event_participants_event_id_role_country_actor_id_key",
        "event_sources_pkey",
        "revisions_collection_item_id_revision_key",
    }
    assert await constraints(fresh_url) == keys
    # The events key stays: foreign keys point at it.
    assert before["events_pkey"][0] == rebuilt["events_pkey"][0]
    # A date window is served through the rebuilt indexes: the newest events that start in it.
    window = await api.get("/v1/events", params={"from": "2010-01-01", "to": "2010-12-31", "limit": 5})
    in_2010 = [r for r in records if r["collection"] == "events" and r["start_date"].startswith("2010")]
    newest = sorted(in_2010, key=lambda r: (r["start_date"], r["id"]), reverse=True)[:5]
    assert [e["id"] for e in window.json()["items"]] == [r["id"] for r in newest]

    # The pair-day rollups follow a bulk load as they follow single writes.
    conn = await db.connect(fresh_url, app_settings(fresh_url))
    try:
        rolled = await conn.fetch(
            "SELECT pair, sum(events)::int AS n FROM pair_days GROUP BY pair ORDER BY pair"
        )
        counted = await conn.fetch(
            "SELECT p AS pair, count(*)::int AS n FROM events, unnest(pairs) p "
            "WHERE status IN ('occurred', 'ongoing') GROUP BY p ORDER BY p"
        )
        deals_rolled = await conn.fetch(
            "SELECT pair, sum(deals)::int, sum(deal_usd) FROM pair_deal_days GROUP BY pair ORDER BY pair"
        )
        deals_counted = await conn.fetch(
            "SELECT p, count(*)::int, coalesce(sum(value_usd) FILTER (WHERE part_of IS NULL "
            "AND value_basis IN ('actual_total', 'estimate')), 0) "
            "FROM deals, unnest(pairs) p GROUP BY p ORDER BY p"
        )
        # The filter arrays the list queries search agree with the members written.
        disagree = await conn.fetchval(FILTERS_DISAGREE)
    finally:
        await conn.close()
    assert disagree == 0
    assert [tuple(r) for r in rolled] == [tuple(r) for r in counted]
    assert len(deals_counted) > 100
    assert [tuple(r) for r in deals_rolled] == [tuple(r) for r in deals_counted]

    # Again: nothing changes. Then one edit in a large batch: one revision, with its diff.
    again = (await api.post("/v1/import", content=b"\n".join(lines), headers=NDJSON)).json()
    assert (again["changed"], again["unchanged"]) == (0, len(records))
    # A load that writes nothing (or little, next to what is stored) keeps the indexes it found.
    assert await indexes(fresh_url) == rebuilt
    assert (await feed(api, cursor))[0] == []
    edited = [json.dumps(dict(event, title="Renamed in bulk")).encode() if r == event else line
              for r, line in zip(records, lines, strict=True)]  # fmt: skip
    third = (await api.post("/v1/import", content=b"\n".join(edited), headers=NDJSON)).json()
    assert third["changed"] == 1
    [change], _ = await feed(api, cursor)
    assert (change["id"], change["op"], change["revision"]) == (event["id"], "update", 2)
    assert change["diff"] == {
        "title": "Renamed in bulk",
        "revision": 2,
        "updated_at": change["item"]["updated_at"],
    }
    history = (await api.get(f"/v1/events/{event['id']}/revisions")).json()["items"]
    assert [h["revision"] for h in history] == [1, 2]
    assert history[0]["diff"]["title"] == event["title"]


async def test_a_load_does_not_wait_behind_a_reader_it_keeps_the_indexes_instead(
    api: Any, fresh_url: str
) -> None:
    """A long read (an export, say) holds the events table: a load that would rebuild its indexes
    gives up the lock after a moment and writes with the indexes in place, rather than queue
    every later request behind it."""
    lines = world()
    before = await indexes(fresh_url)
    reader = await db.connect(fresh_url, app_settings(fresh_url))
    try:
        async with reader.transaction():
            await reader.fetchval("SELECT count(*) FROM events")
            report = (await api.post("/v1/import", content=b"\n".join(lines), headers=NDJSON)).json()
            # Committed while the reader's transaction is still open (read committed: it sees them).
            events = sum(b'"collection":"events"' in line for line in lines)
            assert await reader.fetchval("SELECT count(*) FROM events WHERE id LIKE 'ev-gen-%'") == events
    finally:
        await reader.close()
    assert (report["changed"], report["errors"]) == (len(lines), [])
    assert await indexes(fresh_url) == before
    conn = await db.connect(fresh_url, app_settings(fresh_url))
    try:
        rolled, counted = await rolled_and_counted(conn)
    finally:
        await conn.close()
    assert rolled == counted


@pytest.mark.usefixtures("batches")
async def test_a_load_into_an_empty_database_writes_exactly_the_links_of_what_it_accepts(
    empty_url: str, make_client: ClientFactory
) -> None:
    """Into collections that hold nothing yet, every staged item is new and its links are written
    without looking up what changed: a refused record in the middle must still leave no link, and
    a record held back for an actor that comes later must get all of its links."""
    key = await migrated_with_key(empty_url)
    lines = world()
    records = [json.loads(line) for line in lines]
    events = [r for r in records if r["collection"] == "events"]
    broken = dict(events[2000], id="ev-gen-broken", sources=[{"source_id": "src-nowhere"}])
    # Points at an actor that only the file's last line brings, a batch or more later.
    late = dict(events[1000], id="ev-gen-late")
    late["participants"] = [*late["participants"], {"role": "target", "actor_id": "actor-late"}]
    first_actor = next(r for r in records if r["collection"] == "actors")
    actor = dict(first_actor, id="actor-late", name="Late Actor")
    middle = len(lines) // 2
    body = [*lines[:middle], json.dumps(broken).encode(), json.dumps(late).encode(), *lines[middle:]]
    body.append(json.dumps(actor).encode())

    async with make_client(empty_url) as api:
        api.headers["Authorization"] = f"Bearer {key}"
        report = (await api.post("/v1/import", content=b"\n".join(body), headers=NDJSON)).json()
        assert [(e["line"], e["id"]) for e in report["errors"]] == [(middle + 1, "ev-gen-broken")]
        assert (report["valid"], report["changed"]) == (len(records) + 2, len(records) + 2)
        served = (await api.get("/v1/events/ev-gen-late")).json()
        assert [(p["role"], p["actor_id"]) for p in served["participants"]][-1] == ("target", "actor-late")
        assert served["participants"][-1]["actor_name"] == "Late Actor"
        assert (await api.get("/v1/events/ev-gen-broken")).status_code == 404

    accepted = [*events, late]
    deals = [r for r in records if r["collection"] == "deals"]
    conn = await db.connect(empty_url, app_settings(empty_url))
    try:
        written = await conn.fetchrow(
            "SELECT (SELECT count(*) FROM event_participants) AS participants,"
            " (SELECT count(*) FROM event_sources) AS citations,"
            " (SELECT count(*) FROM deal_parties) AS parties,"
            " (SELECT count(*) FROM deal_sources) AS deal_citations,"
            " (SELECT count(*) FROM event_participants WHERE event_id = 'ev-gen-broken')"
            " + (SELECT count(*) FROM event_sources WHERE event_id = 'ev-gen-broken') AS of_broken"
        )
        disagree = await conn.fetchval(FILTERS_DISAGREE)
    finally:
        await conn.close()
    assert dict(written) == {
        "participants": sum(len(e["participants"]) for e in accepted),
        "citations": sum(len(e["sources"]) for e in accepted),
        "parties": sum(len(d["parties"]) for d in deals),
        "deal_citations": sum(len(d["sources"]) for d in deals),
        "of_broken": 0,
    }
    assert disagree == 0


async def test_a_load_that_outgrows_a_table_after_a_checked_batch_writes_everything(
    empty_url: str, make_client: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first batch changes too little for the bulk path and is written with row checks on,
    which queue the deferred reference checks of events; the next batch reloads the events table
    and pauses its rollup, which PostgreSQL refuses while checks are queued on the table."""
    monkeypatch.setattr(importer, "BATCH_SIZE", 1_500)
    monkeypatch.setattr(importer, "LARGE_BATCH", 1_000)
    key = await migrated_with_key(empty_url)
    lines = world()
    kinds = [json.loads(line)["collection"] for line in lines]
    first_event = kinds.index("events")
    known = lines[: first_event + 900]  # the first batch of the full load finds these unchanged

    async with make_client(empty_url) as api:
        api.headers["Authorization"] = f"Bearer {key}"
        before = (await api.post("/v1/import", content=b"\n".join(known), headers=NDJSON)).json()
        assert (before["changed"], before["errors"]) == (len(known), [])
        report = (await api.post("/v1/import", content=b"\n".join(lines), headers=NDJSON)).json()
        assert (report["changed"], report["unchanged"], report["errors"]) == (
            len(lines) - len(known),
            len(known),
            [],
        )
        events = (await api.get("/v1/events", params={"limit": 1})).json()
        assert events["items"]

    conn = await db.connect(empty_url, app_settings(empty_url))
    try:
        stored = await conn.fetchval("SELECT count(*) FROM events")
        rolled, counted = await rolled_and_counted(conn)
    finally:
        await conn.close()
    assert stored == kinds.count("events")
    assert rolled == counted
