"""Writing relationship-status periods: a new open period closes the one before it; no overlaps."""

from __future__ import annotations

from tests.api.writing import (
    CN_JP_FROZEN,
    SOURCE,
    assert_problem,
    changes,
    create,
    everything,
    period_body,
)

THAW = {
    "country_a": "Tokyo",
    "country_b": "PRC",
    "valid_from": "2026-03-01",
    "status": "strained",
    "trend": "improving",
    "summary": "Business delegations resume their visits.",
    "event_ids": ["ev-2026-01-13-lee-visit-japan"],
    "sources": [{"source_id": SOURCE}],
}


async def status_on(api, day: str) -> dict:
    response = await api.get("/v1/relationships/CN/JP", params={"as_of": day})
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_new_open_period_closes_the_open_one_in_the_same_transaction(api) -> None:
    _, cursor = await changes(api)
    response = await api.post("/v1/relationship-periods", json=THAW)
    assert response.status_code == 201, response.text
    thaw = response.json()
    assert (thaw["id"], thaw["pair"], thaw["valid_to"]) == ("rel-cn-jp-2026-03-01", "CN-JP", None)

    frozen = await api.get(f"/v1/relationship-periods/{CN_JP_FROZEN}")
    assert frozen.json()["valid_to"] == "2026-03-01"
    assert frozen.headers["etag"] == '"2"'
    feed, _ = await changes(api, cursor)
    assert {(c["id"], c["op"], c["revision"]) for c in feed} == {
        ("rel-cn-jp-2026-03-01", "create", 1),
        (CN_JP_FROZEN, "update", 2),
    }
    # One transaction: one commit timestamp for both.
    assert len({c["recorded_at"] for c in feed}) == 1
    closing = next(c for c in feed if c["id"] == CN_JP_FROZEN)
    assert closing["diff"]["valid_to"] == "2026-03-01"

    before = await status_on(api, "2026-02-15")
    assert (before["current"]["id"], before["current"]["status"]) == (CN_JP_FROZEN, "frozen")
    after = await status_on(api, "2026-03-02")
    assert (after["current"]["id"], after["current"]["status"]) == ("rel-cn-jp-2026-03-01", "strained")
    assert [p["id"] for p in after["history"]] == [
        "rel-cn-jp-2025-11-07",
        CN_JP_FROZEN,
        "rel-cn-jp-2026-03-01",
    ]


async def test_overlapping_periods_are_refused_and_nothing_changes(api) -> None:
    before = await everything(api)
    _, cursor = await changes(api)
    closed = {**THAW, "valid_from": "2026-01-10", "valid_to": "2026-02-01"}
    problem = assert_problem(await api.post("/v1/relationship-periods", json=closed), 422, "valid_from")
    assert CN_JP_FROZEN in problem["detail"]
    # An open period that starts before the open one cannot close it.
    earlier = {**THAW, "valid_from": "2025-12-01"}
    assert_problem(await api.post("/v1/relationship-periods", json=earlier), 422, "valid_from")
    # Nor may a period start the day another does.
    same_day = {**THAW, "valid_from": "2025-12-29"}
    assert_problem(await api.post("/v1/relationship-periods", json=same_day), 422, "valid_from")
    assert await everything(api) == before
    assert (await changes(api, cursor))[0] == []
    assert (await status_on(api, "2026-03-02"))["current"]["id"] == CN_JP_FROZEN


async def test_patching_a_period_into_an_overlap_is_refused(api) -> None:
    await create(api, "relationship-periods", period_body())
    later = await create(
        api, "relationship-periods", period_body(valid_from="2026-03-01", valid_to="2026-04-01")
    )
    url = f"/v1/relationship-periods/{later['id']}"
    assert_problem(await api.patch(url, json={"valid_from": "2026-01-20"}), 422, "valid_from")
    assert_problem(await api.patch(url, json={"valid_to": "2026-02-01"}), 422, "valid_to")
    assert (await api.get(url)).json() == later
    moved = await api.patch(url, json={"valid_from": "2026-02-01"})
    assert moved.status_code == 200, moved.text
    assert (moved.json()["valid_from"], moved.json()["revision"]) == ("2026-02-01", 2)


async def test_deleting_a_period_reopens_nothing_and_the_pair_keeps_its_history(api) -> None:
    thaw = await create(api, "relationship-periods", THAW)
    assert (await api.delete(f"/v1/relationship-periods/{thaw['id']}")).status_code == 204
    history = (await status_on(api, "2026-03-02"))["history"]
    assert [p["id"] for p in history] == ["rel-cn-jp-2025-11-07", CN_JP_FROZEN]
    # Closing was a change of its own: deleting the thaw leaves the freeze ended on 2026-03-01.
    assert history[-1]["valid_to"] == "2026-03-01"
    assert (await status_on(api, "2026-03-02"))["current"] is None
