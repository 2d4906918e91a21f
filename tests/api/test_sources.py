"""Sources over HTTP: where the facts come from, with reprint and ownership disclosures."""

from __future__ import annotations

import datetime as dt

import pytest

from schemas.sources import SourceIn
from service import db, setup
from service.seed import World, load_world
from tests.databases import app_settings

SOURCE_ID = "src-2026-01-07-thestar-scmp-china-south-korea-trade-deals"


async def add_sources(url: str, *sources: SourceIn) -> None:
    conn = await db.connect(url, app_settings(url))
    try:
        await load_world(conn, await setup.load_resolver(conn), World(sources=list(sources)))
    finally:
        await conn.close()


def source(id_: str, published_on: str, **fields: object) -> SourceIn:
    values: dict = {"title": f"Report {id_}", "publisher": "Example Wire", **fields}
    return SourceIn(id=id_, published_on=dt.date.fromisoformat(published_on), **values)


async def test_seed_source_says_who_wrote_it_and_who_owns_them(client) -> None:
    response = await client.get(f"/v1/sources/{SOURCE_ID}")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == SOURCE_ID
    assert body["title"] == "China and South Korea sign US$44mil in trade deals after years of friction"
    assert body["publisher"] == "The Star (Malaysia)"
    assert body["original_publisher"] == "South China Morning Post"
    assert body["published_on"] == "2026-01-07"
    assert body["language"] == "en"
    assert body["url"] is None  # the SCMP original's address is not known; nothing is made up
    [disclosure] = body["disclosures"]
    assert "Alibaba" in disclosure
    assert "owner" in disclosure
    assert "South China Morning Post" in disclosure
    assert "reprint" in body["notes"].lower()


async def test_list_holds_the_seed_source(client) -> None:
    response = await client.get("/v1/sources")
    assert response.status_code == 200
    body = response.json()
    assert body["next"] is None
    detail = (await client.get(f"/v1/sources/{SOURCE_ID}")).json()
    assert body["items"] == [detail]


async def test_facts_cite_the_source_the_sources_route_serves(client) -> None:
    detail = (await client.get(f"/v1/sources/{SOURCE_ID}")).json()
    deal = (await client.get("/v1/deals/deal-2026-01-06-kr-cn-export-contracts-beijing")).json()
    [citation] = deal["sources"]
    assert citation["source_id"] == SOURCE_ID
    for field in ("title", "publisher", "original_publisher", "published_on", "url"):
        assert citation[field] == detail[field]


async def test_list_is_newest_first_and_pages_through_every_source(fresh_url, make_client) -> None:
    await add_sources(
        fresh_url,
        source("src-older", "2025-11-08", url="https://example.com/older"),
        source("src-newer-a", "2026-02-01"),
        source("src-newer-b", "2026-02-01", original_publisher="Example Daily", disclosures=["None known."]),
    )
    expected = ["src-newer-b", "src-newer-a", SOURCE_ID, "src-older"]  # date desc, then id desc
    async with make_client(fresh_url) as client:
        whole = (await client.get("/v1/sources")).json()
        assert [s["id"] for s in whole["items"]] == expected
        seen, url, params = [], "/v1/sources", {"limit": 1}
        while url:
            response = await client.get(url, params=params)
            assert response.status_code == 200, response.text
            body = response.json()
            assert len(body["items"]) == 1
            if body["next"]:
                assert response.headers["link"] == f'<{body["next"]}>; rel="next"'
            seen += [s["id"] for s in body["items"]]
            url, params = body["next"], None
        assert seen == expected
        added = (await client.get("/v1/sources/src-newer-b")).json()
        assert (added["original_publisher"], added["disclosures"]) == ("Example Daily", ["None known."])
        assert (await client.get("/v1/sources/src-older")).json()["url"] == "https://example.com/older"


@pytest.mark.parametrize("source_id", ["src-nope", "SRC-2026", "x"])
async def test_unknown_source_is_404_problem(client, source_id) -> None:
    response = await client.get(f"/v1/sources/{source_id}")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert (body["status"], body["instance"]) == (404, f"/v1/sources/{source_id}")
    assert source_id in body["detail"]


@pytest.mark.parametrize(("params", "name"), [({"limit": "500"}, "limit"), ({"cursor": "Zm9v"}, "cursor")])
async def test_bad_list_parameters_name_the_parameter(client, params, name) -> None:
    response = await client.get("/v1/sources", params=params)
    assert response.status_code in {400, 422}
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [e["name"] for e in response.json()["errors"]] == [name]
