"""A bulk load commits its rows with its keys, then its plain indexes are built side by side."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from service import db, deferred_indexes, importer, setup, staging
from tests.api.test_bulk_import import NDJSON, constraints, indexes, world
from tests.databases import app_settings
from tests.test_cli import detente

DEFERRED = "SELECT name, definition FROM deferred_indexes ORDER BY name"


async def load_and_commit(url: str, lines: list[bytes]) -> None:
    """A bulk load committed, as a process stopped right after its commit leaves it."""
    conn = await db.connect(url, app_settings(url))
    try:
        resolver = await setup.load_resolver(conn)
        async with conn.transaction():
            items = staging.parse_lines(lines)
            report = await importer.apply(conn, resolver, items, "test", statement_timeout_ms=0)
        assert report.changed == len(lines)
    finally:
        await conn.close()


async def deferred(url: str) -> dict[str, str]:
    conn = await db.connect(url, app_settings(url))
    try:
        return {r["name"]: r["definition"] for r in await conn.fetch(DEFERRED)}
    finally:
        await conn.close()


def plain(found: dict[str, tuple[int, str]]) -> dict[str, str]:
    return {name: d for name, (_, d) in found.items() if d.startswith("CREATE INDEX ")}


async def test_a_load_commits_with_its_keys_and_lists_its_plain_indexes_for_after(
    api: Any, fresh_url: str
) -> None:
    lines = world()
    records = [json.loads(line) for line in lines]
    before = await indexes(fresh_url)
    keys = await constraints(fresh_url)

    await load_and_commit(fresh_url, lines)

    # The keys are back inside the load; the plain indexes of the tables it outgrew wait, listed
    # with the definitions they had.
    listed = await deferred(fresh_url)
    assert {n: d for n, d in listed.items() if n in before} == plain(before)
    assert {"events_pairs", "events_span", "events_search", "revisions_known"} <= set(listed)
    assert not set(listed) & set(await indexes(fresh_url))
    assert await constraints(fresh_url) == keys

    # Readers get every committed row meanwhile, by scanning.
    events = [r for r in records if r["collection"] == "events"]
    countries = [{p.get("country") for p in r["participants"]} - {None} for r in events]
    a, b = sorted(next(c for c in countries if len(c) == 2))
    both = [(r["start_date"], r["id"]) for r, c in zip(events, countries, strict=True) if {a, b} <= c]
    expected = sorted(both, reverse=True)
    served = await api.get("/v1/events", params={"pair": f"{a}-{b}", "limit": 100})
    assert served.status_code == 200
    assert [e["id"] for e in served.json()["items"]] == [i for _, i in expected][:100]

    # Two sessions build them all, each once, exactly as they were.
    first = await db.connect(fresh_url, app_settings(fresh_url))
    second = await db.connect(fresh_url, app_settings(fresh_url))
    try:
        built = await deferred_indexes.build([first, second])
        # Each session's client-side bound follows the request timeout again.
        assert (
            first._config.command_timeout
            == second._config.command_timeout
            == db.command_timeout(app_settings().statement_timeout_ms)
        )
    finally:
        await first.close()
        await second.close()
    assert sorted(built) == sorted(listed)
    assert plain(await indexes(fresh_url)) == plain(before)
    assert await deferred(fresh_url) == {}


async def test_indexes_a_stopped_load_left_are_built_when_the_database_is_next_prepared(
    fresh_url: str,
) -> None:
    before = await indexes(fresh_url)
    await load_and_commit(fresh_url, world())
    listed = await deferred(fresh_url)
    assert "events_pairs" in listed
    conn = await db.connect(fresh_url, app_settings(fresh_url))
    try:
        # Someone built one of them by hand meanwhile: it is taken as built.
        await conn.execute(listed["events_pairs"])
        # What `detente db migrate` and the service's start run.
        await setup.migrate_database(conn)
        left = await conn.fetchval("SELECT count(*) FROM deferred_indexes")
    finally:
        await conn.close()
    assert left == 0
    assert plain(await indexes(fresh_url)) == plain(before)


async def test_an_http_import_answers_once_its_indexes_are_built(api: Any, fresh_url: str) -> None:
    before = await indexes(fresh_url)
    response = await api.post("/v1/import", content=b"\n".join(world()), headers=NDJSON)
    assert response.status_code == 200
    assert await deferred(fresh_url) == {}
    rebuilt = await indexes(fresh_url)
    assert plain(rebuilt) == plain(before)
    assert {n for n in plain(before) if before[n][0] != rebuilt[n][0]} >= {"events_pairs", "revisions_known"}


def test_the_import_command_builds_the_indexes_it_deferred(fresh_url: str, tmp_path: Path) -> None:
    path = tmp_path / "world.ndjson"
    path.write_bytes(b"\n".join(world()) + b"\n")
    before = asyncio.run(indexes(fresh_url))
    done = detente(fresh_url, "import", "-q", str(path))
    assert done.returncode == 0, done.stderr
    assert asyncio.run(deferred(fresh_url)) == {}
    rebuilt = asyncio.run(indexes(fresh_url))
    assert plain(rebuilt) == plain(before)
    assert before["events_span"][0] != rebuilt["events_span"][0]


async def test_only_plain_indexes_can_wait(fresh_url: str) -> None:
    unique = "CREATE UNIQUE INDEX x ON public.events USING btree (title)"
    key = "ALTER TABLE events ADD CONSTRAINT x UNIQUE (title)"
    index = "CREATE INDEX events_x ON public.events USING btree (title)"
    assert deferred_indexes.split([unique, index, key]) == ([index], [unique, key])
    conn = await db.connect(fresh_url, app_settings(fresh_url))
    try:
        with pytest.raises(ValueError, match="plain"):
            await deferred_indexes.defer(conn, [index, unique])
        assert await conn.fetch(DEFERRED) == []
    finally:
        await conn.close()


async def test_an_import_with_no_connection_to_spare_builds_its_indexes_alone(
    fresh_url: str, keys: dict[str, str], make_client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    before = await indexes(fresh_url)
    # The request holds the pool's only connection: the second build session cannot be had.
    async with make_client(fresh_url, pool_min_size=1, pool_max_size=1, acquire_timeout=0.2) as client:
        client.headers["Authorization"] = f"Bearer {keys['write']}"
        response = await client.post("/v1/import", content=b"\n".join(world()), headers=NDJSON)
        assert response.status_code == 200
        assert response.json()["errors"] == []
        assert (await client.get("/v1/events", params={"limit": 1})).status_code == 200
    assert "fewer sessions" in caplog.text
    assert await deferred(fresh_url) == {}
    assert plain(await indexes(fresh_url)) == plain(before)
