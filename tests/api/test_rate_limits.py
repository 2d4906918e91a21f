"""Rate limits per client: stricter for writes, keyed on the socket peer, shared through Redis."""

from __future__ import annotations

import os
import random
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from litestar import Litestar

from service import throttle
from service.app import create_app
from tests.api.test_errors import assert_problem
from tests.databases import app_settings

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
WRITE = ("POST", "/v1/sources")  # answered 401 without a key: no database needed, still counted
READ = ("GET", "/openapi.json")  # a read that needs no database


def _app(**overrides: Any) -> Litestar:
    return create_app(app_settings(None, **{"rate_limit_reads": 0, "rate_limit_writes": 3, **overrides}))


@asynccontextmanager
async def _peer(app: Litestar, address: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose requests come from the socket address given (no lifespan: no database)."""
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as client:
        yield client


async def _spend(
    client: httpx.AsyncClient, route: tuple[str, str], times: int, **kw: Any
) -> list[httpx.Response]:
    body = {"json": {}} if route[0] == "POST" else {}
    return [await client.request(*route, **body, **kw) for _ in range(times)]


def _random_ip() -> str:
    return f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"


async def test_exceeding_the_write_limit_is_a_429_with_retry_after() -> None:
    async with _peer(_app(), "192.0.2.1") as client:
        allowed = await _spend(client, WRITE, 3)
        assert [r.status_code for r in allowed] == [401, 401, 401]
        assert [r.headers["RateLimit-Remaining"] for r in allowed] == ["2", "1", "0"]
        assert all(r.headers["RateLimit-Limit"] == "3" for r in allowed)
        refused = await client.post("/v1/sources", json={})
        assert_problem(refused, 429)
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert refused.headers["RateLimit-Limit"] == "3"
        assert refused.headers["RateLimit-Remaining"] == "0"
        assert 0 <= int(refused.headers["RateLimit-Reset"]) <= 60
        assert refused.headers["X-Request-ID"]


async def test_reads_have_their_own_larger_budget_and_probes_none() -> None:
    async with _peer(_app(rate_limit_reads=5), "192.0.2.2") as client:
        await _spend(client, WRITE, 3)
        assert (await client.post("/v1/sources", json={})).status_code == 429
        reads = await _spend(client, READ, 5)
        assert [r.headers["RateLimit-Limit"] for r in reads] == ["5"] * 5
        assert all(r.status_code == 200 for r in reads)
        assert_problem(await client.get("/openapi.json"), 429)
        # Liveness and readiness probes must always get through.
        assert (await client.get("/health")).status_code == 200
        assert "RateLimit-Limit" not in (await client.get("/health")).headers


async def test_a_spoofed_x_forwarded_for_does_not_reset_the_count() -> None:
    async with _peer(_app(), "192.0.2.3") as client:
        for n in range(3):
            await client.post("/v1/sources", json={}, headers={"X-Forwarded-For": f"198.51.100.{n}"})
        refused = await client.post("/v1/sources", json={}, headers={"X-Forwarded-For": "198.51.100.99"})
        assert_problem(refused, 429)


async def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_budget() -> None:
    app = _app(trusted_proxies="127.0.0.1, 10.0.0.0/8")
    async with _peer(app, "10.1.2.3") as proxy:
        alice = {"X-Forwarded-For": "203.0.113.7"}
        # The proxy appends the address it saw; what the client wrote before it is not believed.
        bob = {"X-Forwarded-For": "203.0.113.7, 203.0.113.8"}
        assert [r.status_code for r in await _spend(proxy, WRITE, 3, headers=alice)] == [401] * 3
        assert (await proxy.post("/v1/sources", json={}, headers=alice)).status_code == 429
        assert (await proxy.post("/v1/sources", json={}, headers=bob)).status_code == 401
    # A peer outside TRUSTED_PROXIES is its own client, whatever it forwards.
    async with _peer(app, "192.0.2.4") as stranger:
        await _spend(stranger, WRITE, 3, headers={"X-Forwarded-For": "203.0.113.9"})
        assert (
            await stranger.post("/v1/sources", json={}, headers={"X-Forwarded-For": "203.0.113.10"})
        ).status_code == 429


def _redis_reachable() -> bool:
    parts = urlsplit(REDIS_URL)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=1):
            return True
    except OSError:
        return False


async def test_instances_sharing_redis_share_one_budget() -> None:
    if not _redis_reachable():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI runs Redis, but {REDIS_URL} does not answer")
        pytest.skip(f"no Redis at {REDIS_URL}")
    first, second = _app(redis_url=REDIS_URL), _app(redis_url=REDIS_URL)
    address = _random_ip()  # a client no other run of this test uses within the window
    try:
        async with _peer(first, address) as one, _peer(second, address) as other:
            assert [r.status_code for r in await _spend(one, WRITE, 2)] == [401, 401]
            last = await other.post("/v1/sources", json={})
            assert last.status_code == 401
            assert last.headers["RateLimit-Remaining"] == "0"
            assert_problem(await one.post("/v1/sources", json={}), 429)
            assert_problem(await other.post("/v1/sources", json={}), 429)
    finally:
        for app in (first, second):
            for name in (throttle.READ_STORE, throttle.WRITE_STORE):
                async with app.stores.get(name):
                    pass  # leaving the store closes its Redis connections
