"""Deals over HTTP: the CN–KR deals, money as strings, every filter, ECB conversion and bad input."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import msgspec
import pytest

from schemas.deals import DealIn
from service import db, setup
from service.seed import World, load_world
from tests.databases import app_settings

EXPORTS = "deal-2026-01-06-kr-cn-export-contracts-beijing"
MOUS = "deal-2026-01-05-kr-cn-company-mous"
ALIBABA = "deal-2026-01-05-alibaba-shinsegae-premium-korean-goods"
ALL_DEALS = [EXPORTS, MOUS, ALIBABA]  # signed_on desc, then id desc
SOURCE_ID = "src-2026-01-07-thestar-scmp-china-south-korea-trade-deals"


async def list_ids(client: Any, path: str = "/v1/deals", **params: str) -> list[str]:
    response = await client.get(path, params={"limit": "200", **params})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["next"] is None
    return [item["id"] for item in body["items"]]


def assert_problem(response: Any, status: int, name: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["errors"][0]["name"] == name
    return body


def deal(deal_id: str, signed_on: str, value: dict[str, Any] | None, **extra: Any) -> DealIn:
    """A valid deal between a German exporter and a French importer."""
    raw = {
        "id": deal_id,
        "kind": "export_contract",
        "title": f"Test deal {deal_id}",
        "signed_on": signed_on,
        "value": value,
        "parties": [{"role": "exporter", "country": "DE"}, {"role": "importer", "country": "FR"}],
        "sources": [{"source_id": SOURCE_ID}],
        **extra,
    }
    return msgspec.convert(raw, DealIn)


async def load(url: str, world: World) -> None:
    """Insert records through the same path the seed loader uses (USD conversion included)."""
    conn = await db.connect(url, app_settings(url))
    try:
        await load_world(conn, await setup.load_resolver(conn), world)
    finally:
        await conn.close()


def cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


# The seed deals


async def test_deals_are_newest_first_with_id_breaking_ties(client) -> None:
    items = (await client.get("/v1/deals")).json()["items"]
    assert [i["id"] for i in items] == ALL_DEALS
    keys = [(i["signed_on"], i["id"]) for i in items]
    assert keys == sorted(keys, reverse=True)


async def test_export_contracts_batch(client) -> None:
    response = await client.get(f"/v1/deals/{EXPORTS}")
    assert response.status_code == 200
    d = response.json()
    assert d["kind"] == "export_contract"
    assert d["count"] == 24
    assert d["signed_on"] == "2026-01-06"
    assert d["event_id"] == "ev-2026-01-06-kr-export-promotion-beijing"
    v = d["value"]
    assert v["amount"] == "44110000"
    assert v["currency"] == "USD"
    assert v["basis"] == "actual_total"
    assert v["qualifier"] == "exact"
    assert v["usd"] == "44110000"
    assert v["usd_method"] == "reported"
    assert v["text"] == "US$44.11 million"
    assert [(p["role"], p["country"]) for p in d["parties"]] == [("exporter", "KR"), ("importer", "CN")]
    assert d["sources"][0]["attribution"] == "South Korea's Ministry of Trade, Industry and Resources"


async def test_thirty_two_mous_have_no_value(client) -> None:
    d = (await client.get(f"/v1/deals/{MOUS}")).json()
    assert d["kind"] == "mou"
    assert d["count"] == 32
    assert d["value"] is None
    assert {"robotics", "mobility", "content", "food", "cosmetics"} <= set(d["sectors"])
    assert d["event_id"] == "ev-2026-01-05-lee-xi-summit"
    assert d["part_of"] is None


async def test_alibaba_shinsegae_target(client) -> None:
    d = (await client.get(f"/v1/deals/{ALIBABA}")).json()
    assert d["kind"] == "mou"
    assert d["count"] == 1
    assert d["part_of"] == MOUS
    assert d["event_id"] == "ev-2026-01-05-lee-xi-summit"
    v = d["value"]
    assert (v["amount"], v["currency"]) == ("1000000000000", "KRW")
    assert v["basis"] == "target"
    assert v["qualifier"] == "at_least"
    assert v["period"] == "annual"
    assert v["horizon_years"] == "5"
    assert (v["usd"], v["usd_method"]) == ("690600000", "reported")
    assert v["usd_rate"] is None
    assert "1 trillion won" in v["text"]
    parties = [(p["country"], p["actor_id"]) for p in d["parties"]]
    assert parties == [("CN", "actor-alibaba"), ("KR", "actor-shinsegae-group")]
    assert "Alibaba" in d["parties"][0]["actor_name"]
    assert "Shinsegae" in d["parties"][1]["actor_name"]
    assert d["sources"][0]["original_publisher"] == "South China Morning Post"


async def test_money_is_serialised_as_decimal_strings(client) -> None:
    response = await client.get("/v1/deals")
    assert '"amount":"44110000"' in response.text
    assert '"usd":"690600000"' in response.text
    assert '"horizon_years":"5"' in response.text
    for item in response.json()["items"]:
        v = item["value"]
        if v is None:
            continue
        for key in ("amount", "usd", "horizon_years", "usd_rate"):
            assert v[key] is None or isinstance(v[key], str), (item["id"], key)
        assert Decimal(v["amount"]) > 0


async def test_the_item_equals_its_list_entry(client) -> None:
    for item in (await client.get("/v1/deals")).json()["items"]:
        assert (await client.get(f"/v1/deals/{item['id']}")).json() == item


async def test_unknown_deal_is_a_404_problem(client) -> None:
    response = await client.get("/v1/deals/deal-1999-01-01-nothing")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "deal-1999-01-01-nothing" in response.json()["detail"]


# Filters


@pytest.mark.parametrize(
    "spelling", ["KR", "kor", "South Korea", "south korea", "Seoul", "Korea, Republic of"]
)
async def test_country_filter(client, spelling: str) -> None:
    assert await list_ids(client, country=spelling) == ALL_DEALS


async def test_country_filter_excludes_other_countries(client) -> None:
    assert await list_ids(client, country="Japan") == []
    assert await list_ids(client, country="PRC") == ALL_DEALS


@pytest.mark.parametrize(
    "pair", ["Seoul,Beijing", "Beijing,Seoul", "CN,KR", "KR,CN", "KR-CN", "cn-kr", "China, South Korea"]
)
async def test_pair_filter_in_any_alias_and_order(client, pair: str) -> None:
    assert await list_ids(client, pair=pair) == ALL_DEALS


async def test_pair_filter_excludes_other_pairs(client) -> None:
    assert await list_ids(client, pair="Tokyo,Beijing") == []
    assert await list_ids(client, pair="KR,JP") == []


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "mou"}, [MOUS, ALIBABA]),
        ({"kind": "export_contract"}, [EXPORTS]),
        ({"kind": "loan"}, []),
        ({"sector": "robotics"}, [MOUS]),
        ({"sector": "e_commerce"}, [MOUS, ALIBABA]),
        ({"sector": "defence"}, []),
        ({"status": "signed"}, ALL_DEALS),
        ({"status": "cancelled"}, []),
        ({"actor": "actor-alibaba"}, [ALIBABA]),
        ({"actor": "actor-shinsegae-group"}, [ALIBABA]),
        ({"actor": "actor-samsung"}, []),
        ({"from": "2026-01-06"}, [EXPORTS]),
        ({"to": "2026-01-05"}, [MOUS, ALIBABA]),
        ({"from": "2026-01-05", "to": "2026-01-05"}, [MOUS, ALIBABA]),
        ({"from": "2025-01-01", "to": "2025-12-31"}, []),
        ({"q": "Alibaba"}, [MOUS, ALIBABA]),
        ({"q": "robotics"}, [MOUS]),
        ({"q": "trillion"}, [ALIBABA]),
        ({"q": "export"}, [EXPORTS, MOUS]),
        ({"q": "Alibaba -trillion"}, [MOUS]),
        ({"kind": "mou", "sector": "robotics", "pair": "Seoul,Beijing"}, [MOUS]),
    ],
)
async def test_filters(client, params: dict[str, str], expected: list[str]) -> None:
    assert await list_ids(client, **params) == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"min_usd": "50000000"}, [ALIBABA]),
        ({"max_usd": "50000000"}, [EXPORTS]),
        ({"min_usd": "0"}, [EXPORTS, ALIBABA]),
        ({"min_usd": "44110000"}, [EXPORTS, ALIBABA]),
        ({"min_usd": "44110000.01"}, [ALIBABA]),
        ({"max_usd": "44110000.00"}, [EXPORTS]),
        ({"max_usd": "44109999.99"}, []),
        ({"min_usd": "690600000", "max_usd": "690600000"}, [ALIBABA]),
        ({"min_usd": "1000000", "max_usd": "1000000000"}, [EXPORTS, ALIBABA]),
        ({"min_usd": "1e9"}, []),
    ],
)
async def test_usd_bounds_are_inclusive_and_skip_deals_without_a_usd_value(
    client, params: dict[str, str], expected: list[str]
) -> None:
    assert await list_ids(client, **params) == expected


async def test_pair_route_lists_the_same_deals(client) -> None:
    via_route = await client.get("/v1/pairs/Seoul/Beijing/deals")
    via_filter = await client.get("/v1/deals", params={"pair": "Beijing,Seoul"})
    assert via_route.status_code == 200
    assert via_route.json() == via_filter.json()
    assert await list_ids(client, "/v1/pairs/KR/CN/deals", kind="export_contract") == [EXPORTS]


# Bad input


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"min_usd": "-1"}, "min_usd"),
        ({"max_usd": "-0.01"}, "max_usd"),
        ({"min_usd": "abc"}, "min_usd"),
        ({"max_usd": "1,000"}, "max_usd"),
        ({"min_usd": "NaN"}, "min_usd"),
        ({"min_usd": "Infinity"}, "min_usd"),
        ({"min_usd": "100", "max_usd": "10"}, "max_usd"),
        ({"kind": "nope"}, "kind"),
        ({"status": "rumoured"}, "status"),
        ({"sector": "space"}, "sector"),
        ({"country": "Chna"}, "country"),
        ({"pair": "Seoul"}, "pair"),
        ({"pair": "Seoul,KR"}, "pair"),
        ({"from": "2026-01-07", "to": "2026-01-01"}, "to"),
        ({"from": "2026-1-x"}, "from"),
        ({"limit": "0"}, "limit"),
        ({"limit": "201"}, "limit"),
    ],
)
async def test_bad_input_is_a_422_naming_the_parameter(client, params: dict[str, str], name: str) -> None:
    assert_problem(await client.get("/v1/deals", params=params), 422, name)


async def test_unknown_country_in_deals_suggests_china(client) -> None:
    body = assert_problem(await client.get("/v1/deals", params={"country": "Chna"}), 422, "country")
    assert "China (CN)" in body["errors"][0]["suggestions"]


# ECB conversion, through the loader that computes it


async def test_eur_deal_on_a_weekend_is_converted_at_the_previous_business_days_rate(
    fresh_url: str, make_client
) -> None:
    amount = "2500000.55"
    await load(
        fresh_url,
        World(
            deals=[
                # Saturday 9 March 2024: the ECB published no rate that day.
                deal("deal-test-eur-weekend", "2024-03-09", {"amount": amount, "currency": "EUR"}),
                deal("deal-test-eur-friday", "2024-03-08", {"amount": amount, "currency": "EUR"}),
            ]
        ),
    )
    async with make_client(fresh_url) as client:
        weekend = (await client.get("/v1/deals/deal-test-eur-weekend")).json()["value"]
        friday = (await client.get("/v1/deals/deal-test-eur-friday")).json()["value"]
    assert weekend["usd_method"] == "ecb"
    assert weekend["usd_rate_date"] == "2024-03-08"
    # The ECB's euro reference rate for 8 March 2024 was 1.0932 US dollars.
    assert Decimal(weekend["usd_rate"]) == Decimal("1.0932")
    assert weekend["usd"] == str(cents(Decimal(amount) * Decimal(weekend["usd_rate"])))
    assert weekend["usd"] == "2733000.60"
    assert (weekend["amount"], weekend["currency"]) == (amount, "EUR")
    assert weekend["usd_note"] is None
    assert friday["usd_rate_date"] == "2024-03-08"
    assert friday["usd"] == weekend["usd"]


async def test_holiday_falls_back_over_the_long_weekend(fresh_url: str, make_client) -> None:
    # Easter Monday 2024-04-01 and Good Friday 2024-03-29 are TARGET holidays.
    await load(
        fresh_url, World(deals=[deal("deal-test-easter", "2024-04-01", {"amount": "10", "currency": "EUR"})])
    )
    async with make_client(fresh_url) as client:
        v = (await client.get("/v1/deals/deal-test-easter")).json()["value"]
    assert v["usd_method"] == "ecb"
    assert v["usd_rate_date"] == "2024-03-28"
    assert v["usd"] == str(cents(Decimal("10") * Decimal(v["usd_rate"])))


async def test_krw_deal_is_converted_through_the_euro_cross_rate(fresh_url: str, make_client) -> None:
    amount = Decimal("1000000000000")
    await load(
        fresh_url,
        World(deals=[deal("deal-test-krw-sunday", "2024-03-10", {"amount": str(amount), "currency": "KRW"})]),
    )
    async with make_client(fresh_url) as client:
        v = (await client.get("/v1/deals/deal-test-krw-sunday")).json()["value"]
        listed = await list_ids(client, min_usd="700000000", max_usd="800000000")
    assert v["usd_method"] == "ecb"
    assert v["usd_rate_date"] == "2024-03-08"
    assert dt.date.fromisoformat(v["usd_rate_date"]) <= dt.date(2024, 3, 10)
    rate = Decimal(v["usd_rate"])
    # Roughly 1,300-1,500 won to the dollar in March 2024.
    assert Decimal(1) / 1500 < rate < Decimal(1) / 1300
    assert Decimal(v["usd"]) == cents(amount * rate)
    assert v["usd"] == str(cents(amount * rate))
    # The converted value takes part in the USD filters.
    assert listed == ["deal-test-krw-sunday"]


async def test_a_reported_usd_value_wins_over_the_ecb_rate(fresh_url: str, make_client) -> None:
    await load(
        fresh_url,
        World(
            deals=[
                deal(
                    "deal-test-eur-reported",
                    "2024-03-08",
                    {"amount": "100", "currency": "EUR", "usd": "99.5"},
                )
            ]
        ),
    )
    async with make_client(fresh_url) as client:
        v = (await client.get("/v1/deals/deal-test-eur-reported")).json()["value"]
    assert (v["usd"], v["usd_method"], v["usd_rate"], v["usd_rate_date"]) == ("99.5", "reported", None, None)


async def test_twd_deal_has_no_usd_value_and_says_why(fresh_url: str, make_client) -> None:
    await load(
        fresh_url,
        World(deals=[deal("deal-test-twd", "2024-03-08", {"amount": "5000000", "currency": "TWD"})]),
    )
    async with make_client(fresh_url) as client:
        response = await client.get("/v1/deals/deal-test-twd")
        with_bound = await list_ids(client, min_usd="0", pair="DE,FR")
        without_bound = await list_ids(client, pair="DE,FR")
    assert response.status_code == 200
    v = response.json()["value"]
    assert (v["amount"], v["currency"]) == ("5000000", "TWD")
    assert v["usd"] is None
    assert v["usd_method"] is None
    assert v["usd_rate"] is None
    assert "ECB" in v["usd_note"]
    assert "TWD" in v["usd_note"]
    assert with_bound == []
    assert without_bound == ["deal-test-twd"]
