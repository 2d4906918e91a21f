"""Forward-only SQL migrations: ordered files, one transaction each, checksums, one runner at a time."""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path

import msgspec

from service.db import Connection
from service.settings import PROJECT_ROOT
from service.sql import queries

log = logging.getLogger(__name__)

MIGRATION_DIR = PROJECT_ROOT / "sql" / "migrations"
_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
# Held for the whole run so that two processes starting together migrate once.
LOCK_KEY = 0x64E7E47E


class MigrationError(RuntimeError):
    """The migration files and the database disagree."""


class Migration(msgspec.Struct, frozen=True):
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


class MigrationState(msgspec.Struct, frozen=True):
    applied: list[int]
    pending: list[int]

    @property
    def current(self) -> bool:
        return not self.pending


def discover(directory: Path = MIGRATION_DIR) -> list[Migration]:
    migrations: list[Migration] = []
    for path in sorted(directory.glob("*.sql")):
        match = _FILE.match(path.name)
        if not match:
            raise MigrationError(f"{path.name}: migration files are named NNNN_name.sql")
        migrations.append(Migration(int(match[1]), match[2], path.read_text(encoding="utf-8")))
    versions = [m.version for m in migrations]
    if len(set(versions)) != len(versions):
        raise MigrationError("two migration files share a version number")
    return migrations


async def _applied(conn: Connection) -> dict[int, str]:
    exists = await conn.fetchval(queries()["migrations.table_exists"])
    if not exists:
        return {}
    rows = await conn.fetch(queries()["migrations.applied"])
    return {r["version"]: r["checksum"] for r in rows}


def _check(migrations: list[Migration], applied: dict[int, str]) -> None:
    known = {m.version: m for m in migrations}
    for version, checksum in applied.items():
        migration = known.get(version)
        if migration is None:
            raise MigrationError(f"the database has migration {version:04d}, which no file defines")
        if migration.checksum != checksum:
            raise MigrationError(
                f"migration {version:04d}_{migration.name} was edited after it was applied; "
                "add a new migration instead"
            )


async def state(conn: Connection, migrations: list[Migration] | None = None) -> MigrationState:
    """Which migrations the database has; raises if an applied one was edited."""
    migrations = discover() if migrations is None else migrations
    applied = await _applied(conn)
    _check(migrations, applied)
    return MigrationState(
        applied=sorted(applied), pending=[m.version for m in migrations if m.version not in applied]
    )


async def migrate(conn: Connection, migrations: list[Migration] | None = None) -> list[str]:
    """Apply every pending migration in order; returns the names applied."""
    migrations = discover() if migrations is None else migrations
    done: list[str] = []
    q = queries()
    await conn.execute(q["migrations.lock"], LOCK_KEY)
    try:
        await conn.execute(q["migrations.bookkeeping"])
        applied = await _applied(conn)
        _check(migrations, applied)
        for migration in migrations:
            if migration.version in applied:
                continue
            try:
                async with conn.transaction():
                    await conn.execute(q["migrations.unbounded"])
                    await conn.execute(migration.sql)
                    await conn.execute(
                        q["migrations.record"],
                        migration.version,
                        migration.name,
                        migration.checksum,
                    )
            finally:
                await conn.execute(q["maintenance.statement_timeout"])
            label = f"{migration.version:04d}_{migration.name}"
            log.info("applied migration %s", label)
            done.append(label)
    finally:
        await conn.execute(q["migrations.unlock"], LOCK_KEY)
    return done
