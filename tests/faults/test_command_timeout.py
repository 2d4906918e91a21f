"""The client-side query bound follows the server's statement_timeout: bulk paths that lift the
statement timeout for their transaction (POST /v1/import) are not cut by it."""

from __future__ import annotations

import time

import asyncpg
import pytest

from service import db
from tests.databases import app_settings
from tests.faults.conftest import Target
from tests.faults.harness import run


def test_lifting_the_statement_timeout_lifts_the_client_bound_until_release(target: Target) -> None:
    async def check() -> dict[str, float | None]:
        settings = app_settings(target.direct_url, statement_timeout_ms=200)
        pool = await db.create_pool(target.direct_url, settings)
        seen: dict[str, float | None] = {}
        try:
            async with pool.acquire() as conn:
                seen["pool"] = conn._con._config.command_timeout  # type: ignore[attr-defined]
                async with conn.transaction():
                    # What importer.apply(..., statement_timeout_ms=0) runs first.
                    await conn.execute("SELECT set_config('statement_timeout', $1, true)", "0")
                    seen["lifted"] = conn._con._config.command_timeout  # type: ignore[attr-defined]
                    started = time.monotonic()
                    await conn.execute("SELECT pg_sleep(1.5)")  # past the pool's 1.2 s bound
                    seen["slept"] = time.monotonic() - started
            async with pool.acquire() as conn:
                seen["after_release"] = conn._con._config.command_timeout  # type: ignore[attr-defined]
                with pytest.raises(asyncpg.QueryCanceledError):
                    await conn.execute("SELECT pg_sleep(1.5)")
        finally:
            await pool.close()
        return seen

    seen = run(check())
    print(f"\n[command-timeout] {seen}")
    assert seen["pool"] == pytest.approx(0.2 + db.COMMAND_TIMEOUT_MARGIN_SECONDS)
    assert seen["lifted"] is None
    assert seen["slept"] is not None
    assert seen["slept"] >= 1.5
    assert seen["after_release"] == seen["pool"]
