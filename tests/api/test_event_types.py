"""GET /v1/event-types: every verb with its CAMEO code, Goldstein score, QuadClass and PLOVER type."""

from __future__ import annotations

from typing import Any

from schemas.events import EventType


async def test_every_type_is_listed_with_its_coding(client: Any) -> None:
    response = await client.get("/v1/event-types")
    assert response.status_code == 200
    items = {t["id"]: t for t in response.json()["items"]}
    assert set(items) == {t.value for t in EventType}
    export_control = items["export_control"]
    assert (export_control["cameo_code"], export_control["goldstein"], export_control["quad_class"]) == (
        "163",
        -8.0,
        4,
    )
    assert export_control["plover_type"] == "SANCTION"
    assert (items["fighting"]["cameo_code"], items["fighting"]["quad_class"]) == ("19", 4)
    assert (items["appeal"]["cameo_code"], items["appeal"]["quad_class"]) == ("02", 1)
    # QuadClass follows the CAMEO root: 01-05 verbal cooperation ... 14-20 material conflict.
    for item in items.values():
        root = int(item["cameo_code"][:2])
        assert item["quad_class"] == (1 if root <= 5 else 2 if root <= 8 else 3 if root <= 13 else 4), item


async def test_one_type_and_an_unknown_one(client: Any) -> None:
    visit = (await client.get("/v1/event-types/visit")).json()
    assert (visit["cameo_code"], visit["cameo_label"], visit["goldstein"]) == ("042", "Make a visit", 1.9)
    response = await client.get("/v1/event-types/picnic")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "picnic" in response.json()["detail"]
