"""Test databases on a real PostgreSQL: DATABASE_URL when set, else an embedded server."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from service import db, setup
from service.settings import Settings


def with_database(url: str, name: str) -> str:
    """The same server URL pointing at another database."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


@contextmanager
def server_url() -> Iterator[str]:
    url = os.environ.get("DATABASE_URL")
    if url:
        yield url
        return
    root = tempfile.mkdtemp(prefix="detente-test-")
    embedded = db.EmbeddedPostgres(os.path.join(root, "pgdata"))
    try:
        yield embedded.url
    finally:
        embedded.stop()
        shutil.rmtree(root, ignore_errors=True)


@asynccontextmanager
async def scratch_database(suffix: str) -> AsyncIterator[str]:
    """The URL of a new empty database on the test server, dropped when the block ends."""
    with server_url() as server:
        dbs = Databases(server)
        try:
            yield with_database(server, await dbs.create(suffix))
        finally:
            await dbs.drop_all()


class Databases:
    """Creates, clones and drops uniquely named databases on one server."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.prefix = f"detente_test_{uuid.uuid4().hex[:8]}"
        self.created: list[str] = []

    async def _admin(self) -> asyncpg.Connection:
        return await asyncpg.connect(self.url)

    async def create(self, suffix: str, template: str | None = None) -> str:
        name = f"{self.prefix}_{suffix}_{len(self.created)}"
        conn = await self._admin()
        try:
            clause = f' TEMPLATE "{template}"' if template else ""
            await conn.execute(f'CREATE DATABASE "{name}"{clause}')
        finally:
            await conn.close()
        self.created.append(name)
        return name

    async def drop(self, name: str) -> None:
        conn = await self._admin()
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    async def drop_all(self) -> None:
        for name in reversed(self.created):
            await self.drop(name)

    async def build_template(self) -> str:
        """A database with every migration, the reference data and the seed world."""
        name = await self.create("template")
        await setup.prepare(with_database(self.url, name), app_settings(), load_seed=True)
        return name


def app_settings(url: str | None = None, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": url,
        "migrate_on_start": False,
        "seed_on_start": False,
        "pool_min_size": 1,
        "pool_max_size": 4,
        "log_level": "WARNING",
        # The suite sends far more than a client's budget; the limits' own tests turn them on.
        "rate_limit_reads": 0,
        "rate_limit_writes": 0,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]
