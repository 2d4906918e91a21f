"""Events over HTTP: order, coding, every filter, one event, bad input and the pair route."""

from __future__ import annotations

import re
from typing import Any

import pytest

SUMMIT = "ev-2026-01-05-lee-xi-summit"
DELEGATION = "ev-2026-01-05-kr-business-delegation-china"
PROMOTION = "ev-2026-01-06-kr-export-promotion-beijing"
KIM_STATEMENT = "ev-2026-01-06-kim-jung-kwan-support-statement"
DUAL_USE_BAN = "ev-2026-01-06-cn-dual-use-export-ban-japan-military"
LEE_JAPAN_VISIT = "ev-2026-01-13-lee-visit-japan"
JP_VISIT = "ev-2026-01-01-japan-business-groups-china-visit"
JP_POSTPONEMENT = "ev-2025-12-29-japan-business-groups-postpone-china-visit"
TAKAICHI = "ev-2025-11-07-takaichi-taiwan-strait-remark"
THAAD = "ev-2017-01-01-kr-thaad-deployment"
CN_OPPOSES_THAAD = "ev-2017-01-01-cn-opposes-thaad"
BOYCOTT = "ev-2017-01-01-cn-korean-pop-culture-boycott"

ALL_EVENTS = {
    SUMMIT, DELEGATION, PROMOTION, KIM_STATEMENT, DUAL_USE_BAN, LEE_JAPAN_VISIT,
    JP_VISIT, JP_POSTPONEMENT, TAKAICHI, THAAD, CN_OPPOSES_THAAD, BOYCOTT,
}  # fmt: skip
KR_EVENTS = {LEE_JAPAN_VISIT, PROMOTION, KIM_STATEMENT, SUMMIT, DELEGATION, THAAD, CN_OPPOSES_THAAD, BOYCOTT}
CN_EVENTS = ALL_EVENTS - {LEE_JAPAN_VISIT}
CN_JP_EVENTS = {DUAL_USE_BAN, JP_VISIT, JP_POSTPONEMENT, TAKAICHI}
SOURCE_ID = "src-2026-01-07-thestar-scmp-china-south-korea-trade-deals"


async def list_ids(client: Any, path: str = "/v1/events", **params: str) -> list[str]:
    response = await client.get(path, params={"limit": "200", **params})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["next"] is None
    return [item["id"] for item in body["items"]]


def assert_problem(response: Any, status: int, name: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["errors"][0]["name"] == name
    assert body["errors"][0]["location"] == "query"
    return body


# Order and shape


async def test_list_is_newest_first_with_id_breaking_ties(client) -> None:
    response = await client.get("/v1/events", params={"limit": "200"})
    assert response.status_code == 200
    items = response.json()["items"]
    assert {i["id"] for i in items} == ALL_EVENTS
    keys = [(i["start_date"], i["id"]) for i in items]
    assert keys == sorted(keys, reverse=True)
    # Three events share 2017-01-01 and three share 2026-01-06: the id decides among them.
    assert [i["id"] for i in items if i["start_date"] == "2017-01-01"] == [THAAD, CN_OPPOSES_THAAD, BOYCOTT]
    assert items[0]["id"] == LEE_JAPAN_VISIT


async def test_default_page_is_the_first_fifty_in_order(client) -> None:
    default = (await client.get("/v1/events")).json()["items"]
    everything = await list_ids(client)
    assert [i["id"] for i in default] == everything


async def test_every_event_carries_sources_participants_and_coding(client) -> None:
    items = (await client.get("/v1/events", params={"limit": "200"})).json()["items"]
    assert len(items) == len(ALL_EVENTS)
    for item in items:
        assert item["sources"], item["id"]
        for source in item["sources"]:
            assert source["source_id"] == SOURCE_ID
            assert source["publisher"] == "The Star (Malaysia)"
            assert source["original_publisher"] == "South China Morning Post"
            assert source["published_on"] == "2026-01-07"
        assert item["participants"], item["id"]
        for participant in item["participants"]:
            assert participant["role"] in {"initiator", "target", "host", "participant", "affected"}
            assert participant["country"] or participant["actor_id"]
        assert re.fullmatch(r"[0-9]{2,4}", item["cameo_code"])
        assert item["cameo_label"]
        assert isinstance(item["goldstein"], float | int)
        assert -10 <= item["goldstein"] <= 10
        assert item["quad_class"] in {1, 2, 3, 4}


@pytest.mark.parametrize(
    ("event_id", "cameo", "goldstein", "quad_class", "plover"),
    [
        (SUMMIT, "040", 1.0, 1, "CONSULT"),
        (DUAL_USE_BAN, "163", -8.0, 4, "SANCTION"),
        (BOYCOTT, "163", -8.0, 4, "SANCTION"),
        (THAAD, "154", -7.2, 4, "MOBILIZE"),
        (PROMOTION, "061", 6.4, 2, "COOPERATE"),
        (TAKAICHI, "010", 0.0, 1, None),
    ],
)
async def test_events_are_coded_onto_cameo_goldstein_and_plover(
    client, event_id: str, cameo: str, goldstein: float, quad_class: int, plover: str | None
) -> None:
    item = (await client.get(f"/v1/events/{event_id}")).json()
    assert (item["cameo_code"], item["goldstein"], item["quad_class"], item["plover_type"]) == (
        cameo,
        goldstein,
        quad_class,
        plover,
    )


# Filters


@pytest.mark.parametrize(
    "spelling",
    ["KR", "kr", "KOR", "South Korea", "south korea", "SOUTH KOREA", "Korea, Republic of", "Seoul"],
)
async def test_country_filter_accepts_codes_names_and_capitals_for_korea(client, spelling: str) -> None:
    assert set(await list_ids(client, country=spelling)) == KR_EVENTS


@pytest.mark.parametrize(
    "spelling", ["CN", "CHN", "China", "china", "PRC", "Beijing", "People's Republic of China"]
)
async def test_country_filter_accepts_every_spelling_of_china(client, spelling: str) -> None:
    assert set(await list_ids(client, country=spelling)) == CN_EVENTS


async def test_country_filter_keeps_the_list_order(client) -> None:
    everything = await list_ids(client)
    assert await list_ids(client, country="Japan") == [
        i for i in everything if i in {LEE_JAPAN_VISIT, *CN_JP_EVENTS}
    ]
    assert set(await list_ids(client, country="Washington")) == {THAAD, CN_OPPOSES_THAAD}


@pytest.mark.parametrize(
    "pair", ["Tokyo,Beijing", "Beijing,Tokyo", "CN,JP", "JP,CN", "JP-CN", "cn-jp", "Japan, China", "jpn,PRC"]
)
async def test_pair_filter_is_one_unordered_pair_in_any_spelling(client, pair: str) -> None:
    ids = await list_ids(client, pair=pair)
    assert set(ids) == CN_JP_EVENTS
    assert ids == await list_ids(client, pair="CN,JP")


async def test_pair_filter_needs_both_countries(client) -> None:
    # The summit has Korea and China; neither US nor Japan take part in it.
    assert set(await list_ids(client, pair="Seoul,Beijing")) == KR_EVENTS - {LEE_JAPAN_VISIT}
    assert set(await list_ids(client, pair="KR,US")) == {THAAD, CN_OPPOSES_THAAD}
    assert set(await list_ids(client, pair="Seoul,Tokyo")) == {LEE_JAPAN_VISIT}
    assert await list_ids(client, pair="FR,DE") == []


async def test_initiator_and_target_make_the_query_directed(client) -> None:
    china_to_japan = await list_ids(client, initiator="China", target="Japan")
    assert china_to_japan == [DUAL_USE_BAN]
    japan_to_china = await list_ids(client, initiator="Japan", target="China")
    assert DUAL_USE_BAN not in japan_to_china
    assert set(japan_to_china) == {JP_POSTPONEMENT, TAKAICHI}


async def test_initiator_or_target_alone(client) -> None:
    assert set(await list_ids(client, initiator="Tokyo")) == {JP_VISIT, JP_POSTPONEMENT, TAKAICHI}
    assert set(await list_ids(client, target="kr")) == {CN_OPPOSES_THAAD, BOYCOTT}
    assert set(await list_ids(client, target="Japan", country="KR")) == set()


@pytest.mark.parametrize(
    ("type_", "expected"),
    [
        ("boycott", {BOYCOTT}),
        ("visit", {LEE_JAPAN_VISIT, JP_VISIT}),
        ("export_control", {DUAL_USE_BAN}),
        ("statement", {TAKAICHI, KIM_STATEMENT}),
        ("sanction", set()),
    ],
)
async def test_type_filter(client, type_: str, expected: set[str]) -> None:
    ids = await list_ids(client, type=type_)
    assert set(ids) == expected


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        ("actor-xi-jinping", {SUMMIT}),
        ("actor-lee-jae-myung", {SUMMIT, LEE_JAPAN_VISIT}),
        ("actor-keidanren", {JP_VISIT, JP_POSTPONEMENT}),
        ("actor-alibaba", {PROMOTION}),
        ("actor-nobody", set()),
    ],
)
async def test_actor_filter(client, actor: str, expected: set[str]) -> None:
    assert set(await list_ids(client, actor=actor)) == expected


@pytest.mark.parametrize(
    ("sector", "expected"),
    [
        ("dual_use", {DUAL_USE_BAN}),
        ("culture", {BOYCOTT}),
        ("defence", {THAAD, CN_OPPOSES_THAAD, TAKAICHI, DUAL_USE_BAN}),
        ("robotics", set()),
    ],
)
async def test_sector_filter(client, sector: str, expected: set[str]) -> None:
    assert set(await list_ids(client, sector=sector)) == expected


async def test_status_scheduled_is_lees_japan_visit(client) -> None:
    response = await client.get("/v1/events", params={"status": "scheduled"})
    items = response.json()["items"]
    assert [i["id"] for i in items] == [LEE_JAPAN_VISIT]
    assert items[0]["start_date"] == "2026-01-13"
    assert items[0]["end_date"] == "2026-01-14"


async def test_status_ongoing_is_the_boycott_with_no_end(client) -> None:
    items = (await client.get("/v1/events", params={"status": "ongoing"})).json()["items"]
    assert [i["id"] for i in items] == [BOYCOTT]
    assert items[0]["ongoing"] is True
    assert items[0]["end_date"] is None
    assert items[0]["start_precision"] == "year"


async def test_status_postponed_and_occurred(client) -> None:
    assert await list_ids(client, status="postponed") == [JP_VISIT]
    assert set(await list_ids(client, status="occurred")) == ALL_EVENTS - {LEE_JAPAN_VISIT, BOYCOTT, JP_VISIT}
    ongoing_flags = {
        i["id"]: i["ongoing"]
        for i in (await client.get("/v1/events", params={"limit": "200"})).json()["items"]
    }
    assert [k for k, v in ongoing_flags.items() if v] == [BOYCOTT]


async def test_year_precision_events_overlap_a_june_2017_window(client) -> None:
    ids = await list_ids(client, **{"from": "2017-06-01", "to": "2017-06-30"})
    assert set(ids) == {THAAD, CN_OPPOSES_THAAD, BOYCOTT}


async def test_the_ongoing_boycott_overlaps_a_2024_window(client) -> None:
    assert await list_ids(client, **{"from": "2024-01-01", "to": "2024-12-31"}) == [BOYCOTT]


async def test_a_window_before_2017_matches_nothing(client) -> None:
    assert await list_ids(client, **{"from": "2010-01-01", "to": "2016-12-31"}) == []
    assert await list_ids(client, to="2016-12-31") == []


async def test_date_window_edges(client) -> None:
    # Day precision: the summit is in [2026-01-05, 2026-01-05]; the ban on 2026-01-06 is not.
    one_day = set(await list_ids(client, **{"from": "2026-01-05", "to": "2026-01-05"}))
    assert {SUMMIT, DELEGATION} <= one_day
    assert DUAL_USE_BAN not in one_day
    # Lee's visit runs 13-14 January: a window starting on the 14th still overlaps it.
    assert LEE_JAPAN_VISIT in await list_ids(client, **{"from": "2026-01-14"})
    assert LEE_JAPAN_VISIT not in await list_ids(client, **{"from": "2026-01-15", "to": "2026-02-01"})
    # The postponement is dated by week (from Monday 2025-12-29): it overlaps 2 January.
    assert JP_POSTPONEMENT in await list_ids(client, **{"from": "2026-01-02", "to": "2026-01-02"})
    # Only `from`: everything from the 6th on, plus what is still running.
    assert set(await list_ids(client, **{"from": "2026-01-06"})) == {
        PROMOTION, KIM_STATEMENT, DUAL_USE_BAN, LEE_JAPAN_VISIT, JP_VISIT, BOYCOTT,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("export", {PROMOTION, DUAL_USE_BAN}),
        ("boycott", {BOYCOTT}),
        ("THAAD", {THAAD, CN_OPPOSES_THAAD, BOYCOTT}),
        ("THAAD -boycott", {THAAD, CN_OPPOSES_THAAD}),
        ('"dual-use exports"', {DUAL_USE_BAN}),
        ("Takaichi", {TAKAICHI, LEE_JAPAN_VISIT}),
        ("zeppelin", set()),
    ],
)
async def test_full_text_search(client, q: str, expected: set[str]) -> None:
    assert set(await list_ids(client, q=q)) == expected


async def test_filters_combine(client) -> None:
    assert await list_ids(client, country="KR", type="summit") == [SUMMIT]
    assert await list_ids(client, pair="CN,JP", q="export") == [DUAL_USE_BAN]
    assert await list_ids(client, initiator="CN", sector="culture", status="ongoing") == [BOYCOTT]
    assert await list_ids(client, pair="CN,JP", type="boycott") == []


# One event


async def test_get_the_summit(client) -> None:
    response = await client.get(f"/v1/events/{SUMMIT}")
    assert response.status_code == 200
    event = response.json()
    assert event["id"] == SUMMIT
    assert event["type"] == "summit"
    assert event["status"] == "occurred"
    assert event["start_date"] == "2026-01-05"
    assert event["location_name"] == "Beijing"
    assert event["location_country"] == "CN"
    assert [(p["role"], p["country"], p["actor_id"], p["actor_name"]) for p in event["participants"]] == [
        ("initiator", "KR", "actor-lee-jae-myung", "Lee Jae Myung"),
        ("host", "CN", "actor-xi-jinping", "Xi Jinping"),
    ]
    assert event["deal_ids"] == [
        "deal-2026-01-05-alibaba-shinsegae-premium-korean-goods",
        "deal-2026-01-05-kr-cn-company-mous",
    ]
    assert event["date_inferred"] is True
    assert event["date_note"]
    assert "Monday" in event["date_note"]
    assert event["sources"][0]["source_id"] == SOURCE_ID


async def test_the_item_equals_its_list_entry(client) -> None:
    listed = (await client.get("/v1/events", params={"pair": "CN,JP"})).json()["items"]
    for item in listed:
        assert (await client.get(f"/v1/events/{item['id']}")).json() == item


async def test_the_postponement_links_to_the_postponed_visit(client) -> None:
    event = (await client.get(f"/v1/events/{JP_POSTPONEMENT}")).json()
    assert event["type"] == "postponement"
    assert event["related_event_id"] == JP_VISIT
    assert event["relation"] == "postpones"
    assert event["start_precision"] == "week"
    visit = (await client.get(f"/v1/events/{event['related_event_id']}")).json()
    assert visit["status"] == "postponed"
    assert visit["related_event_id"] is None
    assert visit["quantities"][0]["name"] == "held_since"
    assert visit["quantities"][0]["value"] == "1975"


async def test_unknown_event_is_a_404_problem_naming_the_id(client) -> None:
    response = await client.get("/v1/events/ev-1999-01-01-nothing-happened")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == 404
    assert "ev-1999-01-01-nothing-happened" in body["detail"]
    assert "Traceback" not in response.text


# Bad input


async def test_unknown_country_suggests_close_matches(client) -> None:
    body = assert_problem(await client.get("/v1/events", params={"country": "Chna"}), 422, "country")
    suggestions = body["errors"][0]["suggestions"]
    assert suggestions
    assert "China (CN)" in suggestions
    assert "Chna" in body["detail"]


@pytest.mark.parametrize("param", ["initiator", "target"])
async def test_unknown_initiator_or_target_is_named(client, param: str) -> None:
    body = assert_problem(await client.get("/v1/events", params={param: "Japn"}), 422, param)
    assert "Japan (JP)" in body["errors"][0]["suggestions"]


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"type": "invasion"}, "type"),
        ({"status": "rumoured"}, "status"),
        ({"sector": "space"}, "sector"),
        ({"from": "2026-01-10", "to": "2026-01-01"}, "to"),
        ({"from": "2026-13-01"}, "from"),
        ({"from": "yesterday"}, "from"),
        ({"to": "2026-02-30"}, "to"),
        ({"limit": "0"}, "limit"),
        ({"limit": "201"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"pair": "CN"}, "pair"),
        ({"pair": "CN,China"}, "pair"),
        ({"pair": "Tokyo,JP"}, "pair"),
        ({"pair": "CN,JP,KR"}, "pair"),
        ({"pair": "CN,Chna"}, "pair"),
        ({"country": "x" * 101}, "country"),
    ],
)
async def test_bad_input_is_a_422_naming_the_parameter(client, params: dict[str, str], name: str) -> None:
    assert_problem(await client.get("/v1/events", params=params), 422, name)


async def test_limit_bounds_are_inclusive(client) -> None:
    assert (await client.get("/v1/events", params={"limit": "1"})).status_code == 200
    assert (await client.get("/v1/events", params={"limit": "200"})).status_code == 200


# The pair route


@pytest.mark.parametrize(("a", "b"), [("Tokyo", "Beijing"), ("CN", "JP"), ("China", "Japan")])
async def test_pair_route_lists_the_same_events_as_the_pair_filter(client, a: str, b: str) -> None:
    via_route = await client.get(f"/v1/pairs/{a}/{b}/events", params={"limit": "200"})
    via_filter = await client.get("/v1/events", params={"pair": f"{a},{b}", "limit": "200"})
    assert via_route.status_code == 200
    assert via_route.json() == via_filter.json()
    assert {i["id"] for i in via_route.json()["items"]} == CN_JP_EVENTS


async def test_pair_route_is_directed_by_initiator_and_target(client) -> None:
    path = "/v1/pairs/Japan/China/events"
    assert await list_ids(client, path, initiator="China", target="Japan") == [DUAL_USE_BAN]
    assert set(await list_ids(client, path, initiator="Japan", target="China")) == {JP_POSTPONEMENT, TAKAICHI}
    assert await list_ids(client, path, initiator="Japan", target="China") == await list_ids(
        client, initiator="Japan", target="China"
    )


async def test_pair_route_filters_and_errors(client) -> None:
    path = "/v1/pairs/KR/CN/events"
    assert await list_ids(client, path, type="summit") == [SUMMIT]
    assert await list_ids(client, path, status="ongoing") == [BOYCOTT]
    assert set(await list_ids(client, path, **{"from": "2017-06-01", "to": "2017-06-30"})) == {
        THAAD, CN_OPPOSES_THAAD, BOYCOTT,
    }  # fmt: skip
    response = await client.get("/v1/pairs/KR/Chna/events")
    assert response.status_code == 422
    assert response.json()["errors"][0]["name"] == "b"
    assert response.json()["errors"][0]["location"] == "path"
    assert_problem(await client.get(path, params={"from": "2026-02-01", "to": "2026-01-01"}), 422, "to")
