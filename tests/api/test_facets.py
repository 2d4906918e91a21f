"""Facet counts on the event and deal lists: what a client would tally by walking every page."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from typing import Any

import msgspec
import pycountry
import pytest

from schemas.events import EventIn
from service import db, facets, seed, setup
from service.seed import World
from service.sql import queries
from tests.databases import app_settings

SOURCE_ID = "src-2026-01-07-thestar-scmp-china-south-korea-trade-deals"
EVENT_FACETS = ["type", "country", "year", "sector", "status"]
DEAL_FACETS = ["kind", "country", "year", "sector", "status"]

Tally = Callable[[dict[str, Any]], list[str]]


def _countries(item: dict[str, Any], members: str) -> list[str]:
    return sorted({m["country"] for m in item[members] if m["country"]})


EVENT_TALLIES: dict[str, Tally] = {
    "type": lambda e: [e["type"]],
    "country": lambda e: _countries(e, "participants"),
    "year": lambda e: [e["start_date"][:4]],
    "sector": lambda e: e["sectors"],
    "status": lambda e: [e["status"]],
}
DEAL_TALLIES: dict[str, Tally] = {
    "kind": lambda d: [d["kind"]],
    "country": lambda d: _countries(d, "parties"),
    "year": lambda d: [d["signed_on"][:4]],
    "sector": lambda d: d["sectors"],
    "status": lambda d: [d["status"]],
}


async def _walk(client: Any, path: str, params: dict[str, Any]) -> tuple[list[dict[str, Any]], list[Any]]:
    """Every item of a list and the `facets` member of each page."""
    items: list[dict[str, Any]] = []
    seen: list[Any] = []
    url: str | None = path
    query: dict[str, Any] | None = params
    while url:
        response = await client.get(url, params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["items"]
        seen.append(body.get("facets"))
        url, query = body["next"], None
    return items, seen


def _expected(items: list[dict[str, Any]], tallies: dict[str, Tally]) -> dict[str, list[dict[str, Any]]]:
    found = {}
    for name, tally in tallies.items():
        counts = Counter(value for item in items for value in tally(item))
        order = (lambda vc: (-int(vc[0]),)) if name == "year" else (lambda vc: (-vc[1], vc[0]))
        ranked = sorted(counts.items(), key=order)[: facets.MAX_VALUES]
        found[name] = [{"value": value, "count": count} for value, count in ranked]
    return found


@pytest.mark.parametrize(
    "filters",
    [{}, {"country": "China"}, {"pair": "Seoul,Beijing"}, {"from": "2025-01-01", "to": "2026-12-31"}],
    ids=["all", "country", "pair", "dates"],
)
async def test_event_facets_count_every_match_of_the_filters(client, filters) -> None:
    items, _ = await _walk(client, "/v1/events", {"limit": 200, **filters})
    assert items
    response = await client.get("/v1/events", params={"limit": 1, **filters, "facet": EVENT_FACETS})
    assert response.status_code == 200, response.text
    body = response.json()
    assert len(body["items"]) == 1  # the counts are over the whole list, not over the page
    assert list(body["facets"]) == EVENT_FACETS
    assert body["facets"] == _expected(items, EVENT_TALLIES)


@pytest.mark.parametrize(
    "filters", [{}, {"country": "KR"}, {"kind": "export_contract"}, {"min_usd": "1000000"}], ids=str
)
async def test_deal_facets_count_every_match_of_the_filters(client, filters) -> None:
    items, _ = await _walk(client, "/v1/deals", {"limit": 200, **filters})
    response = await client.get("/v1/deals", params={"limit": 1, **filters, "facet": DEAL_FACETS})
    assert response.status_code == 200, response.text
    assert response.json()["facets"] == _expected(items, DEAL_TALLIES)


@pytest.mark.parametrize(
    ("path", "names", "tallies"),
    [("/v1/pairs/Seoul/Beijing/events", EVENT_FACETS, EVENT_TALLIES),
     ("/v1/pairs/KR/CN/deals", DEAL_FACETS, DEAL_TALLIES)],
    ids=["events", "deals"],
)  # fmt: skip
async def test_a_pairs_lists_count_facets_over_the_pair(client, path, names, tallies) -> None:
    items, _ = await _walk(client, path, {"limit": 200})
    assert items
    response = await client.get(path, params={"limit": 1, "facet": names})
    assert response.status_code == 200, response.text
    assert response.json()["facets"] == _expected(items, tallies)
    wrong = await client.get(path, params={"facet": "colour"})
    assert wrong.status_code == 422
    assert "facet" in wrong.text


async def test_only_the_facets_asked_for_and_none_unless_asked(client) -> None:
    plain = (await client.get("/v1/events")).json()
    assert "facets" not in plain
    asked = (await client.get("/v1/events", params={"facet": ["year", "type", "year"]})).json()
    assert list(asked["facets"]) == ["year", "type"]
    assert asked["items"] == plain["items"]
    years = [int(f["value"]) for f in asked["facets"]["year"]]
    assert years == sorted(years, reverse=True)
    counts = [f["count"] for f in asked["facets"]["type"]]
    assert counts == sorted(counts, reverse=True)
    nothing = (await client.get("/v1/deals", params={"q": "nosuchwordanywhere", "facet": "kind"})).json()
    assert nothing == {"items": [], "next": None, "facets": {"kind": []}}


async def test_every_page_carries_the_same_facets_and_the_next_link_keeps_asking(client) -> None:
    items, seen = await _walk(client, "/v1/events", {"limit": 3, "facet": ["country", "sector"]})
    assert len(seen) > 2
    assert all(page == seen[0] for page in seen)
    assert seen[0] == {k: v for k, v in _expected(items, EVENT_TALLIES).items() if k in ("country", "sector")}


@pytest.mark.parametrize(
    ("path", "params", "says"),
    [
        ("/v1/events", {"facet": "colour"}, "unknown facet 'colour'; choose from type, country, year"),
        ("/v1/events", {"facet": ["type", "kind"]}, "unknown facet 'kind' (did you mean `type`?)"),
        ("/v1/deals", {"facet": "type"}, "unknown facet 'type' (did you mean `kind`?); choose from kind,"),
        ("/v1/events", {"facet": "type", "known_on": "2026-12-01T00:00:00Z"}, "known_on"),
    ],
)
async def test_facets_that_cannot_be_served_are_a_problem_naming_facet(client, path, params, says) -> None:
    response = await client.get(path, params=params)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    error = response.json()["errors"][0]
    assert error["name"] == "facet"
    assert says in error["message"]


@pytest.mark.parametrize("accept", ["application/x-ndjson", "text/csv"])
async def test_streams_refuse_facets_and_stream_without_them(client, accept) -> None:
    refused = await client.get("/v1/deals", params={"facet": "kind"}, headers={"Accept": accept})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["name"] == "facet"
    assert (await client.get("/v1/deals", headers={"Accept": accept})).status_code == 200


def _spread_events(count: int) -> list[EventIn]:
    """China with `count` other countries, one event each, over `count` years."""
    iso = sorted(c.alpha_2 for c in pycountry.countries if c.alpha_2 != "CN")
    others = iso[:: len(iso) // count][:count]
    return [
        msgspec.convert(
            {
                "id": f"ev-spread-{n:03d}",
                "type": "visit",
                "title": f"Visit {n}",
                "start_date": dt.date(1950 + n, 6, 1).isoformat(),
                "participants": [{"role": "initiator", "country": "CN"}, {"role": "target", "country": code}],
                "sources": [{"source_id": SOURCE_ID}],
            },
            EventIn,
        )
        for n, code in enumerate(others)
    ]


async def test_each_facet_lists_at_most_its_cap_of_values(make_client, fresh_url: str) -> None:
    conn = await db.connect(fresh_url, app_settings(fresh_url))
    try:
        await seed.load_world(conn, await setup.load_resolver(conn), World(events=_spread_events(60)))
    finally:
        await conn.close()
    async with make_client(fresh_url) as client:
        items, _ = await _walk(client, "/v1/events", {"limit": 200})
        response = await client.get("/v1/events", params={"facet": ["country", "year"]})
        found = response.json()["facets"]
    assert len({c for e in items for c in EVENT_TALLIES["country"](e)}) > facets.MAX_VALUES
    assert len(found["country"]) == len(found["year"]) == facets.MAX_VALUES
    assert found["country"][0]["value"] == "CN"
    assert found == {k: v for k, v in _expected(items, EVENT_TALLIES).items() if k in ("country", "year")}
    assert found["year"][0]["value"] == max(e["start_date"][:4] for e in items)


# The facet queries read the same indexes as their lists when a filter narrows the rows.
FILTERED: dict[str, list[tuple[int, Any]]] = {
    "events.facets": [(1, "KR"), (2, "CN-KR"), (3, "CN"), (6, "actor-alibaba"), (7, "robotics"), (11, "war")],
    "deals.facets": [(1, "KR"), (2, "CN-KR"), (4, "robotics"), (6, "actor-alibaba"), (11, "contracts")],
}


@pytest.mark.parametrize("query", sorted(FILTERED))
async def test_filtered_facet_queries_are_served_by_an_index(seeded_url: str, query: str) -> None:
    table = query.split(".")[0]
    conn = await db.connect(seeded_url, app_settings(seeded_url))
    try:
        for position, value in FILTERED[query]:
            args: list[Any] = [None] * 13
            args[position - 1] = value
            args[11:] = [["country", "sector", "year"], facets.MAX_VALUES]
            async with conn.transaction():
                await conn.execute("SET LOCAL enable_seqscan = off")
                plan = (await conn.fetch("EXPLAIN (FORMAT JSON) " + queries()[query], *args))[0][0]
            text = msgspec.json.encode(plan).decode()
            assert f'"Relation Name":"{table}"' in text
            assert '"Node Type":"Seq Scan"' not in text, (query, position)
    finally:
        await conn.close()


async def test_facets_past_the_time_budget_are_named_and_the_page_still_comes(
    client, make_client, seeded_url: str
) -> None:
    asked = ["type", "country", "year"]
    full = (await client.get("/v1/events", params={"facet": asked})).json()
    assert "facets_timed_out" not in full
    async with make_client(seeded_url, facet_budget_ms=1) as hurried:
        response = await hurried.get("/v1/events", params={"facet": asked})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["items"] == full["items"]
    # A millisecond is spent before the second count starts: at most the first one makes it.
    late = body["facets_timed_out"]
    assert late[-2:] == ["country", "year"]
    assert sorted([*body["facets"], *late]) == sorted(asked)
    assert all(body["facets"][name] == full["facets"][name] for name in body["facets"])
