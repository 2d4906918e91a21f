"""HTTP caching: ETag, 304, Cache-Control, Vary, gzip, HEAD and CORS, over the real app."""

from __future__ import annotations

import gzip

import pytest
from litestar import Litestar, Response, get
from litestar.response import Stream
from litestar.testing import AsyncTestClient

from service import caching, edge

PAIR = "/v1/pairs/KR/CN?as_of=2026-01-07"
PLAIN = {"Accept-Encoding": "identity"}
GZIP = {"Accept-Encoding": "gzip"}


async def test_a_get_carries_a_strong_etag_of_its_body_and_a_public_lifetime(client) -> None:
    response = await client.get(PAIR, headers=PLAIN)
    assert response.status_code == 200
    assert response.headers["etag"] == caching.etag_for(response.content)
    assert not response.headers["etag"].startswith("W/")
    assert response.headers["cache-control"] == "public, max-age=60"
    assert response.headers["vary"] == "Accept-Encoding"


@pytest.mark.parametrize(
    "if_none_match",
    ["{etag}", "W/{etag}", '"other", {etag}', '"a",W/"b" , {etag}', "*"],
)
async def test_a_matching_if_none_match_answers_304_without_a_body(client, if_none_match: str) -> None:
    etag = (await client.get(PAIR)).headers["etag"]
    response = await client.get(PAIR, headers={"If-None-Match": if_none_match.format(etag=etag)})
    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == etag
    assert response.headers["cache-control"] == "public, max-age=60"
    assert response.headers["vary"] == "Accept-Encoding"
    assert "content-type" not in response.headers
    assert "content-encoding" not in response.headers


async def test_a_stale_if_none_match_gets_the_full_answer(client) -> None:
    response = await client.get(PAIR, headers={"If-None-Match": '"stale", W/"older"'})
    assert response.status_code == 200
    assert response.json()["pair"] == "CN-KR"


async def test_gzip_compresses_and_keeps_the_etag_of_the_uncompressed_body(client) -> None:
    plain = await client.get(PAIR, headers=PLAIN)
    zipped = await client.get(PAIR, headers=GZIP)
    assert "content-encoding" not in plain.headers
    assert zipped.headers["content-encoding"] == "gzip"
    assert int(zipped.headers["content-length"]) < len(plain.content) / 3
    assert zipped.content == plain.content  # httpx decodes it
    assert zipped.headers["etag"] == plain.headers["etag"] == caching.etag_for(plain.content)
    assert zipped.headers["vary"] == "Accept-Encoding"
    revalidated = await client.get(PAIR, headers={**GZIP, "If-None-Match": zipped.headers["etag"]})
    assert revalidated.status_code == 304
    assert revalidated.content == b""


async def test_answers_to_requests_with_credentials_are_private(client) -> None:
    response = await client.get(PAIR, headers={"Authorization": "Bearer dtk_whatever"})
    assert response.status_code == 200  # reads need no key unless REQUIRE_READ_KEY is set
    assert response.headers["cache-control"] == "private, max-age=60"


async def test_small_answers_are_not_compressed(client) -> None:
    response = await client.get("/health", headers=GZIP)
    assert "content-encoding" not in response.headers


@pytest.mark.parametrize("path", ["/health", "/ready", "/metrics"])
async def test_probes_and_metrics_are_never_stored(client, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"


async def test_errors_are_not_stored_and_carry_no_etag(client) -> None:
    response = await client.get("/v1/events/no-such-event")
    assert response.status_code == 404
    assert response.headers["cache-control"] == "no-store"
    assert "etag" not in response.headers


async def test_head_answers_with_the_headers_of_get_and_no_body(client) -> None:
    got = await client.get(PAIR, headers=GZIP)
    head = await client.head(PAIR, headers=GZIP)
    assert head.status_code == 200
    assert head.content == b""
    for name in ("etag", "cache-control", "vary", "content-type", "content-encoding", "content-length"):
        assert head.headers[name] == got.headers[name], name
    assert head.headers["x-request-id"]
    missing = await client.head("/v1/events/no-such-event")
    assert (missing.status_code, missing.content) == (404, b"")
    conditional = await client.head(PAIR, headers={"If-None-Match": got.headers["etag"]})
    assert conditional.status_code == 304


async def test_writes_are_left_alone(client) -> None:
    response = await client.post("/health")
    assert response.status_code == 405
    assert "etag" not in response.headers
    assert "cache-control" not in response.headers


async def test_docs_assets_revalidate_with_their_own_etag(client) -> None:
    first = await client.get("/docs/assets/swagger-ui.css")
    assert first.status_code == 200
    again = await client.get("/docs/assets/swagger-ui.css", headers={"If-None-Match": first.headers["etag"]})
    assert (again.status_code, again.content) == (304, b"")


# The write API sets its own ETag (the item's revision); a small app stands in for it here.
@get("/item", sync_to_thread=False)
def item() -> Response[dict[str, str]]:
    return Response({"id": "x"}, headers={"ETag": '"r3"'})


@get("/streamed", sync_to_thread=False)
def streamed() -> Stream:
    return Stream(iter([b'{"a":', b"1}"]), media_type="application/json")


@get("/streamed-tagged", sync_to_thread=False)
def streamed_tagged() -> Stream:
    return Stream(iter([b'{"a":', b"1}"]), media_type="application/json", headers={"ETag": '"s1"'})


@pytest.fixture
async def small_app():
    app = Litestar([item, streamed, streamed_tagged], middleware=caching.middleware(30))
    app.asgi_handler = edge.Edge(app.asgi_handler)
    async with AsyncTestClient(app=app) as c:
        yield c


async def test_an_etag_set_by_the_handler_is_kept_and_compared(small_app) -> None:
    response = await small_app.get("/item")
    assert response.headers["etag"] == '"r3"'
    assert response.headers["cache-control"] == "public, max-age=30"
    assert (await small_app.get("/item", headers={"If-None-Match": '"r3"'})).status_code == 304
    assert (await small_app.get("/item", headers={"If-None-Match": '"r2"'})).status_code == 200


async def test_a_streamed_body_passes_through_unhashed(small_app) -> None:
    # Streams (NDJSON and CSV exports) can be any size: they are not buffered to compute a digest.
    response = await small_app.get("/streamed", headers=PLAIN)
    assert response.content == b'{"a":1}'
    assert "etag" not in response.headers
    assert response.headers["cache-control"] == "public, max-age=30"


async def test_a_streamed_body_with_its_own_etag_still_revalidates(small_app) -> None:
    again = await small_app.get("/streamed-tagged", headers={"If-None-Match": '"s1"'})
    assert (again.status_code, again.content) == (304, b"")
    assert (await small_app.get("/streamed-tagged", headers=PLAIN)).content == b'{"a":1}'


def test_none_match_follows_rfc_9110() -> None:
    assert caching.none_match(None, '"a"')
    assert not caching.none_match('"a"', '"a"')
    assert not caching.none_match('W/"a"', '"a"')
    assert not caching.none_match(" * ", '"a"')
    assert caching.none_match('"ab"', '"a"')
    assert caching.none_match("garbage", '"a"')


async def test_gzip_body_is_really_gzip(client) -> None:
    # httpx decodes transparently; read the raw stream to see the bytes on the wire.
    async with client.stream("GET", PAIR, headers=GZIP) as response:
        raw = b"".join([chunk async for chunk in response.aiter_raw()])
    assert gzip.decompress(raw) == (await client.get(PAIR, headers=PLAIN)).content


async def test_cors_headers_only_when_configured(make_client, seeded_url: str) -> None:
    origin = {"Origin": "https://analyst.example"}
    async with make_client(seeded_url) as c:
        assert "access-control-allow-origin" not in (await c.get("/health", headers=origin)).headers
    async with make_client(seeded_url, cors_allow_origins="https://analyst.example, https://b.example") as c:
        response = await c.get(PAIR, headers=origin)
        assert response.headers["access-control-allow-origin"] == "https://analyst.example"
        exposed = {h.strip().lower() for h in response.headers["access-control-expose-headers"].split(",")}
        assert {"etag", "link", "x-request-id"} <= exposed
        preflight = await c.options("/v1/events", headers={**origin, "Access-Control-Request-Method": "GET"})
        assert preflight.status_code == 204
        assert preflight.headers["access-control-allow-origin"] == "https://analyst.example"
        other = await c.get("/health", headers={"Origin": "https://elsewhere.example"})
        assert "access-control-allow-origin" not in other.headers
