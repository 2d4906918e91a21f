"""The migration runner on a real, empty database."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import pytest

from service import db, migrate, setup
from service.migrate import Migration, MigrationError
from tests.databases import app_settings


async def _connect(url: str) -> db.Connection:
    return await db.connect(url, app_settings(url))


async def test_empty_database_migrates_then_rerun_changes_nothing(empty_url: str) -> None:
    conn = await _connect(empty_url)
    try:
        files = migrate.discover()
        first = await setup.migrate_database(conn)
        assert first == [f"{m.version:04d}_{m.name}" for m in files]
        assert (await migrate.state(conn)).current
        countries = await conn.fetchval("SELECT count(*) FROM countries")
        assert countries == 249
        assert await conn.fetchval("SELECT count(*) FROM currencies") > 150
        assert await conn.fetchval("SELECT code FROM country_aliases WHERE alias = 'seoul'") == "KR"

        second = await setup.migrate_database(conn)
        assert second == []
        assert await conn.fetchval("SELECT count(*) FROM countries") == countries
        assert await conn.fetchval("SELECT count(*) FROM schema_migrations") == len(files)
    finally:
        await conn.close()


async def test_pending_migrations_are_reported_and_applied_in_order(empty_url: str) -> None:
    conn = await _connect(empty_url)
    try:
        files = migrate.discover()
        await migrate.migrate(conn, files[:2])
        found = await migrate.state(conn, files)
        assert found.applied == [files[0].version, files[1].version]
        assert found.pending == [m.version for m in files[2:]]
        assert not found.current
        assert await migrate.migrate(conn, files) == [f"{m.version:04d}_{m.name}" for m in files[2:]]
    finally:
        await conn.close()


async def test_an_edited_migration_is_refused(empty_url: str) -> None:
    conn = await _connect(empty_url)
    try:
        files = migrate.discover()
        await migrate.migrate(conn, files)
        edited = [*files[:-1], Migration(files[-1].version, files[-1].name, files[-1].sql + "\n-- edited\n")]
        with pytest.raises(MigrationError, match="edited"):
            await migrate.state(conn, edited)
        with pytest.raises(MigrationError, match="edited"):
            await migrate.migrate(conn, edited)
    finally:
        await conn.close()


async def test_a_failing_migration_leaves_nothing_behind(empty_url: str) -> None:
    conn = await _connect(empty_url)
    try:
        files = migrate.discover()
        broken = Migration(9999, "broken", "CREATE TABLE half_done (id int);\nSELECT no_such_function();")
        with pytest.raises(Exception, match="no_such_function"):
            await migrate.migrate(conn, [*files, broken])
        assert await conn.fetchval("SELECT to_regclass('half_done')") is None
        assert (await migrate.state(conn, files)).current
        assert await conn.fetchval("SELECT max(version) FROM schema_migrations") == files[-1].version
    finally:
        await conn.close()


async def test_two_runners_at_once_apply_each_migration_once(empty_url: str) -> None:
    first, second = await _connect(empty_url), await _connect(empty_url)
    try:
        results = await asyncio.gather(migrate.migrate(first), migrate.migrate(second))
        applied = sorted(results[0] + results[1])
        assert applied == [f"{m.version:04d}_{m.name}" for m in migrate.discover()]
    finally:
        await first.close()
        await second.close()


def test_migration_files_are_named_and_numbered_in_sequence() -> None:
    files = migrate.discover()
    assert [m.version for m in files] == list(range(1, len(files) + 1))


def test_a_badly_named_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "0001_ok.sql").write_text("SELECT 1;")
    (tmp_path / "two.sql").write_text("SELECT 2;")
    with pytest.raises(MigrationError, match="NNNN_name"):
        migrate.discover(tmp_path)


async def test_a_migration_may_outlast_the_statement_timeout(empty_url: str) -> None:
    """Rebuilding the indexes of a large database takes longer than a request may: a migration
    runs without the statement timeout, which holds again once it is applied."""
    conn = await db.connect(empty_url, app_settings(empty_url, statement_timeout_ms=200))
    try:
        slow = Migration(1, "slow", "SELECT pg_sleep(0.5); CREATE TABLE slow_done (id int);")
        assert await migrate.migrate(conn, [slow]) == ["0001_slow"]
        assert await conn.fetchval("SELECT to_regclass('slow_done') IS NOT NULL")
        # The server's bound is back, and so is the client's (db.command_timeout: 0.2 s + 1 s).
        assert await conn.fetchval("SELECT current_setting('statement_timeout')") == "200ms"
        assert conn._config.command_timeout == pytest.approx(1.2)  # type: ignore[attr-defined]
        with pytest.raises(asyncpg.QueryCanceledError):
            await conn.execute("SELECT pg_sleep(0.5)")
        broken = Migration(2, "broken", "SELECT pg_sleep(0.3); SELECT 1 / 0;")
        with pytest.raises(asyncpg.DivisionByZeroError):
            await migrate.migrate(conn, [slow, broken])
        assert conn._config.command_timeout == pytest.approx(1.2)  # type: ignore[attr-defined]
    finally:
        await conn.close()
