"""Relationship status over HTTP: what held between two countries on a given day, and its history."""

from __future__ import annotations

import datetime as dt

import pytest

SOURCE_ID = "src-2026-01-07-thestar-scmp-china-south-korea-trade-deals"


async def relationship(client, a: str, b: str, as_of: str) -> dict:
    response = await client.get(f"/v1/relationships/{a}/{b}", params={"as_of": as_of})
    assert response.status_code == 200, response.text
    return response.json()


async def current(client, a: str, b: str, as_of: str) -> dict | None:
    return (await relationship(client, a, b, as_of))["current"]


def assert_problem(response, status: int, name: str, location: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert [e["name"] for e in body["errors"]] == [name]
    assert body["errors"][0]["location"] == location
    return body


async def test_tokyo_beijing_is_frozen_and_deteriorating_in_january_2026(client) -> None:
    body = await relationship(client, "Tokyo", "Beijing", "2026-01-07")
    assert body["pair"] == "CN-JP"
    assert body["as_of"] == "2026-01-07"
    assert [c["code"] for c in body["countries"]] == ["CN", "JP"]
    now = body["current"]
    assert now["pair"] == "CN-JP"
    assert (now["status"], now["trend"], now["status_rank"]) == ("frozen", "deteriorating", 1)
    assert now["valid_from"] == "2025-12-29"
    assert now["valid_to"] is None
    assert "freeze" in now["summary"]
    assert "ev-2026-01-06-cn-dual-use-export-ban-japan-military" in [e["id"] for e in now["events"]]


async def test_tokyo_beijing_before_the_dispute_has_no_status(client) -> None:
    body = await relationship(client, "Tokyo", "Beijing", "2025-07-01")
    assert body["current"] is None
    # The history does not depend on the day asked about.
    assert [p["status"] for p in body["history"]] == ["strained", "frozen"]


async def test_tokyo_beijing_was_strained_in_december_2025(client) -> None:
    now = await current(client, "Tokyo", "Beijing", "2025-12-01")
    assert (now["status"], now["trend"], now["status_rank"]) == ("strained", "deteriorating", 2)
    assert now["id"] == "rel-cn-jp-2025-11-07"


async def test_history_lists_every_period_oldest_first_with_drivers_and_sources(client) -> None:
    history = (await relationship(client, "JP", "CN", "2026-01-07"))["history"]
    assert [(p["valid_from"], p["valid_to"], p["status"]) for p in history] == [
        ("2025-11-07", "2025-12-29", "strained"),
        ("2025-12-29", None, "frozen"),
    ]
    first, second = history
    assert [(e["id"], e["title"]) for e in first["events"]] == [
        (
            "ev-2025-11-07-takaichi-taiwan-strait-remark",
            "Takaichi suggests Japan could intervene in a Taiwan Strait conflict",
        )
    ]
    assert [e["id"] for e in second["events"]] == [
        "ev-2025-12-29-japan-business-groups-postpone-china-visit",
        "ev-2026-01-06-cn-dual-use-export-ban-japan-military",
    ]
    assert all(e["title"] for e in second["events"])
    for period in history:
        assert [s["source_id"] for s in period["sources"]] == [SOURCE_ID]
        assert period["sources"][0]["publisher"] == "The Star (Malaysia)"
        assert period["sources"][0]["original_publisher"] == "South China Morning Post"


@pytest.mark.parametrize(
    ("a", "b", "day", "period_id", "status", "trend"),
    [
        # valid_to is exclusive: on the day a period ends, the next one holds.
        ("CN", "JP", "2025-12-28", "rel-cn-jp-2025-11-07", "strained", "deteriorating"),
        ("CN", "JP", "2025-12-29", "rel-cn-jp-2025-12-29", "frozen", "deteriorating"),
        ("CN", "KR", "2026-01-04", "rel-cn-kr-2017-01-01", "strained", "steady"),
        ("CN", "KR", "2026-01-05", "rel-cn-kr-2026-01-05", "strained", "improving"),
        # valid_from is inclusive.
        ("CN", "JP", "2025-11-07", "rel-cn-jp-2025-11-07", "strained", "deteriorating"),
        ("CN", "KR", "2017-01-01", "rel-cn-kr-2017-01-01", "strained", "steady"),
    ],
)
async def test_as_of_on_period_boundaries(client, a, b, day, period_id, status, trend) -> None:
    now = await current(client, a, b, day)
    assert (now["id"], now["status"], now["trend"]) == (period_id, status, trend)


@pytest.mark.parametrize(("a", "b", "day"), [("CN", "JP", "2025-11-06"), ("CN", "KR", "2016-12-31")])
async def test_the_day_before_the_first_period_has_no_status(client, a, b, day) -> None:
    assert await current(client, a, b, day) is None


async def test_seoul_beijing_was_strained_and_steady_in_2020(client) -> None:
    now = await current(client, "Seoul", "Beijing", "2020-06-15")
    assert (now["status"], now["trend"]) == ("strained", "steady")
    assert "THAAD" in now["summary"]


async def test_seoul_beijing_thaw_in_january_2026(client) -> None:
    now = await current(client, "Seoul", "Beijing", "2026-01-07")
    assert (now["status"], now["trend"], now["status_rank"]) == ("strained", "improving", 2)
    assert now["pair"] == "CN-KR"
    assert "ev-2026-01-05-lee-xi-summit" in [e["id"] for e in now["events"]]


@pytest.mark.parametrize(("a", "b"), [("KR", "CN"), ("Seoul", "Beijing"), ("south%20korea", "PRC"),
                                      ("KOR", "CHN"), ("CN", "KR")])  # fmt: skip
async def test_every_spelling_of_a_pair_gives_the_same_answer(client, a, b) -> None:
    expected = await relationship(client, "China", "South Korea", "2026-01-07")
    assert expected["pair"] == "CN-KR"
    assert await relationship(client, a, b, "2026-01-07") == expected


async def test_default_as_of_is_today(client) -> None:
    before = dt.datetime.now(dt.UTC).date()
    body = (await client.get("/v1/relationships/CN/KR")).json()
    after = dt.datetime.now(dt.UTC).date()
    assert body["as_of"] in {before.isoformat(), after.isoformat()}
    # The thaw period is open-ended, so it holds today.
    assert body["current"]["id"] == "rel-cn-kr-2026-01-05"


async def list_relationships(client, **params) -> dict:
    response = await client.get("/v1/relationships", params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def test_list_gives_every_pair_status_on_the_day(client) -> None:
    body = await list_relationships(client, as_of="2026-01-07")
    assert body["as_of"] == "2026-01-07"
    assert [(p["pair"], p["status"], p["trend"]) for p in body["items"]] == [
        ("CN-JP", "frozen", "deteriorating"),
        ("CN-KR", "strained", "improving"),
    ]
    assert body["next"] is None


@pytest.mark.parametrize(
    ("params", "pairs"),
    [
        ({"country": "JP"}, ["CN-JP"]),
        ({"country": "Tokyo"}, ["CN-JP"]),
        ({"country": "Seoul"}, ["CN-KR"]),
        ({"country": "US"}, []),
        ({"status": "frozen"}, ["CN-JP"]),
        ({"status": "strained"}, ["CN-KR"]),
        ({"trend": "improving"}, ["CN-KR"]),
        ({"trend": "deteriorating"}, ["CN-JP"]),
        ({"country": "China", "trend": "improving"}, ["CN-KR"]),
        ({"status": "frozen", "trend": "improving"}, []),
    ],
)
async def test_list_filters(client, params, pairs) -> None:
    body = await list_relationships(client, as_of="2026-01-07", **params)
    assert [p["pair"] for p in body["items"]] == pairs


async def test_list_follows_the_day_asked_about(client) -> None:
    december = await list_relationships(client, as_of="2025-12-01")
    assert [(p["pair"], p["status"], p["trend"]) for p in december["items"]] == [
        ("CN-JP", "strained", "deteriorating"),
        ("CN-KR", "strained", "steady"),
    ]
    assert (await list_relationships(client, as_of="2010-01-01"))["items"] == []


async def test_list_pages_through_every_pair_once(client) -> None:
    seen = []
    url, params = "/v1/relationships", {"as_of": "2026-01-07", "limit": 1}
    while url:
        response = await client.get(url, params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        assert len(body["items"]) <= 1
        seen += [p["pair"] for p in body["items"]]
        url, params = body["next"], None
        if url:
            assert response.headers["link"] == f'<{url}>; rel="next"'
    assert seen == ["CN-JP", "CN-KR"]


async def test_same_country_twice_is_422_naming_b(client) -> None:
    body = assert_problem(await client.get("/v1/relationships/CN/China"), 422, "b", "path")
    assert "CN" in body["errors"][0]["message"]


async def test_unknown_country_is_422_with_suggestions(client) -> None:
    body = assert_problem(await client.get("/v1/relationships/Chian/Japan"), 422, "a", "path")
    assert "China (CN)" in body["errors"][0]["suggestions"]
    body = assert_problem(await client.get("/v1/relationships/China/Japn"), 422, "b", "path")
    assert "Japan (JP)" in body["errors"][0]["suggestions"]


@pytest.mark.parametrize("url", ["/v1/relationships/CN/JP", "/v1/relationships"])
@pytest.mark.parametrize("as_of", ["yesterday", "2026-13-01", "2026-02-30"])
async def test_bad_as_of_is_422_naming_it(client, url, as_of) -> None:
    assert_problem(await client.get(url, params={"as_of": as_of}), 422, "as_of", "query")


@pytest.mark.parametrize(
    ("params", "name"),
    [({"status": "friendly"}, "status"), ({"trend": "up"}, "trend"), ({"country": "Atlantis"}, "country")],
)
async def test_bad_list_filters_are_422_naming_them(client, params, name) -> None:
    assert_problem(await client.get("/v1/relationships", params=params), 422, name, "query")
