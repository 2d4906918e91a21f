"""Getting a database ready to serve: schema, reference data, and the seed world when empty."""

from __future__ import annotations

import logging

from service import db, deferred_indexes, migrate, reference, seed
from service.resolve import CountryResolver
from service.settings import Settings
from service.sql import queries

log = logging.getLogger(__name__)


async def load_resolver(conn: db.Connection) -> CountryResolver:
    """Every spelling of every country, and its codes in the other schemes clients may use."""
    aliases = await conn.fetch(queries()["reference.aliases"])
    codes = await conn.fetch(queries()["reference.codes"])
    return CountryResolver(
        ((r["alias"], r["code"], r["kind"], r["name"]) for r in aliases),
        ((r["scheme"], r["code"], r["alpha2"], r["name"]) for r in codes),
    )


async def migrate_database(conn: db.Connection) -> list[str]:
    """Apply pending migrations, refresh reference data from the installed packages, and build
    the indexes a bulk load deferred and did not get to build (it was stopped)."""
    applied = await migrate.migrate(conn)
    await conn.execute(queries()["migrations.lock"], migrate.LOCK_KEY)
    try:
        await reference.sync(conn)
    finally:
        await conn.execute(queries()["migrations.unlock"], migrate.LOCK_KEY)
    if await deferred_indexes.pending(conn):
        built = await deferred_indexes.build([conn])
        log.info("built %d deferred indexes", len(built))
    return applied


async def seed_database(conn: db.Connection) -> None:
    await seed.load_world(conn, await load_resolver(conn), seed.read_world())


async def prepare(url: str, settings: Settings, *, load_seed: bool) -> None:
    conn = await db.connect(url, settings)
    try:
        applied = await migrate_database(conn)
        if applied:
            log.info("applied %d migrations", len(applied))
        if load_seed and await conn.fetchval(queries()["setup.is_empty"]):
            await seed_database(conn)
            log.info("loaded the seed world")
    finally:
        await conn.close()
