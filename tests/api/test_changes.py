"""The change feed over HTTP: replaying it mirrors the service; cursors resume; long polling."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from typing import Any

from schemas.sources import SourceIn
from service import db, importer, setup
from tests.api.writing import (
    CN_JP_FROZEN,
    COLLECTIONS,
    LEE,
    SOURCE,
    SUMMIT,
    assert_problem,
    changes,
    create,
    deal_body,
    event_body,
    everything,
    period_body,
    source_body,
)
from tests.databases import app_settings

NDJSON = {"Content-Type": "application/x-ndjson"}


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396, written out here so the test does not lean on the service's own."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def without_nulls(value: Any) -> Any:
    """A merge patch cannot tell a null member from a missing one, so compare without them."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


def replay(feed: list[dict[str, Any]]) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """Apply every change twice over: by its full item, and by its diff. Both must agree."""
    by_item: dict[str, dict[str, Any]] = {c: {} for c in COLLECTIONS}
    by_diff: dict[str, dict[str, Any]] = {c: {} for c in COLLECTIONS}
    for change in feed:
        mirror, patched = by_item[change["collection"]], by_diff[change["collection"]]
        if change["op"] == "delete":
            assert change["item"] is None
            assert change["diff"] is None
            del mirror[change["id"]], patched[change["id"]]
            continue
        assert change["item"]["revision"] == change["revision"]
        assert (change["id"] in mirror) == (change["op"] == "update"), change
        mirror[change["id"]] = change["item"]
        patched[change["id"]] = merge_patch(patched.get(change["id"], {}), change["diff"])
    return by_item, by_diff


async def test_replaying_the_feed_yields_exactly_the_served_data(api) -> None:
    # Creates, patches, deletes, a cascade (an actor renamed) and an import, in one history.
    event = await create(api, "events", event_body())
    await create(api, "deals", deal_body(event_id=event["id"]))
    await create(api, "relationship-periods", period_body())
    await api.patch(f"/v1/events/{event['id']}", json={"title": "Tokyo summit", "location_name": "Tokyo"})
    await api.patch(f"/v1/events/{SUMMIT}", json={"location_name": None})
    await api.patch(f"/v1/actors/{LEE}", json={"name": "Lee Jae-myung"})
    source = await create(api, "sources", source_body())
    assert (await api.delete(f"/v1/sources/{source['id']}")).status_code == 204
    assert (
        await api.delete("/v1/deals/deal-2026-01-05-alibaba-shinsegae-premium-korean-goods")
    ).status_code == 204
    lines = [
        b'{"collection": "sources", "id": "src-feed-import", "title": "Imported", "publisher": "Wire", '
        b'"published_on": "2026-02-04"}',
        b'{"collection": "relationship-periods", "id": "rel-cn-jp-2026-03-01", "country_a": "CN", '
        b'"country_b": "JP", "valid_from": "2026-03-01", "status": "strained", "trend": "improving", '
        b'"summary": "Thaw.", "sources": [{"source_id": "src-feed-import"}]}',
    ]
    imported = await api.post("/v1/import", content=b"\n".join(lines) + b"\n", headers=NDJSON)
    assert imported.status_code == 200, imported.text
    assert imported.json()["errors"] == []

    feed, _ = await changes(api)
    by_item, by_diff = replay(feed)
    served = await everything(api)
    assert by_item == served
    assert without_nulls(by_diff) == without_nulls(served)
    assert served["relationship-periods"][CN_JP_FROZEN]["valid_to"] == "2026-03-01"
    assert len({(c["collection"], c["id"], c["revision"]) for c in feed}) == len(feed)


async def test_small_pages_walk_the_same_feed_and_a_cursor_resumes_without_repeats(api) -> None:
    for n in range(3):
        await api.patch(f"/v1/events/{SUMMIT}", json={"summary": f"take {n}"})
    whole, cursor = await changes(api)
    paged, paged_cursor = await changes(api, limit="7")
    assert paged == whole
    assert paged_cursor == cursor

    first = (await api.get("/v1/changes", params={"limit": "5"})).json()
    assert first["more"] is True
    assert first["items"] == whole[:5]
    rest, _ = await changes(api, first["cursor"])
    assert rest == whole[5:]

    assert (await changes(api, cursor))[0] == []
    created = await create(api, "sources", source_body())
    news, newer = await changes(api, cursor)
    assert [(c["id"], c["op"]) for c in news] == [(created["id"], "create")]
    assert news[0]["item"] == created
    assert (await changes(api, newer))[0] == []


async def test_a_long_poll_returns_as_soon_as_a_change_arrives(concurrent) -> None:
    _, cursor = await changes(concurrent)

    async def write_soon() -> dict[str, Any]:
        await asyncio.sleep(0.3)
        return await create(concurrent, "sources", source_body())

    started = time.monotonic()
    poll, created = await asyncio.gather(
        concurrent.get("/v1/changes", params={"since": cursor, "wait": "20"}), write_soon()
    )
    elapsed = time.monotonic() - started
    assert poll.status_code == 200, poll.text
    assert [c["id"] for c in poll.json()["items"]] == [created["id"]]
    assert 0.3 <= elapsed < 5


async def test_a_long_poll_with_nothing_new_ends_empty_with_the_same_cursor(api) -> None:
    _, cursor = await changes(api)
    started = time.monotonic()
    response = await api.get("/v1/changes", params={"since": cursor, "wait": "1"})
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert response.json() == {"items": [], "cursor": cursor, "more": False}
    assert 0.9 <= elapsed < 3


async def test_changes_of_a_running_transaction_hold_back_later_ones(api, fresh_url) -> None:
    _, cursor = await changes(api)
    conn = await db.connect(fresh_url, app_settings(fresh_url))
    try:
        transaction = conn.transaction()
        await transaction.start()
        await conn.fetchval("SELECT pg_current_xact_id()")  # this transaction begins before the POST
        created = await create(api, "sources", source_body())
        # The POST committed, but a reader must not pass it while an older transaction may still write.
        hidden = (await api.get("/v1/changes", params={"since": cursor})).json()
        assert hidden == {"items": [], "cursor": cursor, "more": False}
        resolver = await setup.load_resolver(conn)
        record = SourceIn(
            id="src-slow-writer", title="Slow", publisher="Wire", published_on=dt.date(2026, 2, 5)
        )
        report = await importer.apply(conn, resolver, [(1, record)], "slow-writer")
        assert report.errors == []
        await transaction.commit()
    finally:
        await conn.close()
    feed, _ = await changes(api, cursor)
    assert [(c["id"], c["key_name"]) for c in feed] == [
        ("src-slow-writer", "slow-writer"),
        (created["id"], "write-key"),
    ]


async def test_a_transaction_in_another_database_does_not_hold_back_the_feed(api, empty_url) -> None:
    _, cursor = await changes(api)
    other = await db.connect(empty_url, app_settings(empty_url))
    try:
        async with other.transaction():
            await other.fetchval("SELECT pg_current_xact_id()")  # older than the POST, but elsewhere
            created = await create(api, "sources", source_body())
            feed, _ = await changes(api, cursor)
            assert [c["id"] for c in feed] == [created["id"]]
    finally:
        await other.close()


async def test_a_garbage_or_foreign_cursor_is_a_400(api) -> None:
    for since in ("garbage", "AAAA", SOURCE):
        assert_problem(await api.get("/v1/changes", params={"since": since}), 400)
    events_page = (await api.get("/v1/events", params={"limit": "1"})).json()
    foreign = events_page["next"].split("cursor=")[1]
    assert_problem(await api.get("/v1/changes", params={"since": foreign}), 400)


async def test_a_bad_since_is_named_in_the_problem(api) -> None:
    assert_problem(await api.get("/v1/changes", params={"since": "garbage"}), 400, "since")
