"""A real `detente serve` process on a private copy of the seeded database, for end-to-end tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from tests.databases import Databases, with_database
from tests.smoke.test_serve import serve


@asynccontextmanager
async def live_server(databases: Databases, template_db: str, name: str) -> AsyncIterator[str]:
    """The base URL of a server on 127.0.0.1, stopped when the block ends."""
    database = await databases.create(name, template=template_db)
    with serve({"DATABASE_URL": with_database(databases.url, database)}) as (base, _):
        yield base
