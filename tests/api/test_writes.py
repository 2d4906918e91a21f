"""Creating, patching and deleting items over HTTP: ids, ETags, validation, lost updates."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.api.writing import (
    BODIES,
    COLLECTIONS,
    DUAL_USE_BAN,
    LEE,
    SOURCE,
    SUMMIT,
    actor_body,
    assert_problem,
    changes,
    create,
    deal_body,
    event_body,
    everything,
    get,
    period_body,
    source_body,
)

EXPECTED_IDS = {
    "sources": "src-2026-02-02-example-daily-seoul-and-tokyo-agree-to-talk",
    "actors": "actor-park-min-ji",
    "events": "ev-2026-02-01-seoul-tokyo-summit",
    "deals": "deal-2026-01-05-battery-supply-mou",
    "relationship-periods": "rel-jp-kr-2026-01-13",
}
MERGE_PATCH = {"Content-Type": "application/merge-patch+json"}


# Create


@pytest.mark.parametrize("collection", COLLECTIONS)
async def test_create_answers_201_with_location_etag_and_a_readable_item(api, collection: str) -> None:
    response = await api.post(f"/v1/{collection}", json=BODIES[collection]())
    assert response.status_code == 201, response.text
    item = response.json()
    assert item["id"] == EXPECTED_IDS[collection]
    assert response.headers["location"] == f"/v1/{collection}/{item['id']}"
    assert response.headers["etag"] == '"1"'
    assert item["revision"] == 1
    assert item["created_at"] == item["updated_at"]

    again = await api.get(response.headers["location"])
    assert again.status_code == 200
    assert again.json() == item
    assert again.headers["etag"] == '"1"'


async def test_created_items_serve_resolved_countries_and_names(api) -> None:
    event = await create(api, "events", event_body())
    assert [(p["role"], p["country"], p["actor_name"]) for p in event["participants"]] == [
        ("host", "JP", None),
        ("participant", "KR", "Lee Jae Myung"),
    ]
    assert event["cameo_code"] == "040"
    assert event["sources"][0]["title"].startswith("China and South Korea")
    deal = await create(api, "deals", deal_body())
    assert deal["value"]["amount"] == "1500000000"
    assert deal["value"]["currency"] == "KRW"
    assert deal["value"]["usd_method"] == "ecb"
    assert deal["value"]["usd_rate_date"] == "2026-01-05"
    period = await create(api, "relationship-periods", period_body())
    assert (period["pair"], period["country_a"], period["country_b"]) == ("JP-KR", "JP", "KR")


@pytest.mark.parametrize("collection", ["sources", "actors", "events", "deals"])
async def test_same_title_twice_gets_a_suffixed_id(api, collection: str) -> None:
    first = await create(api, collection, BODIES[collection]())
    second = await create(api, collection, BODIES[collection]())
    assert second["id"] == first["id"] + "-2"
    assert (await get(api, collection, first["id"])).json() == first


async def test_ids_of_deleted_items_are_not_reused(api) -> None:
    first = await create(api, "events", event_body())
    assert (await api.delete(f"/v1/events/{first['id']}")).status_code == 204
    again = await create(api, "events", event_body())
    assert again["id"] == first["id"] + "-2"


BAD_BODIES = [
    ("events", event_body(colour="red"), "colour"),
    ("events", event_body(id="ev-mine"), "id"),
    ("events", event_body(participants=[{"role": "host", "country": "Narnia"}]), "participants[0].country"),
    (
        "events",
        event_body(participants=[{"role": "host", "actor_id": "actor-nobody"}]),
        "participants[0].actor_id",
    ),
    ("events", event_body(sources=[{"source_id": "src-nowhere"}]), "sources[0].source_id"),
    ("events", event_body(sources=[]), "sources"),
    ("events", event_body(end_date="2026-01-31", end_precision="day"), "end_date"),
    ("events", event_body(end_date="2026-02-03"), "end_precision"),
    ("events", event_body(type="handshake"), "type"),
    ("events", event_body(relation="responds_to"), "relation"),
    ("deals", deal_body(value={"amount": "10", "currency": "XYZ"}), "value.currency"),
    ("deals", deal_body(value={"amount": "-10", "currency": "KRW"}), "value"),
    ("deals", deal_body(parties=[{"role": "buyer", "actor_id": "actor-nobody"}]), "parties[0].actor_id"),
    ("deals", deal_body(event_id="ev-nowhere"), "event_id"),
    ("actors", actor_body(country="Atlantis"), "country"),
    ("sources", source_body(url="ftp://example.com/x"), "url"),
    ("relationship-periods", period_body(country_a="Japan", country_b="Tokyo"), "country_b"),
    ("relationship-periods", period_body(valid_to="2026-01-01"), "valid_to"),
    ("relationship-periods", period_body(country_b="CN", valid_from="2026-01-01"), "valid_from"),
]


@pytest.mark.parametrize(("collection", "body", "field"), BAD_BODIES, ids=[b[2] for b in BAD_BODIES])
async def test_bad_body_is_a_422_naming_the_field_and_writes_nothing(
    api, collection: str, body: dict[str, Any], field: str
) -> None:
    before = await everything(api)
    _, cursor = await changes(api)
    problem = assert_problem(await api.post(f"/v1/{collection}", json=body), 422)
    assert problem["errors"], problem
    error = problem["errors"][0]
    assert error["location"] == "body"
    assert error["name"] == field, problem
    assert await everything(api) == before
    assert (await changes(api, cursor))[0] == []


async def test_unknown_top_level_field_is_named_in_errors(api) -> None:
    assert_problem(await api.post("/v1/events", json=event_body(colour="red")), 422, "colour")


async def test_a_record_is_never_half_written(api) -> None:
    # The second participant is refused after the event row itself would have been valid.
    body = event_body(
        participants=[{"role": "host", "country": "JP"}, {"role": "target", "actor_id": "actor-no"}]
    )
    before = await everything(api)
    pair = (await api.get("/v1/pairs/JP/KR")).json()
    assert_problem(await api.post("/v1/events", json=body), 422, "participants[1].actor_id")
    assert await everything(api) == before
    assert (await api.get("/v1/events/ev-2026-02-01-seoul-tokyo-summit")).status_code == 404
    assert (await api.get("/v1/pairs/JP/KR")).json() == pair


# Patch


async def test_patch_is_a_json_merge_patch(api) -> None:
    event = await create(api, "events", event_body(location_name="Nara", sectors=["trade", "tourism"]))
    url = f"/v1/events/{event['id']}"
    response = await api.patch(url, json={"title": "Nara summit", "location_name": None,
                                          "participants": [{"role": "host", "country": "JP"}],
                                          "sectors": ["diplomacy"]}, headers=MERGE_PATCH)  # fmt: skip
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"2"'
    patched = response.json()
    assert patched["title"] == "Nara summit"
    assert patched["location_name"] is None
    assert patched["sectors"] == ["diplomacy"]
    assert [(p["role"], p["country"], p["actor_id"]) for p in patched["participants"]] == [
        ("host", "JP", None)
    ]
    # Untouched fields stay as they were.
    assert patched["start_date"] == event["start_date"]
    assert patched["sources"] == event["sources"]
    assert patched["created_at"] == event["created_at"]
    assert patched["updated_at"] > event["updated_at"]
    assert (await api.get(url)).json() == patched


async def test_patch_merges_into_nested_objects_and_null_removes_them(api) -> None:
    deal = await create(api, "deals", deal_body())
    url = f"/v1/deals/{deal['id']}"
    merged = (await api.patch(url, json={"value": {"text": "about 1.5bn won"}})).json()
    assert merged["value"]["text"] == "about 1.5bn won"
    assert (merged["value"]["amount"], merged["value"]["currency"]) == ("1500000000", "KRW")
    assert merged["value"]["usd"] == deal["value"]["usd"]
    removed = await api.patch(url, json={"value": None})
    assert removed.status_code == 200, removed.text
    assert removed.json()["value"] is None
    assert (await api.get(url)).json()["value"] is None


@pytest.mark.parametrize("field", ["id", "revision", "created_at", "updated_at"])
async def test_read_only_fields_cannot_be_patched(api, field: str) -> None:
    url = f"/v1/events/{SUMMIT}"
    before = await api.get(url)
    assert_problem(await api.patch(url, json={field: before.json()[field], "title": "x"}), 422, field)
    after = await api.get(url)
    assert after.json() == before.json()
    assert after.headers["etag"] == before.headers["etag"]


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"colour": "red"}, "colour"),
        ({"cameo_label": "Consult"}, "cameo_label"),
        ({"title": 5}, "title"),
        ({"participants": [{"role": "host", "country": "JP", "colour": 1}]}, "participants[0].colour"),
        ({"sources": [{"source_id": "src-nowhere"}]}, "sources[0].source_id"),
        ({"participants": [{"role": "host", "country": "Mordor"}]}, "participants[0].country"),
        ({"end_date": "2025-01-01", "end_precision": "day"}, "end_date"),
    ],
)
async def test_bad_patch_is_a_422_naming_the_field(api, patch: dict[str, Any], field: str) -> None:
    before = await api.get(f"/v1/events/{SUMMIT}")
    assert_problem(await api.patch(f"/v1/events/{SUMMIT}", json=patch), 422, field)
    assert (await api.get(f"/v1/events/{SUMMIT}")).json() == before.json()


async def test_patch_of_a_missing_item_is_404(api) -> None:
    assert_problem(await api.patch("/v1/events/ev-nowhere", json={"title": "x"}), 404)
    assert_problem(await api.delete("/v1/deals/deal-nowhere"), 404)


async def test_patch_that_changes_nothing_keeps_the_revision(api) -> None:
    before = await api.get(f"/v1/events/{SUMMIT}")
    _, cursor = await changes(api)
    same = await api.patch(f"/v1/events/{SUMMIT}", json={"title": before.json()["title"]})
    assert same.status_code == 200
    assert same.headers["etag"] == before.headers["etag"]
    assert same.json() == before.json()
    assert (await changes(api, cursor))[0] == []


async def test_if_match_refuses_a_stale_etag_and_accepts_the_current_one(api) -> None:
    url = f"/v1/events/{SUMMIT}"
    etag = (await api.get(url)).headers["etag"]
    assert (await api.patch(url, json={"summary": "first"}, headers={"If-Match": etag})).headers[
        "etag"
    ] == '"2"'
    stale = assert_problem(await api.patch(url, json={"summary": "lost"}, headers={"If-Match": etag}), 412)
    assert '"2"' in stale["detail"]
    assert (await api.get(url)).json()["summary"] == "first"
    fresh = await api.patch(url, json={"summary": "second"}, headers={"If-Match": '"2"'})
    assert fresh.status_code == 200
    assert fresh.headers["etag"] == '"3"'
    assert (await api.patch(url, json={"summary": "any"}, headers={"If-Match": "*"})).status_code == 200


async def test_concurrent_patches_with_one_etag_let_exactly_one_through(concurrent) -> None:
    url = f"/v1/events/{DUAL_USE_BAN}"
    etag = (await concurrent.get(url)).headers["etag"]
    titles = [f"Version {n}" for n in range(5)]
    results = await asyncio.gather(
        *[concurrent.patch(url, json={"title": t}, headers={"If-Match": etag}) for t in titles]
    )
    assert sorted(r.status_code for r in results) == [200, 412, 412, 412, 412], [r.text for r in results]
    winner = next(r for r in results if r.status_code == 200)
    current = (await concurrent.get(url)).json()
    assert current["title"] == winner.json()["title"]
    assert current["revision"] == 2
    history = (await concurrent.get(f"{url}/revisions")).json()["items"]
    assert [r["revision"] for r in history] == [1, 2]


async def test_concurrent_patches_without_etag_all_land(concurrent) -> None:
    url = f"/v1/events/{SUMMIT}"
    patches = [{"summary": "From A"}, {"location_name": "Gyeongju"}, {"date_note": "Confirmed."}]
    results = await asyncio.gather(*[concurrent.patch(url, json=p) for p in patches])
    assert [r.status_code for r in results] == [200, 200, 200]
    assert sorted(r.headers["etag"] for r in results) == ['"2"', '"3"', '"4"']
    current = (await concurrent.get(url)).json()
    assert (current["summary"], current["location_name"], current["date_note"], current["revision"]) == (
        "From A", "Gyeongju", "Confirmed.", 4,
    )  # fmt: skip
    # No change was lost from the history either: each revision holds exactly one patch.
    diffs = [r["diff"] for r in (await concurrent.get(f"{url}/revisions")).json()["items"][1:]]
    assert sorted(next(k for k in d if k not in ("revision", "updated_at")) for d in diffs) == [
        "date_note", "location_name", "summary",
    ]  # fmt: skip


async def test_changing_the_type_derives_the_cameo_code_again(api) -> None:
    event = await create(api, "events", event_body())
    assert (event["cameo_code"], event["plover_type"]) == ("040", "CONSULT")
    response = await api.patch(f"/v1/events/{event['id']}", json={"type": "statement"})
    assert response.status_code == 200, response.text
    patched = response.json()
    assert (patched["type"], patched["cameo_code"], patched["plover_type"]) == ("statement", "010", None)
    assert patched["cameo_label"] != event["cameo_label"]
    # An explicit code sent with the type wins over the derived one.
    explicit = (
        await api.patch(f"/v1/events/{event['id']}", json={"type": "visit", "cameo_code": "043"})
    ).json()
    assert (explicit["type"], explicit["cameo_code"]) == ("visit", "043")


# Delete


async def test_delete_removes_the_item_and_tells_the_feed(api) -> None:
    event = await create(api, "events", event_body())
    url = f"/v1/events/{event['id']}"
    _, cursor = await changes(api)
    response = await api.delete(url)
    assert response.status_code == 204
    assert response.content == b""
    assert_problem(await api.get(url), 404)
    assert event["id"] not in {e["id"] for e in await everything_events(api)}
    feed, _ = await changes(api, cursor)
    assert [(c["collection"], c["id"], c["op"], c["item"], c["revision"]) for c in feed] == [
        ("events", event["id"], "delete", None, 2)
    ]
    history = (await api.get(f"{url}/revisions")).json()["items"]
    assert [(r["revision"], r["op"]) for r in history] == [(1, "create"), (2, "delete")]
    assert history[-1]["diff"] is None
    assert_problem(await api.delete(url), 404)


async def everything_events(api: Any) -> list[dict[str, Any]]:
    return list((await everything(api))["events"].values())


async def test_deleting_a_cited_source_is_a_409_and_changes_nothing(api) -> None:
    before = await everything(api)
    _, cursor = await changes(api)
    problem = assert_problem(await api.delete(f"/v1/sources/{SOURCE}"), 409)
    assert SOURCE in problem["detail"]
    assert_problem(await api.delete(f"/v1/actors/{LEE}"), 409)
    assert await everything(api) == before
    assert (await changes(api, cursor))[0] == []


async def test_delete_honours_if_match(api) -> None:
    source = await create(api, "sources", source_body())
    url = f"/v1/sources/{source['id']}"
    await api.patch(url, json={"notes": "revised"})
    assert_problem(await api.delete(url, headers={"If-Match": '"1"'}), 412)
    assert (await api.get(url)).status_code == 200
    assert (await api.delete(url, headers={"If-Match": '"2"'})).status_code == 204
    assert_problem(await api.get(url), 404)


async def test_deleting_an_event_another_one_relates_to_is_a_409(api) -> None:
    first = await create(api, "events", event_body())
    reply = event_body(title="Reply", related_event_id=first["id"], relation="responds_to")
    await create(api, "events", reply)
    _, cursor = await changes(api)
    # The reference is checked when the transaction commits; the refusal must still be a clean 409.
    assert_problem(await api.delete(f"/v1/events/{first['id']}"), 409)
    assert (await api.get(f"/v1/events/{first['id']}")).json() == first
    assert (await changes(api, cursor))[0] == []
