"""Actors over HTTP: people, companies, ministries and other organisations."""

from __future__ import annotations

import asyncpg
import pytest

from service.seed import read_world

SOURCE_ID = "src-2026-01-07-thestar-scmp-china-south-korea-trade-deals"
SEED_ACTORS = {a.id: a for a in read_world().actors}


async def list_actors(client, **params) -> list[dict]:
    """Every actor matching the filters, following `next` with a small page size."""
    items, url, query = [], "/v1/actors", {**params, "limit": 5}
    while url:
        response = await client.get(url, params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        assert len(body["items"]) <= 5
        items += body["items"]
        url, query = body["next"], None
    return items


async def database_order(url: str, names: list[str]) -> list[str]:
    """The names in the database's own collation order, which the API sorts by."""
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch("SELECT n FROM unnest($1::text[]) AS n ORDER BY n", names)
    finally:
        await conn.close()
    return [r["n"] for r in rows]


async def test_list_holds_every_actor_once_sorted_by_name(client, seeded_url) -> None:
    items = await list_actors(client)
    ids = [a["id"] for a in items]
    assert len(ids) == len(set(ids))
    assert set(ids) == set(SEED_ACTORS)
    names = [a["name"] for a in items]
    assert names == await database_order(seeded_url, names)
    # A single page of 200 holds the same items in the same order as the walk.
    page = (await client.get("/v1/actors", params={"limit": 200})).json()
    assert page["items"] == items
    assert page["next"] is None


@pytest.mark.parametrize("country", ["JP", "Japan", "Tokyo", "jpn"])
async def test_filter_by_country_any_spelling(client, country) -> None:
    ids = {a["id"] for a in await list_actors(client, country=country)}
    assert ids == {i for i, a in SEED_ACTORS.items() if a.country == "JP"}
    assert "actor-sanae-takaichi" in ids
    assert "actor-keidanren" in ids


@pytest.mark.parametrize("kind", ["company", "person", "province", "media", "military"])
async def test_filter_by_kind(client, kind) -> None:
    items = await list_actors(client, kind=kind)
    assert items
    assert {a["kind"] for a in items} == {kind}
    assert {a["id"] for a in items} == {i for i, a in SEED_ACTORS.items() if a.kind == kind}


async def test_filters_combine(client) -> None:
    ids = {a["id"] for a in await list_actors(client, country="South Korea", kind="company")}
    assert ids == {
        "actor-shinsegae-group",
        "actor-samsung",
        "actor-sk-group",
        "actor-hyundai",
        "actor-lg-group",
    }
    assert await list_actors(client, country="Japan", kind="province") == []


@pytest.mark.parametrize(
    ("q", "ids"),
    [
        ("alibaba", {"actor-alibaba"}),
        ("Keidanren", {"actor-keidanren"}),  # an alias, not the name
        ("MOFCOM", {"actor-cn-ministry-of-commerce"}),
        ("Shinsegae", {"actor-shinsegae-group"}),
        (
            "provincial government",
            {"actor-shandong-provincial-government", "actor-liaoning-provincial-government"},
        ),
        ("Xi", {"actor-xi-jinping"}),
        ("zzzzqqq", set()),
    ],
)
async def test_filter_by_words_of_name_and_aliases(client, q, ids) -> None:
    assert {a["id"] for a in await list_actors(client, q=q)} == ids


async def test_alibaba(client) -> None:
    response = await client.get("/v1/actors/actor-alibaba")
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["kind"], body["name"], body["country"]) == (
        "actor-alibaba",
        "company",
        "Alibaba Group",
        "CN",
    )
    assert body["aliases"] == ["Alibaba"]
    assert body["parent_id"] is None
    assert "South China Morning Post" in body["description"]
    [citation] = body["sources"]
    assert citation["source_id"] == SOURCE_ID
    assert citation["publisher"] == "The Star (Malaysia)"
    assert citation["published_on"] == "2026-01-07"


async def test_detail_equals_list_item(client) -> None:
    listed = {a["id"]: a for a in await list_actors(client, country="HK")}
    assert list(listed) == ["actor-south-china-morning-post"]
    detail = (await client.get("/v1/actors/actor-south-china-morning-post")).json()
    assert detail == listed["actor-south-china-morning-post"]
    assert detail["parent_id"] == "actor-alibaba"
    assert detail["kind"] == "media"


@pytest.mark.parametrize("actor_id", ["actor-nobody", "ACTOR-ALIBABA", "alibaba"])
async def test_unknown_actor_is_404_problem(client, actor_id) -> None:
    response = await client.get(f"/v1/actors/{actor_id}")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert (body["status"], body["instance"]) == (404, f"/v1/actors/{actor_id}")
    assert actor_id in body["detail"]


@pytest.mark.parametrize(
    ("params", "name"),
    [({"kind": "alien"}, "kind"), ({"country": "Atlantis"}, "country"), ({"limit": "0"}, "limit"),
     ({"q": "x" * 201}, "q"), ({"cursor": "not-a-cursor"}, "cursor")],
)  # fmt: skip
async def test_bad_list_parameters_name_the_parameter(client, params, name) -> None:
    response = await client.get("/v1/actors", params=params)
    assert response.status_code in {400, 422}
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [e["name"] for e in response.json()["errors"]] == [name]
