"""Helpers for the write-side tests: valid bodies, problem checks, and reading all data over HTTP."""

from __future__ import annotations

import datetime as dt
from typing import Any

from service import db
from tests.databases import app_settings

SOURCE = "src-2026-01-07-thestar-scmp-china-south-korea-trade-deals"
LEE = "actor-lee-jae-myung"
XI = "actor-xi-jinping"
SUMMIT = "ev-2026-01-05-lee-xi-summit"
DUAL_USE_BAN = "ev-2026-01-06-cn-dual-use-export-ban-japan-military"
MOUS = "deal-2026-01-05-kr-cn-company-mous"
CN_JP_FROZEN = "rel-cn-jp-2025-12-29"
COLLECTIONS = ("sources", "actors", "events", "deals", "relationship-periods")


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def source_body(**changes: Any) -> dict[str, Any]:
    body = {
        "title": "Seoul and Tokyo agree to talk",
        "publisher": "Example Daily",
        "published_on": "2026-02-02",
    }
    return {**body, **changes}


def actor_body(**changes: Any) -> dict[str, Any]:
    body = {
        "kind": "person",
        "name": "Park Min-ji",
        "country": "South Korea",
        "sources": [{"source_id": SOURCE}],
    }
    return {**body, **changes}


def event_body(**changes: Any) -> dict[str, Any]:
    body = {
        "type": "summit",
        "title": "Seoul-Tokyo summit",
        "start_date": "2026-02-01",
        "participants": [
            {"role": "host", "country": "Tokyo"},
            {"role": "participant", "country": "KR", "actor_id": LEE},
        ],
        "sources": [{"source_id": SOURCE}],
    }
    return {**body, **changes}


def deal_body(**changes: Any) -> dict[str, Any]:
    body = {
        "kind": "mou",
        "title": "Battery supply MOU",
        "signed_on": "2026-01-05",
        "value": {"amount": "1500000000", "currency": "KRW", "text": "1.5 billion won"},
        "parties": [{"role": "partner", "country": "KR"}, {"role": "partner", "country": "JP"}],
        "sources": [{"source_id": SOURCE, "attribution": "the ministry"}],
    }
    return {**body, **changes}


def period_body(**changes: Any) -> dict[str, Any]:
    # Japan and South Korea have no status in the seed world, so any dates are free.
    body = {
        "country_a": "Seoul",
        "country_b": "Japan",
        "valid_from": "2026-01-13",
        "valid_to": "2026-02-01",
        "status": "cordial",
        "trend": "improving",
        "summary": "Shuttle diplomacy resumes.",
        "sources": [{"source_id": SOURCE}],
    }
    return {**body, **changes}


BODIES = {
    "sources": source_body,
    "actors": actor_body,
    "events": event_body,
    "deals": deal_body,
    "relationship-periods": period_body,
}
# A harmless change per collection, for PATCH.
PATCHES = {
    "sources": {"notes": "checked"},
    "actors": {"description": "checked"},
    "events": {"summary": "checked"},
    "deals": {"summary": "checked"},
    "relationship-periods": {"summary": "checked"},
}


def assert_problem(response: Any, status: int, name: str | None = None) -> dict[str, Any]:
    """A problem+json answer with this status; with `name`, its first error names that field."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    if name is not None:
        assert body["errors"], body
        assert body["errors"][0]["name"] == name, body
    return body


async def create(client: Any, collection: str, body: dict[str, Any], **headers: str) -> dict[str, Any]:
    response = await client.post(f"/v1/{collection}", json=body, headers=headers)
    assert response.status_code == 201, response.text
    item: dict[str, Any] = response.json()
    return item


async def get(client: Any, collection: str, item_id: str, **params: str) -> Any:
    return await client.get(f"/v1/{collection}/{item_id}", params=params)


async def walk(client: Any, path: str, **params: str) -> list[dict[str, Any]]:
    """Every item of a list, following `next` to the end."""
    items: list[dict[str, Any]] = []
    response = await client.get(path, params={"limit": "200", **params})
    while True:
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        if page["next"] is None:
            return items
        response = await client.get(page["next"])


async def everything(client: Any) -> dict[str, dict[str, Any]]:
    """Every item the service serves, by collection and id, read through the list endpoints."""
    found: dict[str, dict[str, Any]] = {c: {} for c in COLLECTIONS}
    for collection in ("sources", "actors", "events", "deals"):
        for item in await walk(client, f"/v1/{collection}"):
            assert item["id"] not in found[collection], f"{item['id']} listed twice"
            found[collection][item["id"]] = item
    # Periods have no list of their own: every pair with data, and each pair's whole history.
    for pair in await walk(client, "/v1/pairs"):
        response = await client.get(f"/v1/relationships/{pair['country_a']}/{pair['country_b']}")
        assert response.status_code == 200, response.text
        for period in response.json()["history"]:
            found["relationship-periods"][period["id"]] = period
    return found


async def changes(client: Any, since: str | None = None, **params: str) -> tuple[list[dict[str, Any]], str]:
    """Every change after `since` (from the start if None), following the cursor; and the last cursor."""
    items: list[dict[str, Any]] = []
    cursor = since
    while True:
        query = {"limit": "200", **params, **({"since": cursor} if cursor is not None else {})}
        response = await client.get("/v1/changes", params=query)
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        cursor = page["cursor"]
        if not page["more"]:
            return items, cursor


async def server_now(url: str) -> dt.datetime:
    """The database server's clock, which stamps every revision."""
    conn = await db.connect(url, app_settings(url))
    try:
        now: dt.datetime = await conn.fetchval("SELECT now()")
    finally:
        await conn.close()
    return now
