"""Every failure leaves as an RFC 9457 problem document, and nothing internal reaches the client."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import asyncpg
import pytest

PROBLEM_JSON = "application/problem+json"
# What a leaked stack trace, driver error or query would contain.
LEAKS = ("Traceback", 'File "', "asyncpg", "SELECT", "site-packages", ".py", "/work/", "/usr/", "/tmp/")


def assert_problem(response, status: int, named: tuple[str, str] | None = None) -> dict:
    """The RFC 9457 shape; `named` is the (name, location) of the parameter the problem blames."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].split(";")[0].strip() == PROBLEM_JSON
    for leak in LEAKS:
        assert leak not in response.text, f"{leak!r} leaked into {response.text}"
    body = response.json()
    assert isinstance(body.get("type", "about:blank"), str)
    assert isinstance(body["title"], str)
    assert body["title"]
    assert body["status"] == status
    assert body["instance"] == response.request.url.path
    if named is not None:
        assert body["errors"], body
        for error in body["errors"]:
            assert {"name", "location", "message"} <= set(error)
            assert all(isinstance(error[k], str) and error[k] for k in ("name", "location", "message"))
        assert (body["errors"][0]["name"], body["errors"][0]["location"]) == named
        assert named[0] in body["detail"]
    return body


FAILURES = [
    # 404: no such route, no such item.
    ("GET", "/v1/nope", 404, None),
    ("GET", "/v2/events", 404, None),
    ("GET", "/v1/events/ev-does-not-exist", 404, None),
    ("GET", "/v1/deals/deal-does-not-exist", 404, None),
    ("GET", "/v1/actors/actor-does-not-exist", 404, None),
    ("GET", "/v1/sources/src-does-not-exist", 404, None),
    # 405: the route exists, the method does not.
    ("PUT", "/v1/events", 405, None),
    # 401: a write without a key.
    ("POST", "/v1/events", 401, None),
    ("DELETE", "/v1/countries/KR", 405, None),
    ("PUT", "/v1/relationships/CN/JP", 405, None),
    # 422: a parameter that does not parse, or names nothing we know.
    ("GET", "/v1/events?type=coup", 422, ("type", "query")),
    ("GET", "/v1/events?from=yesterday", 422, ("from", "query")),
    ("GET", "/v1/events?from=2026-02-01&to=2026-01-01", 422, ("to", "query")),
    ("GET", "/v1/events?limit=0", 422, ("limit", "query")),
    ("GET", "/v1/events?limit=201", 422, ("limit", "query")),
    ("GET", "/v1/events?country=Atlantis", 422, ("country", "query")),
    ("GET", "/v1/events?pair=Seoul", 422, ("pair", "query")),
    ("GET", "/v1/deals?min_usd=lots", 422, ("min_usd", "query")),
    ("GET", "/v1/deals?min_usd=-5", 422, ("min_usd", "query")),
    ("GET", "/v1/deals?min_usd=10&max_usd=5", 422, ("max_usd", "query")),
    ("GET", "/v1/relationships?as_of=2026-02-30", 422, ("as_of", "query")),
    ("GET", "/v1/relationships/CN/China", 422, ("b", "path")),
    ("GET", "/v1/pairs/Atlantis/KR", 422, ("a", "path")),
    ("GET", "/v1/countries/Atlantis", 422, ("country", "path")),
    # 400: a cursor this API never issued.
    ("GET", "/v1/events?cursor=garbage", 400, ("cursor", "query")),
]


@pytest.mark.parametrize(("method", "url", "status", "named"), FAILURES)
async def test_every_failure_class_is_a_problem_document(client, method, url, status, named) -> None:
    body = assert_problem(await client.request(method, url), status, named)
    if status == 404 and "does-not-exist" in url:
        assert url.rsplit("/", 1)[1] in body["detail"]


async def test_method_not_allowed_says_which_methods_are(client) -> None:
    response = await client.put("/v1/events", json={})
    assert_problem(response, 405)
    assert "GET" in response.headers["allow"]


async def test_unknown_country_suggests_close_spellings(client) -> None:
    body = assert_problem(await client.get("/v1/events?country=Chinaa"), 422, ("country", "query"))
    assert "China (CN)" in body["errors"][0]["suggestions"]


async def test_cursor_of_another_query_is_400(client) -> None:
    first = await client.get("/v1/events", params={"limit": 1})
    cursor = first.json()["next"].split("cursor=")[1]
    # Good on the query that issued it...
    assert (await client.get("/v1/events", params={"limit": 1, "cursor": cursor})).status_code == 200
    # ...refused with other filters, on another list, or altered.
    assert_problem(
        await client.get("/v1/events", params={"cursor": cursor, "country": "JP"}), 400, ("cursor", "query")
    )
    assert_problem(await client.get("/v1/deals", params={"cursor": cursor}), 400, ("cursor", "query"))
    altered = cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB")
    assert_problem(await client.get("/v1/events", params={"cursor": altered}), 400, ("cursor", "query"))


ODD_INPUTS = [
    "/v1/events?q=%00",
    "/v1/events?actor=%00",
    "/v1/actors?q=%00",
    "/v1/actors/a%00b",
    "/v1/events/ev%00",
    "/v1/deals?max_usd=1e999999",
    "/v1/deals?min_usd=NaN",
    "/v1/deals?min_usd=Infinity",
    "/v1/events?q=" + "x" * 5000,
    "/v1/events?country=" + "x" * 5000,
    "/v1/countries/" + "%F0%9F%8C%8D",
    "/v1/pairs/%00/KR",
    "/v1/events?limit=99999999999999999999",
    "/v1/relationships?as_of=99999-01-01",
    "/v1/events?cursor=" + "A" * 600,
    "/v1/events?pair=,",
    "/v1/events?pair=KR,KR",
]


@pytest.mark.parametrize("url", ODD_INPUTS)
async def test_bad_input_is_never_a_500(client, url) -> None:
    response = await client.get(url)
    assert 400 <= response.status_code < 500, response.text
    assert_problem(response, response.status_code)


@pytest.mark.parametrize(
    "url",
    [
        "/v1/events?q=%22unbalanced",
        "/v1/events?q=a%20%26%20b%20%7C%20!%20(",
        "/v1/deals?q=-",
        "/v1/actors?q=%3A*",
        "/v1/deals?min_usd=1e400",
        "/v1/events?from=0001-01-01&to=9999-12-31",
    ],
)
async def test_odd_but_valid_input_is_answered(client, url) -> None:
    response = await client.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"


async def wait_until_gone(admin: asyncpg.Connection, name: str) -> None:
    for _ in range(100):
        count = await admin.fetchval("SELECT count(*) FROM pg_stat_activity WHERE datname = $1", name)
        if count == 0:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"backends of {name} did not exit")


async def test_database_outage_is_503_with_retry_after_then_heals(fresh_url, make_client, pg_server) -> None:
    name = urlsplit(fresh_url).path.lstrip("/")
    admin = await asyncpg.connect(pg_server)
    try:
        async with make_client(fresh_url) as client:
            before = await client.get("/v1/events")
            assert before.status_code == 200
            # The database goes away: every open connection is cut and no new one is accepted.
            await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name
            )
            await wait_until_gone(admin, name)
            for url in ("/v1/events", "/v1/pairs/KR/CN", "/v1/relationships", "/v1/events"):
                response = await client.get(url)
                body = assert_problem(response, 503)
                assert int(response.headers["retry-after"]) > 0
                assert "database" in body["detail"]
            assert (await client.get("/ready")).status_code == 503
            assert (await client.get("/health")).status_code == 200
            # The database comes back; the same app serves again without a restart.
            await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
            after = await client.get("/v1/events")
            assert after.status_code == 200
            assert after.json() == before.json()
            assert (await client.get("/ready")).status_code == 200
    finally:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        await admin.close()
