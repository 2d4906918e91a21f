"""Fixtures for the write side: API keys in a private database and clients that use them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from service import auth, db, importer
from service.app import create_app
from tests.conftest import ClientFactory
from tests.databases import app_settings

SCOPES = ("read", "write", "admin")


@pytest.fixture
async def keys(fresh_url: str) -> dict[str, str]:
    """Secrets of a read, a write and an admin key, and of a write key that has been revoked."""
    conn = await db.connect(fresh_url, app_settings(fresh_url))
    try:
        found = {scope: await auth.create(conn, f"{scope}-key", scope) for scope in SCOPES}
        found["revoked"] = await auth.create(conn, "revoked-key", "write")
        assert await auth.revoke(conn, "revoked-key")
    finally:
        await conn.close()
    return found


@pytest.fixture
async def anon(fresh_url: str, make_client: ClientFactory) -> AsyncIterator[AsyncTestClient[Any]]:
    """A client on the private database that sends no key unless a request adds one."""
    async with make_client(fresh_url) as client:
        yield client


@pytest.fixture
async def api(
    fresh_url: str, keys: dict[str, str], make_client: ClientFactory
) -> AsyncIterator[AsyncTestClient[Any]]:
    """A client on the private database that sends the write key with every request."""
    async with make_client(fresh_url) as client:
        client.headers["Authorization"] = f"Bearer {keys['write']}"
        yield client


async def _run_lifespan(app: Litestar, started: asyncio.Event, stop: asyncio.Event) -> None:
    async with app.lifespan():
        started.set()
        await stop.wait()


@pytest.fixture
async def concurrent(fresh_url: str, keys: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    """A write-key client whose requests really overlap: the app runs on the test's own event loop.

    (The test client calls the app through a blocking portal, so two of its requests never overlap.)
    """
    app = create_app(app_settings(fresh_url))
    started, stop = asyncio.Event(), asyncio.Event()
    # The lifespan's cancel scope must be entered and left in one task, which a fixture is not.
    lifespan = asyncio.create_task(_run_lifespan(app, started, stop))
    await asyncio.wait([lifespan, asyncio.create_task(started.wait())], return_when=asyncio.FIRST_COMPLETED)
    if lifespan.done():
        lifespan.result()  # startup failed: raise its error here
    try:
        transport = httpx.ASGITransport(app=app)
        headers = {"Authorization": f"Bearer {keys['write']}"}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver.local", headers=headers
        ) as c:
            yield c
    finally:
        stop.set()
        await lifespan


@pytest.fixture(params=[None, 2], ids=["one-batch", "batches-of-2"])
def batch_size(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int | None:
    """Imports read in one batch, or two records at a time: a load must end the same either way."""
    size: int | None = request.param
    if size is not None:
        monkeypatch.setattr(importer, "BATCH_SIZE", size)
    return size
