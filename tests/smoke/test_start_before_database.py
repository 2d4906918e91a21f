"""A service started before its database answers what it can, then heals by itself."""

from __future__ import annotations

import subprocess
import time
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from tests.databases import Databases, with_database
from tests.smoke.forwarder import Forwarder
from tests.smoke.test_serve import _free_port, serve, wait_for

pytestmark = pytest.mark.smoke


def _while_down(base: str, process: subprocess.Popen[bytes]) -> None:
    assert httpx.get(f"{base}/health", timeout=3).status_code == 200
    assert httpx.get(f"{base}/ready", timeout=3).status_code == 503
    down = httpx.get(f"{base}/v1/events", timeout=5)
    assert down.status_code == 503
    assert down.headers["content-type"] == "application/problem+json"
    assert "retry-after" in down.headers
    time.sleep(1.0)
    assert process.poll() is None, "the service must keep running, not crash-loop"


def _after_up(base: str) -> float:
    came_up = time.monotonic()
    wait_for(lambda: httpx.get(f"{base}/ready", timeout=2).status_code == 200, 10)
    ready_after = time.monotonic() - came_up
    pair = httpx.get(f"{base}/v1/pairs/Seoul/Beijing", timeout=5)
    assert pair.status_code == 200
    assert pair.json()["relationship"]["trend"] == "improving"
    return ready_after


async def test_service_started_before_the_database_heals_when_it_comes_up(databases: Databases) -> None:
    name = await databases.create("late")
    port = _free_port()
    # The service is pointed at a port where nothing listens yet: its database is "down".
    path = urlsplit(with_database(databases.url, name)).path
    late_url = urlunsplit(("postgresql", f"postgres@127.0.0.1:{port}", path, "", ""))
    with serve({"DATABASE_URL": late_url}, until="/health") as (base, process):
        _while_down(base, process)
        forwarder = Forwarder(port, databases.url)
        try:
            # Ready once it has migrated and loaded the seed world; its retries wait at most 2 s.
            assert _after_up(base) < 10
        finally:
            forwarder.close()
