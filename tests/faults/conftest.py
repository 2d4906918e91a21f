"""Fixtures for fault injection: one private PostgreSQL for the whole package, a seeded template
with a write key, and per test a fresh copy of it behind a proxy the test controls."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.databases import Databases
from tests.faults.harness import PrivatePostgres, Proxy, create_key, new_database, private_postgres, run


@pytest.fixture(scope="package")
def pg() -> Iterator[PrivatePostgres]:
    with private_postgres() as server:
        yield server


@dataclass(frozen=True)
class Template:
    name: str
    write_key: str


@pytest.fixture(scope="package")
def template(pg: PrivatePostgres) -> Template:
    async def build() -> Template:
        name = await Databases(pg.url).build_template()
        return Template(name, await create_key(pg.database_url(name)))

    result: Template = run(build())
    return result


@dataclass
class Target:
    pg: PrivatePostgres
    proxy: Proxy
    name: str
    write_key: str

    @property
    def direct_url(self) -> str:
        """Straight to the server's socket, bypassing the proxy: for checks and for faults."""
        return self.pg.database_url(self.name)

    @property
    def service_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.proxy.port}/{self.name}"


@pytest.fixture
def target(request: pytest.FixtureRequest, pg: PrivatePostgres, template: Template) -> Iterator[Target]:
    if not pg.running():
        pg.start()  # a failed earlier test may have left it stopped
    name = new_database(pg, template.name, request.node.name[:20].replace("[", "_").replace("]", ""))
    proxy = Proxy(pg.url)
    try:
        yield Target(pg, proxy, name, template.write_key)
    finally:
        proxy.close()
