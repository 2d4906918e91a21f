"""Idempotency-Key on POST: a retry replays the first answer and writes nothing more."""

from __future__ import annotations

import asyncio

from tests.api.writing import (
    assert_problem,
    bearer,
    changes,
    event_body,
    everything,
    source_body,
    walk,
)


async def test_a_retried_post_replays_the_first_answer_and_writes_nothing(api) -> None:
    headers = {"Idempotency-Key": "create-summit-1"}
    first = await api.post("/v1/events", json=event_body(), headers=headers)
    assert first.status_code == 201, first.text
    before = await everything(api)
    _, cursor = await changes(api)

    retry = await api.post("/v1/events", json=event_body(), headers=headers)
    assert retry.status_code == 201
    assert retry.headers["location"] == first.headers["location"]
    assert retry.headers["etag"] == first.headers["etag"]
    assert retry.headers["content-type"].startswith("application/json")
    assert retry.json() == first.json()
    assert await everything(api) == before
    assert (await changes(api, cursor))[0] == []


async def test_the_replay_is_the_first_answer_even_after_the_item_changed(api) -> None:
    headers = {"Idempotency-Key": "create-source-1"}
    first = await api.post("/v1/sources", json=source_body(), headers=headers)
    await api.patch(first.headers["location"], json={"notes": "edited since"})
    retry = await api.post("/v1/sources", json=source_body(), headers=headers)
    assert retry.status_code == 201
    assert retry.json() == first.json()
    assert (await api.get(first.headers["location"])).json()["notes"] == "edited since"


async def test_the_same_key_with_another_body_is_refused(api) -> None:
    headers = {"Idempotency-Key": "create-summit-2"}
    first = await api.post("/v1/events", json=event_body(), headers=headers)
    assert first.status_code == 201
    before = await everything(api)
    problem = assert_problem(
        await api.post("/v1/events", json=event_body(title="Another summit"), headers=headers), 422
    )
    assert problem["errors"][0] == {
        "location": "header",
        "name": "Idempotency-Key",
        "message": "already used for another request",
    }
    # Nor may the key be reused on another route.
    assert_problem(await api.post("/v1/sources", json=source_body(), headers=headers), 422, "Idempotency-Key")
    assert await everything(api) == before


async def test_concurrent_posts_with_one_key_create_one_item(concurrent) -> None:
    headers = {"Idempotency-Key": "create-summit-3"}
    results = await asyncio.gather(
        *[concurrent.post("/v1/events", json=event_body(), headers=headers) for _ in range(4)]
    )
    assert [r.status_code for r in results] == [201] * 4, [r.text for r in results]
    assert len({r.headers["location"] for r in results}) == 1
    assert len({r.content for r in results}) == 1
    titled = [e for e in await walk(concurrent, "/v1/events") if e["title"] == event_body()["title"]]
    assert [e["id"] for e in titled] == ["ev-2026-02-01-seoul-tokyo-summit"]


async def test_concurrent_posts_without_a_key_get_distinct_ids(concurrent) -> None:
    results = await asyncio.gather(*[concurrent.post("/v1/events", json=event_body()) for _ in range(3)])
    assert [r.status_code for r in results] == [201] * 3, [r.text for r in results]
    base = "ev-2026-02-01-seoul-tokyo-summit"
    assert sorted(r.json()["id"] for r in results) == [base, f"{base}-2", f"{base}-3"]


async def test_keys_belong_to_the_api_key_that_sent_them(api, keys) -> None:
    headers = {"Idempotency-Key": "shared-name"}
    mine = await api.post("/v1/sources", json=source_body(), headers=headers)
    theirs = await api.post("/v1/sources", json=source_body(), headers={**headers, **bearer(keys["admin"])})
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.headers["location"] != theirs.headers["location"]


async def test_a_refused_request_does_not_use_up_its_key(api) -> None:
    headers = {"Idempotency-Key": "create-summit-4"}
    bad = event_body(sources=[{"source_id": "src-not-yet"}])
    assert_problem(await api.post("/v1/events", json=bad, headers=headers), 422, "sources[0].source_id")
    # The failed attempt rolled back with its claim, so the corrected retry goes through.
    fixed = await api.post("/v1/events", json=event_body(), headers=headers)
    assert fixed.status_code == 201, fixed.text


async def test_an_overlong_key_is_a_422_naming_the_header(api) -> None:
    response = await api.post("/v1/sources", json=source_body(), headers={"Idempotency-Key": "k" * 201})
    problem = assert_problem(response, 422)
    assert problem["errors"][0]["name"] == "Idempotency-Key"
    assert [s for s in await walk(api, "/v1/sources") if s["publisher"] == "Example Daily"] == []
