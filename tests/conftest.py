"""Shared fixtures: one seeded template database, cloned for tests that write."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import pytest
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.settings import Settings
from tests.databases import Databases, app_settings, server_url, with_database

ClientFactory = Callable[..., AbstractAsyncContextManager[AsyncTestClient]]  # type: ignore[type-arg]


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    with server_url() as url:
        yield url


@pytest.fixture(scope="session")
async def databases(pg_server: str) -> AsyncIterator[Databases]:
    dbs = Databases(pg_server)
    try:
        yield dbs
    finally:
        await dbs.drop_all()


@pytest.fixture(scope="session")
async def template_db(databases: Databases) -> str:
    return await databases.build_template()


@pytest.fixture(scope="session")
async def seeded_url(databases: Databases, template_db: str) -> str:
    """A seeded database shared by every test that only reads."""
    return with_database(databases.url, await databases.create("read", template=template_db))


@pytest.fixture
async def fresh_url(databases: Databases, template_db: str) -> AsyncIterator[str]:
    """A private copy of the seeded database, for a test that writes."""
    name = await databases.create("rw", template=template_db)
    yield with_database(databases.url, name)
    await databases.drop(name)


@pytest.fixture
async def empty_url(databases: Databases) -> AsyncIterator[str]:
    """A database with nothing in it, not even the migrations."""
    name = await databases.create("empty")
    yield with_database(databases.url, name)
    await databases.drop(name)


@asynccontextmanager
async def _client(settings: Settings) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    async with AsyncTestClient(app=create_app(settings), base_url="http://testserver.local") as client:
        yield client


@pytest.fixture
def make_client() -> ClientFactory:
    """Start an app (with its lifespan) on a given database URL and settings."""

    def factory(url: str, **overrides: object) -> AbstractAsyncContextManager[AsyncTestClient]:  # type: ignore[type-arg]
        return _client(app_settings(url, **overrides))

    return factory


@pytest.fixture(scope="session")
async def client(seeded_url: str) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    """The app over the shared seeded database."""
    async with _client(app_settings(seeded_url)) as c:
        yield c
