"""Regression tests for what contract fuzzing (tests/contract) found."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/v1/events", "GET, OPTIONS, POST"),
        ("/v1/events/ev-x", "DELETE, GET, OPTIONS, PATCH"),
        ("/v1/deals", "GET, OPTIONS, POST"),
        ("/v1/actors/actor-x", "DELETE, GET, OPTIONS, PATCH"),
        ("/v1/sources", "GET, OPTIONS, POST"),
        ("/v1/relationship-periods", "OPTIONS, POST"),
        ("/v1/relationship-periods/rel-x", "DELETE, GET, OPTIONS, PATCH"),
        ("/v1/countries", "GET, OPTIONS"),
    ],
)
async def test_options_allows_every_method_of_the_path(client: Any, path: str, allowed: str) -> None:
    # Litestar's automatic answer used to list only the first handler's method (`GET, OPTIONS`).
    response = await client.options(path)
    assert response.status_code == 204
    assert response.headers["allow"] == allowed


@pytest.mark.parametrize("value", ["0.5", "1700000000", "-1", "1e3"])
@pytest.mark.parametrize(
    "path", ["/v1/events", "/v1/deals", "/v1/relationships/KR/CN", "/v1/actors/actor-alibaba"]
)
async def test_known_on_is_an_iso_timestamp_not_a_number(client: Any, path: str, value: str) -> None:
    # A bare number used to be read as seconds since 1970 and answered 200.
    response = await client.get(path, params={"known_on": value})
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["name"] == "known_on"


async def test_known_on_still_takes_timestamps(client: Any) -> None:
    for value in ("2026-12-01T00:00:00Z", "2026-12-01T09:00:00+09:00", "2026-12-01 00:00:00+00:00"):
        response = await client.get("/v1/events", params={"known_on": value})
        assert response.status_code == 200, (value, response.text)


async def test_a_revision_number_past_the_column_is_a_422_naming_after(client: Any) -> None:
    # Used to reach PostgreSQL and come back as an integer-out-of-range problem naming nothing.
    response = await client.get("/v1/actors/actor-alibaba/revisions", params={"after": str(2**31)})
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["name"] == "after"
    ok = await client.get("/v1/actors/actor-alibaba/revisions", params={"after": str(2**31 - 1)})
    assert ok.status_code == 200, ok.text


async def test_an_empty_idempotency_key_is_a_422_naming_the_header(api: Any) -> None:
    # Used to reach a CHECK constraint and come back naming `idempotency_keys_idem_key_check`.
    body = {"title": "A title", "publisher": "Somebody", "published_on": "2026-01-07"}
    response = await api.post("/v1/sources", json=body, headers={"Idempotency-Key": ""})
    assert response.status_code == 422, response.text
    assert {e["name"] for e in response.json()["errors"]} == {"Idempotency-Key"}


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
async def test_the_first_and_last_representable_days_are_refused(api: Any, day: str) -> None:
    # PostgreSQL stored them as -infinity/infinity: the revision snapshot then held "-infinity"
    # and every `known_on` read of the item was a 500.
    body = {"title": "A title", "publisher": "Somebody", "published_on": day}
    response = await api.post("/v1/sources", json=body)
    assert response.status_code == 422, response.text
    assert "published_on" in response.json()["detail"]


async def test_an_item_dated_near_the_edges_reads_back_as_known(api: Any) -> None:
    for day in ("0001-01-02", "9999-12-30"):
        body = {"title": f"Dated {day}", "publisher": "Somebody", "published_on": day}
        created = await api.post("/v1/sources", json=body)
        assert created.status_code == 201, created.text
        known = await api.get(created.headers["location"], params={"known_on": "9000-01-01T00:00:00Z"})
        assert known.status_code == 200, known.text
        assert known.json()["published_on"] == day
