"""Getting to the database: at start, and again in the background for as long as it takes."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import asyncpg
from litestar.datastructures import State

from service import db, metrics, setup
from service.context import Context
from service.pagination import Cursors
from service.settings import Settings

log = logging.getLogger(__name__)

FIRST_RETRY_SECONDS = 0.25
MAX_RETRY_SECONDS = 2.0
# What a database that is down, starting or unreachable raises while we connect.
UNREACHABLE = (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError)


async def connect(state: State, url: str, settings: Settings) -> None:
    """Prepare the schema, open the pool and load the resolver; publish them only when all worked."""
    if settings.migrate_on_start:
        await setup.prepare(url, settings, load_seed=settings.seed_on_start)
    pool = await db.create_pool(url, settings)
    try:
        async with pool.acquire() as conn:
            resolver = await setup.load_resolver(db.as_connection(conn))
        replicas = await db.create_replicas(settings)
    except BaseException:
        await pool.close()
        raise
    for each in [pool, *(replicas.pools if replicas else [])]:
        metrics.watch_pool(each)
    state.replicas = replicas
    state.context = Context(settings, resolver, Cursors(settings.cursor_secret))
    state.pool = pool


async def keep_connecting(state: State, url: str, settings: Settings, tried: asyncio.Event) -> None:
    """Retry until the database answers; a service started before its database heals by itself."""
    delay = FIRST_RETRY_SECONDS
    while True:
        try:
            await connect(state, url, settings)
        except UNREACHABLE as exc:
            log.warning("database not reachable yet (%s); retrying in %.2f s", type(exc).__name__, delay)
            tried.set()
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_RETRY_SECONDS)
        else:
            log.info("connected to the database")
            tried.set()
            return


def start(state: State, url: str, settings: Settings) -> tuple[asyncio.Task[None], asyncio.Event]:
    """Connect in the background; the event is set once the first attempt has succeeded or failed."""
    state.pool = None
    state.replicas = None
    state.context = None
    tried = asyncio.Event()
    task = asyncio.create_task(keep_connecting(state, url, settings, tried), name="connect-to-database")
    return task, tried


async def stop(state: State, task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    replicas: db.Replicas | None = state.replicas
    if replicas is not None:
        for pool in replicas.pools:
            metrics.forget_pool(pool)
        await replicas.close()
        state.replicas = None
    if state.pool is not None:
        metrics.forget_pool(state.pool)
        await state.pool.close()
        state.pool = None
