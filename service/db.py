"""Connection pool, the embedded PostgreSQL fallback, and turning rows into Structs."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar, cast

import asyncpg
import msgspec
from litestar.datastructures import State
from litestar.di import NamedDependency

from service.errors import DatabaseUnavailable
from service.metrics import observe_query
from service.settings import Settings

log = logging.getLogger(__name__)

T = TypeVar("T")

Pool = asyncpg.Pool
Connection = asyncpg.Connection
# A handler parameter named `conn` of this type receives the request's connection.
DbConnection = NamedDependency[Connection]


class EmbeddedPostgres:
    """A PostgreSQL server run from the pgserver package, its data kept in a local directory."""

    def __init__(self, data_dir: str) -> None:
        import pgserver  # imported here: only needed when no DATABASE_URL is given

        path = Path(data_dir).expanduser().resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._server = pgserver.get_server(path, cleanup_mode="stop")  # type: ignore[attr-defined]
        self.url: str = self._server.get_uri()
        log.info("embedded PostgreSQL running with data in %s", path)

    def stop(self) -> None:
        self._server.cleanup()


def database_url(settings: Settings) -> tuple[str, EmbeddedPostgres | None]:
    """The URL to connect to, starting the embedded server when DATABASE_URL is unset."""
    if settings.database_url:
        return settings.database_url, None
    embedded = EmbeddedPostgres(settings.embedded_data_dir)
    return embedded.url, embedded


def _encode_json(value: Any) -> str:
    return msgspec.json.encode(value).decode()


async def init_connection(conn: Connection) -> None:
    """Decode json/jsonb with msgspec on every pooled connection."""
    for name in ("json", "jsonb"):
        await conn.set_type_codec(
            name, encoder=_encode_json, decoder=msgspec.json.decode, schema="pg_catalog"
        )
    conn.add_query_logger(observe_query)


def server_settings(settings: Settings) -> dict[str, str]:
    return {
        "application_name": "detente",
        # Optional filters are written as `($1 IS NULL OR ...)`; custom plans fold the unused
        # ones away so each request gets the index that fits its filters.
        "plan_cache_mode": "force_custom_plan",
        "statement_timeout": str(settings.statement_timeout_ms),
        "timezone": "UTC",
    }


async def connect(url: str, settings: Settings) -> Connection:
    """One connection outside the pool (migrations, seeding, the CLI)."""
    conn: Connection = await asyncpg.connect(
        url, timeout=settings.connect_timeout, server_settings=server_settings(settings)
    )
    await init_connection(conn)
    return conn


async def create_pool(url: str, settings: Settings) -> Pool:
    pool: Pool = await asyncpg.create_pool(
        url,
        min_size=settings.pool_min_size,
        max_size=settings.pool_max_size,
        timeout=settings.connect_timeout,
        init=init_connection,
        server_settings=server_settings(settings),
    )
    return pool


def pool_of(state: State) -> Pool:
    """The pool, or a 503 while the service has not reached its database yet."""
    pool: Pool | None = state.pool
    if pool is None:
        raise DatabaseUnavailable()
    return pool


async def provide_connection(state: State) -> AsyncIterator[Connection]:
    """Request dependency: a pooled connection held for the length of the request."""
    settings: Settings = state.settings
    pool = pool_of(state)
    try:
        proxy = await pool.acquire(timeout=settings.acquire_timeout)
    except asyncpg.PostgresError as exc:
        # A refused connection (not accepting connections, no such database) is an outage
        # whatever its SQLSTATE; ConnectionError maps to 503.
        raise ConnectionError("the database refused a connection") from exc
    try:
        yield as_connection(proxy)
    finally:
        await pool.release(proxy)


def as_connection(proxy: Any) -> Connection:
    """Pooled connections are proxies that forward every Connection method; type them as such."""
    return cast(Connection, proxy)


def to_structs(rows: Iterable[asyncpg.Record], type_: type[T]) -> list[T]:
    """Records become Structs in one conversion: column names are field names."""
    return msgspec.convert([dict(r) for r in rows], list[type_])  # type: ignore[valid-type]


def to_struct(row: asyncpg.Record, type_: type[T]) -> T:
    return msgspec.convert(dict(row), type_)


def as_text_array(values: Sequence[str] | None) -> list[str] | None:
    return list(values) if values else None
