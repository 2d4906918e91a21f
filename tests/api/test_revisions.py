"""Revisions over HTTP: each item's history with diffs, cascades to embedding items, and known_on."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from tests.api.writing import (
    COLLECTIONS,
    DUAL_USE_BAN,
    LEE,
    MOUS,
    SOURCE,
    SUMMIT,
    assert_problem,
    changes,
    create,
    event_body,
    everything,
    walk,
)

ALIBABA_DEAL = "deal-2026-01-05-alibaba-shinsegae-premium-korean-goods"
GAP = 0.05  # seconds between writes, so their commit times differ


def at(stamp: str) -> dt.datetime:
    return dt.datetime.fromisoformat(stamp)


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat()


async def history(api: Any, collection: str, item_id: str) -> list[dict[str, Any]]:
    return await walk(api, f"/v1/{collection}/{item_id}/revisions")


# History and diffs


async def test_history_lists_revisions_with_ops_keys_and_merge_patch_diffs(api) -> None:
    created = await create(api, "events", event_body())
    url = f"/v1/events/{created['id']}"
    patched = (await api.patch(url, json={"title": "Renamed summit"})).json()
    moved = (await api.patch(url, json={"location_name": "Osaka", "sectors": ["trade"]})).json()
    cleared = (await api.patch(url, json={"location_name": None})).json()

    items = await history(api, "events", created["id"])
    assert [(r["revision"], r["op"]) for r in items] == [
        (1, "create"),
        (2, "update"),
        (3, "update"),
        (4, "update"),
    ]
    assert {r["key_name"] for r in items} == {"write-key"}
    # A creation's diff is the whole item; later ones are what a merge patch would send.
    assert items[0]["diff"] == created
    assert items[1]["diff"] == {"title": "Renamed summit", "revision": 2, "updated_at": patched["updated_at"]}
    assert items[2]["diff"] == {"location_name": "Osaka", "sectors": ["trade"], "revision": 3,
                                "updated_at": moved["updated_at"]}  # fmt: skip
    assert items[3]["diff"] == {"location_name": None, "revision": 4, "updated_at": cleared["updated_at"]}
    assert [r["recorded_at"] for r in items] == [
        created["updated_at"], patched["updated_at"], moved["updated_at"], cleared["updated_at"],
    ]  # fmt: skip


async def test_history_pages_and_resumes_after_a_revision(api) -> None:
    url = f"/v1/events/{SUMMIT}"
    for n in range(4):
        assert (await api.patch(url, json={"summary": f"take {n}"})).status_code == 200
    paged = await walk(api, f"{url}/revisions", limit="2")
    assert [r["revision"] for r in paged] == [1, 2, 3, 4, 5]
    first = await api.get(f"{url}/revisions", params={"limit": "2"})
    assert first.json()["next"]
    assert 'rel="next"' in first.headers["link"]
    later = (await api.get(f"{url}/revisions", params={"after": "3"})).json()["items"]
    assert [r["revision"] for r in later] == [4, 5]


async def test_history_of_unknown_items_is_404_and_every_collection_has_one(api) -> None:
    assert_problem(await api.get("/v1/events/ev-nowhere/revisions"), 404)
    found = await everything(api)
    for collection in COLLECTIONS:
        some_id = sorted(found[collection])[0]
        items = await history(api, collection, some_id)
        assert (items[0]["op"], items[0]["key_name"]) == ("create", "seed"), (collection, some_id)
        assert items[-1]["revision"] == found[collection][some_id]["revision"]


# Cascades: items that embed another one change with it


async def test_renaming_an_actor_revises_the_events_and_deals_that_name_it(api) -> None:
    before = await everything(api)
    naming = {
        ("events", e["id"])
        for e in before["events"].values()
        if any(p["actor_id"] == LEE for p in e["participants"])
    } | {
        ("deals", d["id"])
        for d in before["deals"].values()
        if any(p["actor_id"] == LEE for p in d["parties"])
    }
    assert ("events", SUMMIT) in naming
    _, cursor = await changes(api)

    response = await api.patch(f"/v1/actors/{LEE}", json={"name": "Lee Jae-myung"})
    assert response.status_code == 200

    feed, _ = await changes(api, cursor)
    assert {(c["collection"], c["id"]) for c in feed} == naming | {("actors", LEE)}
    after = await everything(api)
    for collection, item_id in naming:
        item = after[collection][item_id]
        assert item["revision"] == before[collection][item_id]["revision"] + 1
        members = item["participants"] if collection == "events" else item["parties"]
        assert {m["actor_name"] for m in members if m["actor_id"] == LEE} == {"Lee Jae-myung"}
        diff = (await history(api, collection, item_id))[-1]["diff"]
        assert set(diff) == {
            "participants" if collection == "events" else "parties",
            "revision",
            "updated_at",
        }
    # Nothing that does not name him changed.
    for collection in COLLECTIONS:
        for item_id, item in after[collection].items():
            if (collection, item_id) not in naming | {("actors", LEE)}:
                assert item == before[collection][item_id], (collection, item_id)


async def test_retitling_a_source_revises_every_item_citing_it_in_one_transaction(api) -> None:
    before = await everything(api)
    citing = {(c, i) for c in COLLECTIONS for i, item in before[c].items() if item.get("sources")}
    assert len(citing) == 23 + 12 + 3 + 4
    _, cursor = await changes(api)
    assert (await api.patch(f"/v1/sources/{SOURCE}", json={"title": "Corrected headline"})).status_code == 200

    feed, _ = await changes(api, cursor)
    assert {(c["collection"], c["id"]) for c in feed} == citing | {("sources", SOURCE)}
    assert len({c["recorded_at"] for c in feed}) == 1
    after = await everything(api)
    for collection, item_id in citing:
        assert [s["title"] for s in after[collection][item_id]["sources"]] == ["Corrected headline"]
        assert after[collection][item_id]["revision"] == before[collection][item_id]["revision"] + 1


async def test_retitling_an_event_revises_the_period_it_drives(api) -> None:
    period = (await api.get("/v1/relationship-periods/rel-cn-jp-2025-12-29")).json()
    assert DUAL_USE_BAN in [e["id"] for e in period["events"]]
    await api.patch(f"/v1/events/{DUAL_USE_BAN}", json={"title": "China curbs dual-use exports"})
    after = (await api.get("/v1/relationship-periods/rel-cn-jp-2025-12-29")).json()
    assert after["revision"] == period["revision"] + 1
    assert "China curbs dual-use exports" in [e["title"] for e in after["events"]]
    # A change the period does not show leaves it alone.
    await api.patch(f"/v1/events/{DUAL_USE_BAN}", json={"summary": "Reworded."})
    assert (await api.get("/v1/relationship-periods/rel-cn-jp-2025-12-29")).json() == after


async def test_deleting_a_deal_revises_the_event_it_was_signed_at(api) -> None:
    summit = (await api.get(f"/v1/events/{SUMMIT}")).json()
    assert ALIBABA_DEAL in summit["deal_ids"]
    _, cursor = await changes(api)
    # The MOU batch still holds the Alibaba deal as a part, so it cannot go first.
    assert_problem(await api.delete(f"/v1/deals/{MOUS}"), 409)
    assert (await api.delete(f"/v1/deals/{ALIBABA_DEAL}")).status_code == 204
    feed, _ = await changes(api, cursor)
    assert {(c["collection"], c["id"], c["op"]) for c in feed} == {
        ("deals", ALIBABA_DEAL, "delete"),
        ("events", SUMMIT, "update"),
    }
    after = (await api.get(f"/v1/events/{SUMMIT}")).json()
    assert after["deal_ids"] == [d for d in summit["deal_ids"] if d != ALIBABA_DEAL]
    assert after["revision"] == summit["revision"] + 1


# known_on: the item as the service served it at a past moment


async def test_known_on_answers_as_the_service_did_then(api) -> None:
    event = await create(api, "events", event_body(title="Version one"))
    url = f"/v1/events/{event['id']}"
    for title in ("Version two", "Version three"):
        await asyncio.sleep(GAP)
        assert (await api.patch(url, json={"title": title})).status_code == 200
    await asyncio.sleep(GAP)
    assert (await api.delete(url)).status_code == 204
    stamps = [at(r["recorded_at"]) for r in await history(api, "events", event["id"])]
    assert stamps == sorted(stamps)
    assert len(set(stamps)) == 4

    async def known(moment: dt.datetime) -> Any:
        return await api.get(url, params={"known_on": iso(moment)})

    tick = dt.timedelta(microseconds=1)
    assert_problem(await known(stamps[0] - tick), 404)
    first = await known(stamps[0])
    assert first.status_code == 200
    assert first.json() == event
    assert first.headers["etag"] == '"1"'
    between = await known(stamps[0] + (stamps[1] - stamps[0]) / 2)
    assert between.json()["title"] == "Version one"
    assert (await known(stamps[1] - tick)).json()["title"] == "Version one"
    second = await known(stamps[1])
    assert (second.json()["title"], second.headers["etag"]) == ("Version two", '"2"')
    # Deleted now, but known before its deletion; gone from the moment it was deleted.
    assert (await known(stamps[3] - tick)).json()["title"] == "Version three"
    assert_problem(await known(stamps[3]), 404)
    assert_problem(await api.get(url), 404)


async def test_known_on_sees_embedded_names_as_they_were(api) -> None:
    await asyncio.sleep(GAP)
    await api.patch(f"/v1/actors/{LEE}", json={"name": "Lee Jae-myung"})
    renamed = at((await history(api, "actors", LEE))[-1]["recorded_at"])
    old = await api.get(
        f"/v1/events/{SUMMIT}", params={"known_on": iso(renamed - dt.timedelta(milliseconds=1))}
    )
    new = await api.get(f"/v1/events/{SUMMIT}", params={"known_on": iso(renamed)})
    names = [{p["actor_name"] for p in r.json()["participants"] if p["actor_id"] == LEE} for r in (old, new)]
    assert names == [{"Lee Jae Myung"}, {"Lee Jae-myung"}]
    assert old.json()["revision"] + 1 == new.json()["revision"]


async def test_known_on_in_the_future_is_the_current_item(api) -> None:
    current = await api.get(f"/v1/deals/{MOUS}")
    later = await api.get(f"/v1/deals/{MOUS}", params={"known_on": "2999-01-01T00:00:00Z"})
    assert later.status_code == 200
    assert later.json() == current.json()
    assert later.headers["etag"] == current.headers["etag"]
