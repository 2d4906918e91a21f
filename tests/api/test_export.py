"""Lists as NDJSON and CSV streams: same items and order as the JSON pages, every row, no page limit."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
from functools import partial
from typing import Any

import asyncpg
import msgspec
import openapi_spec_validator
import pytest
from litestar import Litestar, get

from schemas.events import EventIn, EventPage
from service import db, seed, setup, streams
from service.app import create_app, openapi_config
from service.repos import events as events_repo
from service.seed import World
from tests.databases import app_settings

NDJSON = {"Accept": "application/x-ndjson"}
CSV = {"Accept": "text/csv"}
SOURCE_ID = "src-2026-01-07-thestar-scmp-china-south-korea-trade-deals"


async def json_items(client: Any, path: str, **params: str) -> list[dict[str, Any]]:
    """Every item of a list, by walking its JSON pages."""
    items: list[dict[str, Any]] = []
    url: str | None = path
    query: dict[str, str] | None = {"limit": "200", **params}
    while url:
        response = await client.get(url, params=query)
        assert response.status_code == 200, response.text
        items += response.json()["items"]
        url, query = response.json()["next"], None
    return items


async def ndjson_items(client: Any, path: str, **params: str) -> list[dict[str, Any]]:
    response = await client.get(path, params=params, headers=NDJSON)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/x-ndjson"
    assert response.headers["vary"].startswith("Accept")
    assert "link" not in response.headers
    text = response.text
    assert text == "" or text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


async def csv_rows(client: Any, path: str, **params: str) -> tuple[list[str], list[dict[str, str]]]:
    response = await client.get(path, params=params, headers=CSV)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; header=present; charset=utf-8"
    reader = csv.DictReader(io.StringIO(response.text, newline=""))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


# NDJSON


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/events", {}),
        ("/v1/events", {"pair": "Tokyo,Beijing"}),
        ("/v1/events", {"initiator": "China", "target": "Japan"}),
        ("/v1/events", {"country": "KR", "from": "2026-01-01"}),
        ("/v1/deals", {}),
        ("/v1/deals", {"pair": "South Korea,PRC", "kind": "export_contract"}),
        ("/v1/deals", {"min_usd": "1000000"}),
        ("/v1/countries", {}),
        ("/v1/actors", {"country": "KR"}),
        ("/v1/sources", {}),
        ("/v1/pairs", {}),
        ("/v1/relationships", {"as_of": "2026-01-07"}),
        ("/v1/pairs/KR/CN/deals", {}),
    ],
)
async def test_ndjson_is_the_json_list_one_item_per_line(client, path: str, params: dict[str, str]) -> None:
    expected = await json_items(client, path, **params)
    assert expected, "pick filters that match something"
    assert await ndjson_items(client, path, **params) == expected


async def test_a_filter_that_matches_nothing_streams_nothing(client) -> None:
    assert await ndjson_items(client, "/v1/events", q="no-such-word-anywhere") == []
    header, rows = await csv_rows(client, "/v1/events", q="no-such-word-anywhere")
    assert rows == []
    assert header[:2] == ["id", "type"]


async def test_limit_and_cursor_do_not_apply_to_streams(client) -> None:
    first = await client.get("/v1/countries", params={"limit": "5"})
    cursor = first.json()["next"].split("cursor=")[1]
    streamed = await ndjson_items(client, "/v1/countries", limit="5", cursor=cursor)
    assert len(streamed) == 249
    assert streamed[0]["code"] == "AD"


async def test_bad_parameters_are_still_problems_before_any_streaming(client) -> None:
    response = await client.get("/v1/events", params={"pair": "Atlantis,CN"}, headers=NDJSON)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["name"] == "pair"


@pytest.mark.parametrize(
    ("accept", "streamed"),
    [
        ("*/*", False),
        ("application/json", False),
        ("application/json, application/x-ndjson;q=0.5", False),
        ("application/x-ndjson, application/json;q=0.9", True),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", False),
        ("text/csv;q=0.9, application/x-ndjson", True),
    ],
)
async def test_the_accept_header_chooses(client, accept: str, streamed: bool) -> None:
    response = await client.get("/v1/events", headers={"Accept": accept})
    assert response.status_code == 200
    kind = response.headers["content-type"]
    assert kind.startswith("application/x-ndjson") if streamed else kind.startswith("application/json")
    # Either way the answer depends on Accept, and shared caches must know it.
    assert "Accept" in [v.strip() for v in response.headers["vary"].split(",")]


async def test_a_stream_is_compressed_on_the_fly_when_asked(client) -> None:
    plain = await client.get("/v1/countries", headers={**NDJSON, "Accept-Encoding": "identity"})
    async with client.stream("GET", "/v1/countries", headers={**NDJSON, "Accept-Encoding": "gzip"}) as zipped:
        assert zipped.headers["content-encoding"] == "gzip"
        raw = b"".join([chunk async for chunk in zipped.aiter_raw()])
    assert gzip.decompress(raw) == plain.content
    assert len(raw) < len(plain.content) / 3


# CSV


async def test_csv_of_events_flattens_and_encodes_lists_as_json(client) -> None:
    expected = await json_items(client, "/v1/events", pair="CN,JP")
    header, rows = await csv_rows(client, "/v1/events", pair="CN,JP")
    # The JSON field names, with the one nested object (coverage) as dotted columns.
    coverage = ["coverage.mentions", "coverage.sources", "coverage.articles", "coverage.avg_tone"]
    assert header == [c for name in expected[0] for c in (coverage if name == "coverage" else [name])]
    assert [r["id"] for r in rows] == [e["id"] for e in expected]
    for row, item in zip(rows, expected, strict=True):
        assert json.loads(row["participants"]) == item["participants"]
        assert json.loads(row["sectors"]) == item["sectors"]
        assert row["end_date"] == (item["end_date"] or "")
        assert row["ongoing"] == json.dumps(item["ongoing"])
        assert row["quad_class"] == str(item["quad_class"])


async def test_csv_of_deals_has_dotted_columns_for_the_value(client) -> None:
    expected = await json_items(client, "/v1/deals", country="KR")
    header, rows = await csv_rows(client, "/v1/deals", country="KR")
    value_columns = [c for c in header if c.startswith("value.")]
    assert value_columns == [
        "value.amount", "value.currency", "value.text", "value.basis", "value.qualifier", "value.period",
        "value.horizon_years", "value.usd", "value.usd_method", "value.usd_rate", "value.usd_rate_date",
        "value.usd_note",
    ]  # fmt: skip
    assert "value" not in header
    assert [r["id"] for r in rows] == [d["id"] for d in expected]
    assert any(d["value"] is None for d in expected)
    assert any(d["value"] for d in expected)
    for row, deal in zip(rows, expected, strict=True):
        value = deal["value"] or {}
        for column in value_columns:
            assert row[column] == (value.get(column.split(".")[1]) or ""), (deal["id"], column)


async def test_csv_of_countries_is_a_header_and_249_rows(client) -> None:
    response = await client.get("/v1/countries", headers=CSV)
    lines = response.text.split("\r\n")
    assert lines[-1] == ""  # RFC 4180 line ends, the last line terminated
    assert len(lines[:-1]) == 250
    assert lines[0] == "code,alpha3,numeric,name,official_name,common_name,capital,m49,fips,cameo"
    assert "KR,KOR,410," in response.text


async def test_every_paged_list_streams_both_formats(client) -> None:
    schema = create_app(app_settings()).openapi_schema.to_schema()
    paths = [path for path, _, _ in streams.paged_operations(schema)]
    assert len(paths) >= 12
    first = {
        "event_id": (await json_items(client, "/v1/events"))[0]["id"],
        "deal_id": (await json_items(client, "/v1/deals"))[0]["id"],
        "actor_id": (await json_items(client, "/v1/actors"))[0]["id"],
        "source_id": (await json_items(client, "/v1/sources"))[0]["id"],
        "period_id": (await json_items(client, "/v1/relationships", as_of="2026-01-07"))[0]["id"],
        "a": "KR",
        "b": "CN",
    }
    for path in paths:
        url = path.format(**first)
        expected = await json_items(client, url)
        assert await ndjson_items(client, url) == expected, url
        _, rows = await csv_rows(client, url)
        assert len(rows) == len(expected), url


# A large list: every row once, in list order, read page by page from the pool.


def _generated_events(count: int) -> list[EventIn]:
    countries = ["CN", "JP", "KR", "US", "DE", "FR"]
    return [
        msgspec.convert(
            {
                "id": f"ev-gen-{n:04d}",
                "type": "statement",
                "title": f"Generated statement {n}",
                # 97 distinct days for 1,200 events: the id must break many ties.
                "start_date": (dt.date(2001, 1, 1) + dt.timedelta(days=n % 97)).isoformat(),
                "participants": [
                    {"role": "initiator", "country": countries[n % 6]},
                    {"role": "target", "country": countries[(n + 1) % 6]},
                ],
                "sources": [{"source_id": SOURCE_ID}],
            },
            EventIn,
        )
        for n in range(1200)
    ]


@pytest.fixture
async def big_url(fresh_url: str) -> str:
    conn = await db.connect(fresh_url, app_settings(fresh_url))
    try:
        await seed.load_world(conn, await setup.load_resolver(conn), World(events=_generated_events(1200)))
    finally:
        await conn.close()
    return fresh_url


async def test_a_1200_event_stream_yields_every_row_once_in_list_order(make_client, big_url: str) -> None:
    async with make_client(big_url, pool_min_size=1, pool_max_size=1) as client:
        walked = [e["id"] for e in await json_items(client, "/v1/events")]
        streamed = [e["id"] for e in await ndjson_items(client, "/v1/events")]
        assert len(walked) == 1212
        assert len(set(walked)) == 1212
        assert streamed == walked
        _, rows = await csv_rows(client, "/v1/events", type="statement")
        expected = [e["id"] for e in await json_items(client, "/v1/events", type="statement")]
        assert [r["id"] for r in rows] == expected
        assert len(expected) > 2 * streams.PAGE_ROWS


async def test_no_connection_is_held_between_pages(big_url: str) -> None:
    settings = app_settings(big_url)
    pool = await asyncpg.create_pool(big_url, min_size=1, max_size=1, init=db.init_connection)
    try:
        fetch = partial(events_repo.list_events, f=events_repo.EventFilters())
        async with pool.acquire() as proxy:
            first = list(await fetch(db.as_connection(proxy), None, streams.PAGE_ROWS))
        feed = streams.Feed(
            streams.NDJSON, pool, settings.acquire_timeout, fetch, events_repo.cursor_key, first
        )
        chunks = feed.body(EventPage)
        lines = 0
        async for chunk in chunks:
            lines += chunk.count(b"\n")
            # While the client digests a page, the only pooled connection is free for others.
            async with pool.acquire(timeout=1) as other:
                assert await other.fetchval("SELECT 1") == 1
        assert lines == 1212
    finally:
        await pool.close()


async def test_a_stream_is_not_buffered_to_hash_it(client) -> None:
    # Hashing a body for an ETag means holding all of it: a stream must pass the validators untouched.
    response = await client.get("/v1/countries", headers=NDJSON)
    assert response.headers["cache-control"] == "no-store"
    assert "etag" not in response.headers


# OpenAPI


def test_the_document_lists_both_renderings_on_paged_operations_only() -> None:
    schema = streams.document(create_app(app_settings()).openapi_schema.to_schema())
    paged = {path for path, _, _ in streams.paged_operations(schema)}
    assert {"/v1/events", "/v1/deals", "/v1/countries", "/v1/pairs/{a}/{b}/events"} <= paged
    assert "/v1/changes" not in paged  # its own cursor protocol, not a page
    for path, operation in ((p, i["get"]) for p, i in schema["paths"].items() if "get" in i):
        content = operation["responses"]["200"]["content"]
        assert ("application/x-ndjson" in content) == (path in paged), path
        # The pair timeline is no page but has a CSV rendering of its own (one line per bucket).
        assert ("text/csv" in content) == (path in paged or path == "/v1/pairs/{a}/{b}/timeline"), path
    events = schema["paths"]["/v1/events"]["get"]["responses"]["200"]
    assert events["content"]["application/x-ndjson"]["schema"] == {"$ref": "#/components/schemas/EventOut"}
    assert events["description"] == streams.DESCRIPTION
    openapi_spec_validator.validate(schema)


@get("/things", sync_to_thread=False)
def list_things() -> EventPage:
    """A page of events, standing in for the real routes (which need the app's dependencies)."""
    return EventPage(items=[])


def test_the_config_hook_documents_the_renderings() -> None:
    base = openapi_config()
    config = streams.StreamingOpenAPIConfig(title=base.title, version=base.version)
    app = Litestar([list_things], openapi_config=config)
    content = app.openapi_schema.to_schema()["paths"]["/things"]["get"]["responses"]["200"]["content"]
    assert list(content) == ["application/json", "application/x-ndjson", "text/csv"]
