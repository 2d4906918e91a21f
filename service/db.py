"""Connection pool, the embedded PostgreSQL fallback, and turning rows into Structs."""

from __future__ import annotations

import contextlib
import itertools
import logging
import re
import time
from collections.abc import AsyncIterator, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar, cast

import asyncpg
import msgspec
from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency

from service.errors import DatabaseUnavailable
from service.metrics import observe_query
from service.settings import Settings, split_list

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
        # Requests run short statements over indexes; compiling them to machine code costs more
        # (tens to hundreds of ms) than it saves.
        "jit": "off",
        # A bulk load stages each batch of up to 100,000 records in temporary tables. The default
        # 8MB of buffers for them spilled every batch to disk and read it back several times;
        # this much keeps a batch in memory. It is an upper bound, taken only by sessions that
        # stage, and can only be set before a session's first temporary table.
        "temp_buffers": "256MB",
        "statement_timeout": str(settings.statement_timeout_ms),
        "timezone": "UTC",
    }


# The client-side bound on every query (asyncpg's command_timeout): the server's
# statement_timeout plus this margin. The server cancels a slow statement first (a 504 problem
# from QueryCanceledError); the client's bound only fires when the server cannot answer at all
# (a network path that swallows packets, a frozen host) and turns a hang into a TimeoutError.
COMMAND_TIMEOUT_MARGIN_SECONDS = 1.0
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(us|ms|s|min|h|d)?\s*$")
_SECONDS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "min": 60.0, "h": 3600.0, "d": 86400.0}


def command_timeout(statement_timeout_ms: int) -> float | None:
    """Seconds the client waits for any one query; None when statements may run unbounded."""
    if statement_timeout_ms <= 0:
        return None
    return statement_timeout_ms / 1000 + COMMAND_TIMEOUT_MARGIN_SECONDS


def _milliseconds(setting: str) -> int | None:
    """`SHOW statement_timeout` text ('0', '500ms', '5s', '1min') in ms; None if unreadable."""
    found = _DURATION.match(setting)
    if found is None:
        return None
    return int(float(found[1]) * _SECONDS[found[2] or "ms"] * 1000)


class BoundedConnection(asyncpg.Connection):
    """A connection whose client-side timeout follows the server-side statement_timeout.

    Bulk paths lift the statement timeout for their transaction (POST /v1/import runs
    `set_config('statement_timeout', '0', true)` through importer.apply); a fixed
    command_timeout would still cut their long COPY and upserts. So after any statement that
    mentions statement_timeout, the connection reads the setting back and its default client
    timeout becomes that plus the margin (none for 0). Releasing it to the pool restores the
    pool's bound. Explicit `timeout=` arguments are untouched.
    """

    _pool_command_timeout: float | None

    def _follow(self, seconds: float | None) -> None:
        # asyncpg reads the default timeout from the connection's private `_config` on every
        # execute/fetch/copy call that passes no timeout; it has no public setter.
        if not hasattr(self, "_pool_command_timeout"):
            self._pool_command_timeout = self._config.command_timeout  # type: ignore[has-type]
        self._config = self._config._replace(command_timeout=seconds)  # type: ignore[has-type]

    # Same signatures as asyncpg's, timeout parameter included.
    async def execute(self, query: str, *args: Any, timeout: float | None = None) -> str:  # noqa: ASYNC109
        result: str = await super().execute(query, *args, timeout=timeout)
        if "statement_timeout" in query:
            setting = await super().fetchval("SELECT current_setting('statement_timeout')")
            ms = _milliseconds(str(setting))
            if ms is not None:
                self._follow(command_timeout(ms))
        return result

    async def reset(self, *, timeout: float | None = None) -> None:  # noqa: ASYNC109
        if hasattr(self, "_pool_command_timeout"):
            self._follow(self._pool_command_timeout)
        await super().reset(timeout=timeout)


async def connect(url: str, settings: Settings) -> Connection:
    """One connection outside the pool (migrations, seeding, the CLI)."""
    conn: Connection = await asyncpg.connect(
        url,
        timeout=settings.connect_timeout,
        command_timeout=command_timeout(settings.statement_timeout_ms),
        server_settings=server_settings(settings),
        connection_class=BoundedConnection,
    )
    await init_connection(conn)
    return conn


@contextlib.asynccontextmanager
async def opened(url: str, settings: Settings) -> AsyncIterator[Connection]:
    """`connect`, closed when the block ends."""
    conn = await connect(url, settings)
    try:
        yield conn
    finally:
        await conn.close()


async def create_pool(url: str, settings: Settings, *, min_size: int | None = None) -> Pool:
    pool: Pool = await asyncpg.create_pool(
        url,
        min_size=settings.pool_min_size if min_size is None else min_size,
        max_size=settings.pool_max_size,
        timeout=settings.connect_timeout,
        command_timeout=command_timeout(settings.statement_timeout_ms),
        connection_class=BoundedConnection,
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


# Requests that only read: they may be served by a replica.
READ_METHODS = frozenset({"GET", "HEAD"})
# What a server that is down, starting, full or unreachable raises while a connection is opened.
UNREACHABLE = (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError)


class Replicas:
    """Pools on streaming replicas, taken in turn by reads.

    A replica that cannot give a connection (down, still starting, out of connections, or
    unreachable) is left out for `retry_seconds`, then tried again; while none is left, reads go to
    the primary. A replica serves what it has replayed, so a read may trail a write made an instant
    before on the primary by the replication lag.
    """

    def __init__(self, pools: Sequence[Pool], retry_seconds: float) -> None:
        self.pools = list(pools)
        self.retry_seconds = retry_seconds
        self._turns = itertools.count()
        self._left_out_until = [0.0] * len(self.pools)

    def in_turn(self) -> list[tuple[int, Pool]]:
        """The replicas to try for one read, from the next in turn, without those left out."""
        now = time.monotonic()
        first = next(self._turns) % len(self.pools)
        order = [(first + k) % len(self.pools) for k in range(len(self.pools))]
        return [(i, self.pools[i]) for i in order if self._left_out_until[i] <= now]

    def leave_out(self, index: int, exc: BaseException) -> None:
        self._left_out_until[index] = time.monotonic() + self.retry_seconds
        log.warning(
            "replica %d gave no connection (%s); reading from the others or the primary for %.0f s",
            index + 1, type(exc).__name__, self.retry_seconds,
        )  # fmt: skip

    async def close(self) -> None:
        for pool in self.pools:
            await pool.close()


async def create_replicas(settings: Settings) -> Replicas | None:
    """A pool per DATABASE_REPLICA_URLS entry, or None when there is none."""
    urls = split_list(settings.database_replica_urls)
    if not urls:
        return None
    # No connection is opened until a read asks for one: a replica that is down does not keep the
    # service from starting, it is only left out.
    pools = [await create_pool(url, settings, min_size=0) for url in urls]
    return Replicas(pools, settings.replica_retry_seconds)


async def _acquire(pool: Pool, seconds: float) -> Any:
    try:
        return await pool.acquire(timeout=seconds)
    except asyncpg.PostgresError as exc:
        # A refused connection (not accepting connections, no such database) is an outage
        # whatever its SQLSTATE; ConnectionError maps to 503.
        raise ConnectionError("the database refused a connection") from exc


async def acquire_for_read(state: State, seconds: float) -> tuple[Pool, Any]:
    """A pooled connection for reading: on a replica when any is configured and answers, else the primary."""
    primary = pool_of(state)
    replicas: Replicas | None = getattr(state, "replicas", None)
    if replicas is not None:
        for index, pool in replicas.in_turn():
            try:
                return pool, await pool.acquire(timeout=seconds)
            except UNREACHABLE as exc:
                replicas.leave_out(index, exc)
    return primary, await _acquire(primary, seconds)


async def provide_connection(request: Request[Any, Any, Any]) -> AsyncIterator[Connection]:
    """Request dependency: a pooled connection held for the length of the request.

    GET and HEAD only read, so they take one from a replica when DATABASE_REPLICA_URLS is set;
    every other method writes, and always gets the primary (as does everything in its transaction).
    """
    state = request.app.state
    settings: Settings = state.settings
    if request.method in READ_METHODS:
        pool, proxy = await acquire_for_read(state, settings.acquire_timeout)
    else:
        pool = pool_of(state)
        proxy = await _acquire(pool, settings.acquire_timeout)
    # Whatever else the request reads later (the pages of a streamed list) comes from the same server.
    request.state.db_pool = pool
    try:
        yield as_connection(proxy)
    finally:
        await release(pool, proxy)


def request_pool(request: Request[Any, Any, Any]) -> Pool:
    """The pool the request's connection came from (a replica's or the primary's)."""
    pool: Pool | None = request.state.get("db_pool")
    return pool if pool is not None else pool_of(request.app.state)


@contextlib.asynccontextmanager
async def reading(state: State, seconds: float) -> AsyncIterator[Connection]:
    """A connection borrowed for a few reads outside a request's own (the change feed's polls)."""
    pool, proxy = await acquire_for_read(state, seconds)
    try:
        yield as_connection(proxy)
    finally:
        await release(pool, proxy)


@contextlib.asynccontextmanager
async def borrowed(pool: Pool, seconds: float) -> AsyncIterator[Connection]:
    """A connection from the pool for work beside a request's own (the indexes an import deferred)."""
    proxy = await _acquire(pool, seconds)
    try:
        yield as_connection(proxy)
    finally:
        await release(pool, proxy)


# Giving a connection back waits for a cancelled query's cancellation and runs the reset query;
# both take milliseconds unless the database stopped answering. Bounded, so a request that
# already failed (a 503 or 504) is answered without waiting out a network that swallows packets.
RELEASE_TIMEOUT_SECONDS = 1.0


async def release(pool: Pool, proxy: Any) -> None:
    """Return a connection to the pool; one that cannot be reset is dropped, never an error."""
    try:
        await pool.release(proxy, timeout=RELEASE_TIMEOUT_SECONDS)
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        # asyncpg has terminated the connection already; the pool opens a new one when needed.
        log.warning("dropped a connection that could not be reset: %s", type(exc).__name__)


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
