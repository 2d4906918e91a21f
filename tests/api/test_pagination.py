"""Keyset pagination over HTTP: full walks, walks during inserts, Link headers and cursor misuse."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

import msgspec
import pycountry
import pytest

from schemas.actors import ActorIn
from schemas.deals import DealIn
from schemas.events import EventIn
from schemas.sources import SourceIn
from service import db, setup
from service.seed import World, load_world
from tests.databases import app_settings

SOURCE_ID = "src-2026-01-07-thestar-scmp-china-south-korea-trade-deals"
BASE_DAY = dt.date(2020, 1, 1)
MAX_PAGES = 100


# Builders: valid records inserted through the seed loader, never mocks.


def event(event_id: str, day: dt.date) -> EventIn:
    raw = {
        "id": event_id,
        "type": "negotiation",
        "title": f"Franco-German talks {event_id}",
        "start_date": day.isoformat(),
        "participants": [{"role": "initiator", "country": "DE"}, {"role": "target", "country": "FR"}],
        "sources": [{"source_id": SOURCE_ID}],
    }
    return msgspec.convert(raw, EventIn)


def deal(deal_id: str, day: dt.date) -> DealIn:
    raw = {
        "id": deal_id,
        "kind": "export_contract",
        "title": f"Franco-German contract {deal_id}",
        "signed_on": day.isoformat(),
        "value": {"amount": "1000", "currency": "USD"},
        "parties": [{"role": "exporter", "country": "DE"}, {"role": "importer", "country": "FR"}],
        "sources": [{"source_id": SOURCE_ID}],
    }
    return msgspec.convert(raw, DealIn)


def original_events() -> list[EventIn]:
    """120 events of DE-FR: three a day, then twelve on one day, ids not in insertion order."""
    return [
        event(f"ev-pg-{(i * 7) % 120:03d}", BASE_DAY + dt.timedelta(days=min(i // 3, 36))) for i in range(120)
    ]


def original_deals() -> list[DealIn]:
    """30 deals of DE-FR, four a day."""
    return [deal(f"deal-pg-{(i * 7) % 30:03d}", BASE_DAY + dt.timedelta(days=i // 4)) for i in range(30)]


async def load(url: str, world: World) -> None:
    conn = await db.connect(url, app_settings(url))
    try:
        await load_world(conn, await setup.load_resolver(conn), world)
    finally:
        await conn.close()


def newest_first(records: list[Any], date_field: str) -> list[str]:
    return [r.id for r in sorted(records, key=lambda r: (getattr(r, date_field), r.id), reverse=True)]


# Walking


async def get_page(
    client: Any, url: str, params: dict[str, str] | None = None
) -> tuple[list[Any], str | None]:
    """One page; checks that the body's `next` and the Link header agree."""
    response = await client.get(url, params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    next_url = body["next"]
    if next_url is None:
        assert "link" not in response.headers
    else:
        assert response.headers["link"] == f'<{next_url}>; rel="next"'
        assert next_url.startswith("http://testserver.local/")
        assert "cursor=" in next_url
    return body["items"], next_url


async def walk(client: Any, url: str, params: dict[str, str]) -> list[list[Any]]:
    """Every page of a list, following `next` until it is null."""
    pages = []
    items, next_url = await get_page(client, url, params)
    pages.append(items)
    while next_url is not None:
        assert len(pages) < MAX_PAGES, "the walk does not end"
        items, next_url = await get_page(client, next_url)
        pages.append(items)
    return pages


def ids_of(pages: list[list[Any]], key: str = "id") -> list[str]:
    return [item[key] for page in pages for item in page]


# Events


@pytest.mark.parametrize("limit", [7, 8, 200])
async def test_event_walk_yields_every_row_once_in_order(fresh_url: str, make_client, limit: int) -> None:
    events = original_events()
    await load(fresh_url, World(events=events))
    async with make_client(fresh_url) as client:
        pages = await walk(client, "/v1/events", {"pair": "France,Germany", "limit": str(limit)})
    walked = ids_of(pages)
    assert walked == newest_first(events, "start_date")
    assert len(walked) == len(set(walked)) == 120
    assert [len(p) for p in pages[:-1]] == [limit] * (len(pages) - 1)
    # An exact multiple of the limit ends on a full page, not on an empty one.
    assert 1 <= len(pages[-1]) <= limit
    assert len(pages) == -(-120 // limit)


async def test_event_walk_keeps_the_order_when_many_rows_share_a_day(fresh_url: str, make_client) -> None:
    events = original_events()
    await load(fresh_url, World(events=events))
    async with make_client(fresh_url) as client:
        pages = await walk(client, "/v1/pairs/DE/FR/events", {"limit": "5"})
    items = [item for page in pages for item in page]
    keys = [(i["start_date"], i["id"]) for i in items]
    assert keys == sorted(keys, reverse=True)
    assert len(set(keys)) == 120
    last_day = (BASE_DAY + dt.timedelta(days=36)).isoformat()
    # Twelve rows on one day span three pages of five; the id alone orders them.
    assert sum(1 for i in items if i["start_date"] == last_day) == 12


async def test_event_walk_while_rows_are_inserted(fresh_url: str, make_client) -> None:
    originals = original_events()
    await load(fresh_url, World(events=originals))
    expected = newest_first(originals, "start_date")
    async with make_client(fresh_url) as client:
        params = {"pair": "DE,FR", "limit": "7"}
        items, next_url = await get_page(client, "/v1/events", params)
        walked = [i["id"] for i in items]
        middle_day = BASE_DAY + dt.timedelta(days=20)
        # Newer than the whole first page, inside the range, and on a day that already has rows,
        # with ids on both sides of the existing ones.
        await load(
            fresh_url,
            World(
                events=[
                    event("ev-pg-new-2030", dt.date(2030, 1, 1)),
                    event("ev-pg-new-top", BASE_DAY + dt.timedelta(days=36)),
                    event("ev-pg-999", middle_day),
                    event("ev-pg-000a", middle_day),
                    event("ev-pg-mid-b", BASE_DAY + dt.timedelta(days=10)),
                ]
            ),
        )
        pages = 1
        while next_url is not None:
            assert pages < MAX_PAGES
            items, next_url = await get_page(client, next_url)
            walked += [i["id"] for i in items]
            pages += 1
            if pages == 5:
                await load(
                    fresh_url,
                    World(
                        events=[
                            event("ev-pg-late-new", dt.date(2031, 1, 1)),
                            event("ev-pg-late-old", BASE_DAY),
                        ]
                    ),
                )
    assert len(walked) == len(set(walked)), "a row came twice"
    assert [i for i in walked if i in set(expected)] == expected
    # Rows newer than the cursor's position stay behind it.
    assert "ev-pg-new-2030" not in walked
    assert "ev-pg-late-new" not in walked
    assert "ev-pg-new-top" not in walked
    # Rows inserted ahead of the cursor are simply found when it gets there.
    assert "ev-pg-late-old" in walked
    assert {"ev-pg-999", "ev-pg-000a", "ev-pg-mid-b"} <= set(walked)


# Deals


@pytest.mark.parametrize(
    ("path", "params"), [("/v1/deals", {"pair": "Paris,Berlin"}), ("/v1/pairs/Berlin/Paris/deals", {})]
)
async def test_deal_walk_yields_every_row_once_in_order(
    fresh_url: str, make_client, path: str, params: dict[str, str]
) -> None:
    deals = original_deals()
    await load(fresh_url, World(deals=deals))
    async with make_client(fresh_url) as client:
        pages = await walk(client, path, {**params, "limit": "7"})
    walked = ids_of(pages)
    assert walked == newest_first(deals, "signed_on")
    assert [len(p) for p in pages] == [7, 7, 7, 7, 2]


async def test_deal_walk_while_rows_are_inserted(fresh_url: str, make_client) -> None:
    originals = original_deals()
    await load(fresh_url, World(deals=originals))
    expected = newest_first(originals, "signed_on")
    async with make_client(fresh_url) as client:
        items, next_url = await get_page(client, "/v1/deals", {"country": "DE", "limit": "4"})
        walked = [i["id"] for i in items]
        await load(
            fresh_url,
            World(
                deals=[
                    deal("deal-pg-new", dt.date(2030, 1, 1)),
                    deal("deal-pg-999", BASE_DAY + dt.timedelta(days=3)),
                    deal("deal-pg-000a", BASE_DAY + dt.timedelta(days=3)),
                ]
            ),
        )
        while next_url is not None:
            items, next_url = await get_page(client, next_url)
            walked += [i["id"] for i in items]
            assert len(walked) < 100
    assert len(walked) == len(set(walked))
    assert [i for i in walked if i in set(expected)] == expected
    assert "deal-pg-new" not in walked


# Countries, actors and sources


async def test_country_walk_covers_all_249_countries(client) -> None:
    pages = await walk(client, "/v1/countries", {"limit": "50"})
    codes = ids_of(pages, "code")
    assert [len(p) for p in pages] == [50, 50, 50, 50, 49]
    assert len(codes) == len(set(codes)) == 249 == len(pycountry.countries)
    assert codes == sorted(codes)
    assert set(codes) == {c.alpha_2 for c in pycountry.countries}


async def test_actor_walk_orders_by_name_then_id(fresh_url: str, make_client) -> None:
    same_name = [
        ActorIn(id=f"actor-pg-same-{n}", kind="company", name="Pagination Test Company", country="DE")
        for n in ("c", "a", "d", "b", "e", "f")
    ]
    others = [
        ActorIn(id=f"actor-pg-{n}", kind="person", name=f"Pagination Person {n}", country="FR")
        for n in "xyzw"
    ]
    await load(fresh_url, World(actors=same_name + others))
    async with make_client(fresh_url) as client:
        pages = await walk(client, "/v1/actors", {"limit": "5"})
        at_once = (await client.get("/v1/actors", params={"limit": "200"})).json()["items"]
        german = await walk(client, "/v1/actors", {"country": "Germany", "limit": "4"})
    walked = ids_of(pages)
    assert len(walked) == len(set(walked)) == 23 + 10
    assert walked == [a["id"] for a in at_once]
    names = [a["name"] for page in pages for a in page]
    assert names == [a["name"] for a in at_once]
    assert [i for i in walked if i.startswith("actor-pg-same-")] == sorted(a.id for a in same_name)
    assert ids_of(german) == sorted(a.id for a in same_name)
    assert [len(p) for p in german] == [4, 2]


async def test_source_walk_is_newest_first(fresh_url: str, make_client) -> None:
    sources = [
        SourceIn(
            id=f"src-pg-{(n * 5) % 12:02d}",
            title=f"Test report {n}",
            publisher="Test Wire",
            published_on=dt.date(2024, 1, 1) + dt.timedelta(days=n // 3),
        )
        for n in range(12)
    ]
    await load(fresh_url, World(sources=sources))
    async with make_client(fresh_url) as client:
        pages = await walk(client, "/v1/sources", {"limit": "5"})
    walked = ids_of(pages)
    expected = [SOURCE_ID, *newest_first(sources, "published_on")]
    assert walked == expected
    assert [len(p) for p in pages] == [5, 5, 3]


# Links


async def test_next_links_keep_the_filters_and_are_valid_urls(client) -> None:
    pages = await walk(client, "/v1/pairs/South Korea/China/events", {"limit": "3"})
    same = await client.get("/v1/events", params={"pair": "South Korea,China", "limit": "200"})
    assert ids_of(pages) == [i["id"] for i in same.json()["items"]]
    missions = await walk(
        client, "/v1/pairs/South Korea/China/events", {"limit": "1", "type": "trade_mission"}
    )
    assert [len(p) for p in missions] == [1, 1]
    assert {i["type"] for p in missions for i in p} == {"trade_mission"}
    first = await client.get("/v1/pairs/South Korea/China/events", params={"limit": "3"})
    link = first.json()["next"]
    parts = urlsplit(link)
    # A Link target is a URI: no raw spaces, the path as the client could send it.
    assert not any(ch.isspace() for ch in link)
    assert parts.path == "/v1/pairs/South%20Korea/China/events"
    assert "limit=3" in parts.query
    # Parameters the service ignores are carried over, encoded too.
    odd = await client.get("/v1/events", params={"limit": "1", "utm source": "a b"})
    odd_next = odd.json()["next"]
    assert "utm%20source=a%20b" in urlsplit(odd_next).query.split("&")
    assert not any(ch.isspace() for ch in odd_next)


async def test_next_links_use_the_public_base_url(seeded_url: str, make_client) -> None:
    async with make_client(seeded_url, public_base_url="https://api.example.org") as client:
        response = await client.get("/v1/events", params={"limit": "2", "country": "Japan"})
    next_url = response.json()["next"]
    assert next_url.startswith("https://api.example.org/v1/events?")
    assert "country=Japan" in next_url
    assert response.headers["link"] == f'<{next_url}>; rel="next"'


# Cursor misuse


async def first_cursor(client: Any, url: str, params: dict[str, str]) -> str:
    response = await client.get(url, params={**params, "limit": "1"})
    next_url = response.json()["next"]
    assert next_url is not None
    cursor = dict(p.split("=", 1) for p in urlsplit(next_url).query.split("&"))["cursor"]
    return str(cursor)


def assert_bad_cursor(response: Any) -> None:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == 400
    assert body["errors"][0]["name"] == "cursor"
    assert body["errors"][0]["location"] == "query"


async def test_a_cursor_works_with_the_same_filters_in_another_spelling(client) -> None:
    cursor = await first_cursor(client, "/v1/events", {"pair": "CN,JP"})
    response = await client.get(
        "/v1/events", params={"pair": "Tokyo,Beijing", "cursor": cursor, "limit": "200"}
    )
    assert response.status_code == 200
    everything = await client.get("/v1/events", params={"pair": "CN,JP", "limit": "200"})
    assert response.json()["items"] == everything.json()["items"][1:]


@pytest.mark.parametrize(
    ("issued_by", "used_with"),
    [
        (("/v1/events", {"pair": "CN,JP"}), ("/v1/events", {"pair": "CN,KR"})),
        (("/v1/events", {"pair": "CN,JP"}), ("/v1/events", {"pair": "CN,JP", "type": "visit"})),
        (("/v1/events", {}), ("/v1/events", {"country": "KR"})),
        (("/v1/events", {"country": "KR"}), ("/v1/events", {})),
        (("/v1/events", {}), ("/v1/deals", {})),
        (("/v1/deals", {}), ("/v1/deals", {"min_usd": "1"})),
        (("/v1/countries", {}), ("/v1/sources", {})),
        (("/v1/actors", {}), ("/v1/actors", {"country": "KR"})),
        (("/v1/pairs/CN/KR/events", {}), ("/v1/pairs/CN/JP/events", {})),
    ],
)
async def test_a_cursor_from_another_query_is_rejected(
    client, issued_by: tuple[str, dict[str, str]], used_with: tuple[str, dict[str, str]]
) -> None:
    cursor = await first_cursor(client, *issued_by)
    path, params = used_with
    assert_bad_cursor(await client.get(path, params={**params, "cursor": cursor}))


async def test_a_tampered_cursor_is_rejected(client) -> None:
    cursor = await first_cursor(client, "/v1/events", {})
    assert (await client.get("/v1/events", params={"cursor": cursor})).status_code == 200
    for position in (0, len(cursor) // 2, len(cursor) - 5):
        flipped = "B" if cursor[position] != "B" else "C"
        tampered = cursor[:position] + flipped + cursor[position + 1 :]
        assert_bad_cursor(await client.get("/v1/events", params={"cursor": tampered}))


@pytest.mark.parametrize("garbage", ["abc", "!!!!", "eyJ4IjoxfQ", "A" * 40, "W10"])
async def test_a_garbage_cursor_is_rejected(client, garbage: str) -> None:
    assert_bad_cursor(await client.get("/v1/events", params={"cursor": garbage}))


async def test_a_cursor_signed_with_another_secret_is_rejected(client, seeded_url: str, make_client) -> None:
    async with make_client(seeded_url, cursor_secret="another-secret") as other:
        cursor = await first_cursor(other, "/v1/events", {})
    assert_bad_cursor(await client.get("/v1/events", params={"cursor": cursor}))


async def test_an_empty_cursor_is_the_first_page(client) -> None:
    # The documented example of `cursor` is "" for the first page.
    first = await client.get("/v1/events", params={"limit": "3"})
    empty = await client.get("/v1/events", params={"limit": "3", "cursor": ""})
    assert empty.status_code == 200
    assert empty.json()["items"] == first.json()["items"]
