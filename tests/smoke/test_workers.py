"""`detente serve --workers N`: N processes on one port, each with its own pool, sharing only the database."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg
import httpx
import psutil  # type: ignore[import-untyped]
import pytest

from tests.databases import Databases, with_database
from tests.smoke.test_serve import GRACEFUL, serve, wait_for

pytestmark = pytest.mark.smoke
WORKERS = 2
# Each worker's pool holds exactly this many connections once started and idle.
POOL_SIZE = 2


def _workers(process: subprocess.Popen[bytes]) -> list[psutil.Process]:
    """The live worker processes uvicorn's supervisor started (multiprocessing children running the app)."""
    found = []
    for child in psutil.Process(process.pid).children():
        try:
            if any("spawn_main" in part for part in child.cmdline()):
                found.append(child)
        except psutil.Error:  # a worker that died and is not reaped yet
            continue
    return found


async def _every_worker_connected(url: str, seconds: float = 30) -> None:
    """Wait until the service holds POOL_SIZE sessions per worker: each lifespan has opened its pool."""
    conn = await asyncpg.connect(url)
    try:
        deadline = time.monotonic() + seconds
        while True:
            sessions = await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND application_name = 'detente'"
            )
            if sessions == WORKERS * POOL_SIZE:
                return
            assert time.monotonic() < deadline, f"{sessions} sessions, expected {WORKERS * POOL_SIZE}"
            await asyncio.sleep(0.2)
    finally:
        await conn.close()


def _replaced(process: subprocess.Popen[bytes], dead: int) -> bool:
    pids = {w.pid for w in _workers(process)}
    return len(pids) == WORKERS and dead not in pids


@contextmanager
def _only(worker: psutil.Process, others: list[psutil.Process]) -> Iterator[None]:
    """Freeze every other worker, so the one left is the only process accepting connections."""
    for other in others:
        other.suspend()
    try:
        yield
    finally:
        for other in others:
            other.resume()


def _answers(base: str) -> None:
    # A new connection per request: a kept-alive one would stay with the worker that accepted it.
    pair = httpx.get(f"{base}/v1/pairs/Seoul/Beijing", timeout=10)
    assert pair.status_code == 200
    assert pair.json()["pair"] == "CN-KR"
    assert httpx.get(f"{base}/ready", timeout=10).status_code == 200


async def test_every_worker_serves_on_its_own(databases: Databases) -> None:
    # An empty database: the workers start together, and migrate and seed it without clashing.
    url = with_database(databases.url, await databases.create("workers"))
    env = {"DATABASE_URL": url, "POOL_MIN_SIZE": str(POOL_SIZE), "POOL_MAX_SIZE": str(POOL_SIZE)}
    with serve(env, args=["--workers", str(WORKERS)]) as (base, process):
        workers = _workers(process)
        assert len(workers) == WORKERS
        await _every_worker_connected(url)
        for worker in workers:
            with _only(worker, [w for w in workers if w is not worker]):
                for _ in range(3):
                    _answers(base)

        # One worker dies: the other keeps answering and the supervisor starts a new one.
        workers[0].kill()
        _answers(base)
        wait_for(lambda: _replaced(process, workers[0].pid), 30)
        await _every_worker_connected(url)
        _answers(base)

        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) in GRACEFUL


def test_workers_must_be_a_positive_count() -> None:
    from service.cli import parser

    with pytest.raises(SystemExit):
        parser().parse_args(["serve", "--workers", "0"])
    assert parser().parse_args(["serve", "--workers", "3"]).workers == 3
