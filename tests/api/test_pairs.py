"""Pairs over HTTP: one page about two countries, and the list of every pair with data."""

from __future__ import annotations

import pytest

EXPORT_CONTRACTS = "deal-2026-01-06-kr-cn-export-contracts-beijing"
COMPANY_MOUS = "deal-2026-01-05-kr-cn-company-mous"
ALIBABA_SHINSEGAE = "deal-2026-01-05-alibaba-shinsegae-premium-korean-goods"

# Every pair the seed world has data for: CN-KR (the thaw), CN-JP (the freeze), JP-KR (Lee's
# planned visit to Japan), and KR-US and CN-US through the 2017 THAAD deployment.
SEED_PAIRS = {"CN-KR", "CN-JP", "JP-KR", "KR-US", "CN-US"}


async def get_json(client, url: str, **params) -> dict:
    # An empty `params` would make httpx drop the query of a `next` link.
    response = await client.get(url, params=params or None)
    assert response.status_code == 200, response.text
    return response.json()


async def pair_page(client, a: str, b: str, as_of: str = "2026-01-07") -> dict:
    return await get_json(client, f"/v1/pairs/{a}/{b}", as_of=as_of)


def totals_by_key(body: dict) -> dict[tuple, dict]:
    keys = [(t["kind"], t["year"], t["basis"]) for t in body["deal_totals"]]
    assert len(keys) == len(set(keys)), keys
    return {(t["kind"], t["year"], t["basis"]): t for t in body["deal_totals"]}


async def test_korea_china_page_shows_a_thaw(client) -> None:
    body = await pair_page(client, "South%20Korea", "China")
    assert body["pair"] == "CN-KR"
    assert body["name"] == "China – South Korea"
    assert body["as_of"] == "2026-01-07"
    rel = body["relationship"]
    assert (rel["status"], rel["trend"]) == ("strained", "improving")
    assert rel["id"] == "rel-cn-kr-2026-01-05"


async def test_pair_page_relationship_follows_as_of(client) -> None:
    before = await pair_page(client, "KR", "CN", as_of="2025-12-01")
    assert (before["relationship"]["status"], before["relationship"]["trend"]) == ("strained", "steady")
    assert (await pair_page(client, "KR", "CN", as_of="2016-06-01"))["relationship"] is None


async def test_pair_page_names_both_countries(client) -> None:
    countries = (await pair_page(client, "Seoul", "Beijing"))["countries"]
    assert [(c["code"], c["alpha3"], c["name"], c["capital"]) for c in countries] == [
        ("CN", "CHN", "China", "Beijing"),
        ("KR", "KOR", "Korea, Republic of", "Seoul"),
    ]
    assert countries[1]["common_name"] == "South Korea"


async def test_deal_totals_by_kind_year_and_basis(client) -> None:
    totals = totals_by_key(await pair_page(client, "KR", "CN"))
    exports = totals[("export_contract", 2026, "actual_total")]
    assert exports["total_usd"] == "44110000"
    assert (exports["deals"], exports["instruments"], exports["without_usd"]) == (1, 24, 0)
    target = totals[("mou", 2026, "target")]
    assert target["total_usd"] == "690600000"
    # The Alibaba–Shinsegae deal is one of the 32 MOUs: it adds its value but no instrument.
    assert (target["deals"], target["instruments"]) == (1, 0)
    mou_instruments = sum(t["instruments"] for (kind, _, _), t in totals.items() if kind == "mou")
    assert mou_instruments == 32
    # A target is never added into an actual total.
    assert set(totals) == {
        ("export_contract", 2026, "actual_total"),
        ("mou", 2026, "target"),
        ("mou", 2026, None),
    }
    assert totals[("mou", 2026, None)]["total_usd"] == "0"


async def test_counts_count_the_mou_batch_once(client) -> None:
    counts = (await pair_page(client, "KR", "CN"))["counts"]
    events = await get_json(client, "/v1/events", pair="CN,KR", limit=200)
    assert counts == {"events": len(events["items"]), "deals": 3, "instruments": 24 + 32}
    assert counts["events"] == 7


async def test_latest_deals_include_the_export_contracts_and_alibaba_shinsegae(client) -> None:
    latest = (await pair_page(client, "KR", "CN"))["latest_deals"]
    ids = [d["id"] for d in latest]
    assert {EXPORT_CONTRACTS, ALIBABA_SHINSEGAE, COMPANY_MOUS} <= set(ids)
    assert ids[0] == EXPORT_CONTRACTS  # the newest, signed a day after the MOUs
    alibaba = next(d for d in latest if d["id"] == ALIBABA_SHINSEGAE)
    assert alibaba["part_of"] == COMPANY_MOUS
    assert alibaba["value"]["usd"] == "690600000"


async def test_latest_events_are_the_newest_five(client) -> None:
    latest = (await pair_page(client, "KR", "CN"))["latest_events"]
    assert len(latest) == 5
    days = [e["start_date"] for e in latest]
    assert days == sorted(days, reverse=True)
    assert days[0] == "2026-01-06"
    listed = await get_json(client, "/v1/pairs/KR/CN/events", limit=5)
    assert [e["id"] for e in latest] == [e["id"] for e in listed["items"]]


@pytest.mark.parametrize(("a", "b"), [("KR", "CN"), ("Seoul", "Beijing"), ("PRC", "ROK"),
                                      ("china", "korea,%20republic%20of")])  # fmt: skip
async def test_every_spelling_gives_the_same_page(client, a, b) -> None:
    expected = await pair_page(client, "South%20Korea", "China")
    assert await pair_page(client, a, b) == expected


async def test_pair_without_status_or_deals(client) -> None:
    body = await pair_page(client, "Tokyo", "Seoul")
    assert body["pair"] == "JP-KR"
    assert body["relationship"] is None
    assert body["counts"] == {"events": 1, "deals": 0, "instruments": 0}
    assert body["deal_totals"] == []
    assert [e["id"] for e in body["latest_events"]] == ["ev-2026-01-13-lee-visit-japan"]


async def test_pair_without_any_data_is_an_empty_page(client) -> None:
    body = await pair_page(client, "France", "Germany")
    assert body["pair"] == "DE-FR"
    assert body["relationship"] is None
    assert body["counts"] == {"events": 0, "deals": 0, "instruments": 0}
    assert (body["deal_totals"], body["latest_events"], body["latest_deals"]) == ([], [], [])


async def test_pair_deals_equal_deals_filtered_by_pair(client) -> None:
    nested = await get_json(client, "/v1/pairs/Seoul/Beijing/deals")
    flat = await get_json(client, "/v1/deals", pair="Beijing,Seoul")
    assert nested["items"] == flat["items"]
    assert [d["id"] for d in nested["items"]] == [EXPORT_CONTRACTS, COMPANY_MOUS, ALIBABA_SHINSEGAE]
    assert (await get_json(client, "/v1/pairs/JP/CN/deals"))["items"] == []


async def test_pair_deals_filters_and_pages(client) -> None:
    mous = await get_json(client, "/v1/pairs/KR/CN/deals", kind="mou")
    assert {d["id"] for d in mous["items"]} == {ALIBABA_SHINSEGAE, COMPANY_MOUS}
    seen, url, params = [], "/v1/pairs/KR/CN/deals", {"limit": 1}
    while url:
        body = await get_json(client, url, **(params or {}))
        seen += [d["id"] for d in body["items"]]
        url, params = body["next"], None
    assert seen == [EXPORT_CONTRACTS, COMPANY_MOUS, ALIBABA_SHINSEGAE]


async def test_pair_events_equal_events_filtered_by_pair(client) -> None:
    nested = await get_json(client, "/v1/pairs/Tokyo/Beijing/events")
    flat = await get_json(client, "/v1/events", pair="CN,JP")
    assert nested["items"] == flat["items"]
    assert len(nested["items"]) == 4


async def list_all_pairs(client, **params) -> list[dict]:
    items, url, query = [], "/v1/pairs", {**params, "limit": 2}
    while url:
        response = await client.get(url, params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["items"]
        url, query = body["next"], None
    return items


async def test_pairs_lists_every_pair_with_data_most_recent_first(client) -> None:
    items = await list_all_pairs(client)
    assert [p["pair"] for p in items] == ["JP-KR", "CN-KR", "CN-JP", "KR-US", "CN-US"]
    assert {p["pair"] for p in items} == SEED_PAIRS
    keys = [(p["last_activity"], p["pair"]) for p in items]
    assert keys == sorted(keys, reverse=True)
    # One page holds the same items as the walk.
    assert (await get_json(client, "/v1/pairs"))["items"] == items


async def test_pairs_list_items_carry_counts_and_the_current_status(client) -> None:
    by_pair = {p["pair"]: p for p in await list_all_pairs(client)}
    korea = by_pair["CN-KR"]
    assert (korea["country_a"], korea["country_b"], korea["name"]) == ("CN", "KR", "China – South Korea")
    assert (korea["event_count"], korea["deal_count"], korea["last_activity"]) == (7, 3, "2026-01-06")
    # Both curated statuses are open-ended, so they hold today.
    assert (korea["status"], korea["trend"]) == ("strained", "improving")
    assert (by_pair["CN-JP"]["status"], by_pair["CN-JP"]["trend"]) == ("frozen", "deteriorating")
    for key in ("JP-KR", "KR-US", "CN-US"):
        assert (by_pair[key]["status"], by_pair[key]["trend"]) == (None, None)


@pytest.mark.parametrize(
    ("country", "pairs"),
    [
        ("Japan", ["JP-KR", "CN-JP"]),
        ("jp", ["JP-KR", "CN-JP"]),
        ("Washington", ["KR-US", "CN-US"]),
        ("Seoul", ["JP-KR", "CN-KR", "KR-US"]),
        ("France", []),
    ],
)
async def test_pairs_list_filters_by_country(client, country, pairs) -> None:
    assert [p["pair"] for p in await list_all_pairs(client, country=country)] == pairs


@pytest.mark.parametrize(
    ("url", "name", "location"),
    [
        ("/v1/pairs/KR/Seoul", "b", "path"),
        ("/v1/pairs/Atlantis/KR", "a", "path"),
        ("/v1/pairs/KR/CN/deals?kind=gift", "kind", "query"),
        ("/v1/pairs?country=Atlantis", "country", "query"),
        ("/v1/pairs/KR/CN?as_of=soon", "as_of", "query"),
    ],
)
async def test_bad_pair_requests_are_422_naming_the_parameter(client, url, name, location) -> None:
    response = await client.get(url)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [(e["name"], e["location"]) for e in response.json()["errors"]] == [(name, location)]
