"""API keys over HTTP: every write route refuses what it must, reads are open unless configured."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.writing import (
    BODIES,
    COLLECTIONS,
    PATCHES,
    SOURCE,
    SUMMIT,
    assert_problem,
    bearer,
    changes,
    create,
    everything,
)

NDJSON = {"Content-Type": "application/x-ndjson"}
IMPORT_LINE = (
    b'{"collection": "sources", "id": "src-auth-import", "title": "Imported", '
    b'"publisher": "Example Daily", "published_on": "2026-02-03"}\n'
)
ROUTES = [
    *[("POST", c) for c in COLLECTIONS],
    *[("PATCH", c) for c in COLLECTIONS],
    *[("DELETE", c) for c in COLLECTIONS],
    ("POST", "import"),
]
EXPECTED = {"POST": 201, "PATCH": 200, "DELETE": 204}


async def send(client: Any, method: str, target: str, collection: str, headers: dict[str, str]) -> Any:
    if collection == "import":
        return await client.post(target, content=IMPORT_LINE, headers={**NDJSON, **headers})
    if method == "DELETE":
        return await client.delete(target, headers=headers)
    body = BODIES[collection]() if method == "POST" else PATCHES[collection]
    return await client.request(method, target, json=body, headers=headers)


def assert_challenge(response: Any) -> None:
    assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer"), response.headers


@pytest.mark.parametrize(("method", "collection"), ROUTES, ids=[f"{m}-{c}" for m, c in ROUTES])
async def test_write_route_needs_a_live_write_key(anon, keys, method: str, collection: str) -> None:
    target = "/v1/import" if collection == "import" else f"/v1/{collection}"
    if method != "POST":
        item = await create(anon, collection, BODIES[collection](), **bearer(keys["write"]))
        target = f"/v1/{collection}/{item['id']}"
    before = await everything(anon)
    _, cursor = await changes(anon)

    assert_challenge(await send(anon, method, target, collection, {}))
    assert_challenge(await send(anon, method, target, collection, bearer("dtk_not-a-key-anyone-was-given")))
    assert_challenge(
        await send(anon, method, target, collection, {"Authorization": f"Basic {keys['write']}"})
    )
    for key in ("read", "revoked"):
        refused = assert_problem(await send(anon, method, target, collection, bearer(keys[key])), 403)
        assert f"{key}-key" in refused["detail"]
        assert "www-authenticate" not in refused

    # Nothing refused left a trace: same data, nothing new in the change feed.
    assert await everything(anon) == before
    assert (await changes(anon, cursor))[0] == []

    accepted = await send(anon, method, target, collection, bearer(keys["write"]))
    expected = 200 if collection == "import" else EXPECTED[method]
    assert accepted.status_code == expected, accepted.text
    written, _ = await changes(anon, cursor)
    assert written
    assert {c["key_name"] for c in written} == {"write-key"}


async def test_refused_key_is_checked_before_the_body(anon, keys) -> None:
    # A caller without a key learns nothing about what the body would have needed.
    assert_challenge(
        await anon.post("/v1/events", content=b"{not json", headers={"Content-Type": "application/json"})
    )
    assert_problem(await anon.post("/v1/events", json={"colour": "red"}, headers=bearer(keys["read"])), 403)


async def test_admin_key_can_write_and_is_named_in_the_revision(anon, keys) -> None:
    admin = bearer(keys["admin"])
    item = await create(anon, "sources", BODIES["sources"](), **admin)
    patched = await anon.patch(f"/v1/sources/{item['id']}", json={"notes": "by admin"}, headers=admin)
    assert patched.status_code == 200, patched.text
    history = (await anon.get(f"/v1/sources/{item['id']}/revisions")).json()["items"]
    assert [(r["revision"], r["key_name"]) for r in history] == [(1, "admin-key"), (2, "admin-key")]
    assert (await anon.delete(f"/v1/sources/{item['id']}", headers=admin)).status_code == 204


async def test_reads_are_open_without_a_key_by_default(anon) -> None:
    paths = ["/v1/events", f"/v1/events/{SUMMIT}", f"/v1/events/{SUMMIT}/revisions", f"/v1/sources/{SOURCE}",
             "/v1/changes", "/v1/relationships/CN/JP", "/v1/pairs"]  # fmt: skip
    for path in paths:
        response = await anon.get(path)
        assert response.status_code == 200, (path, response.text)


READ_PATHS = ["/v1/events", f"/v1/events/{SUMMIT}", f"/v1/events/{SUMMIT}/revisions", "/v1/deals",
              "/v1/changes", "/v1/relationships/CN/JP", "/v1/actors", f"/v1/sources/{SOURCE}"]  # fmt: skip


@pytest.mark.parametrize("path", READ_PATHS)
async def test_reads_need_a_read_key_when_configured(fresh_url, keys, make_client, path: str) -> None:
    async with make_client(fresh_url, require_read_key=True) as client:
        assert_challenge(await client.get(path))
        assert_challenge(await client.get(path, headers=bearer("dtk_unknown")))
        assert_problem(await client.get(path, headers=bearer(keys["revoked"])), 403)
        for scope in ("read", "write", "admin"):
            response = await client.get(path, headers=bearer(keys[scope]))
            assert response.status_code == 200, (scope, response.text)


async def test_probes_stay_open_when_reads_need_a_key(fresh_url, keys, make_client) -> None:
    async with make_client(fresh_url, require_read_key=True) as client:
        assert (await client.get("/health")).status_code == 200
        assert (await client.get("/ready")).status_code == 200
        # A write still needs the write scope, not merely a key.
        refused = await client.post("/v1/sources", json=BODIES["sources"](), headers=bearer(keys["read"]))
        assert_problem(refused, 403)
