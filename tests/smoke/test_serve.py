"""The real `detente serve` process: starts on a database (or its own embedded one), answers, stops."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.databases import Databases, with_database

pytestmark = pytest.mark.smoke
START_TIMEOUT = 60.0
# uvicorn shuts down cleanly on SIGTERM, then re-raises the signal so the exit status tells it.
GRACEFUL = {0, -signal.SIGTERM}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_for(check: Callable[[], bool], seconds: float) -> None:
    """Poll `check` until it holds; connection errors count as not yet."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if check():
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.1)


@contextmanager
def serve(
    env: dict[str, str], until: str = "/ready", args: Sequence[str] = ()
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Run `detente serve` (with `args`) until the block ends; enter once `until` answers 200."""
    port = _free_port()
    detente = Path(sys.executable).with_name("detente")
    process = subprocess.Popen(
        [str(detente), "serve", "--host", "127.0.0.1", "--port", str(port), *args],
        # A test's requests all come from one address: the per-client rate limits stay out of it.
        env={**os.environ, "RATE_LIMIT_READS": "0", "RATE_LIMIT_WRITES": "0", **env, "LOG_LEVEL": "WARNING"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            try:
                if httpx.get(f"{base}{until}", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the service did not become ready"
            time.sleep(0.2)
        yield base, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _check_the_seed_world(base: str) -> None:
    with httpx.Client(base_url=base, timeout=10) as http:
        assert http.get("/health").json() == {"status": "ok"}
        pair = http.get("/v1/pairs/Seoul/Beijing").json()
        assert pair["pair"] == "CN-KR"
        assert pair["relationship"]["trend"] == "improving"
        assert {d["kind"] for d in pair["latest_deals"]} >= {"export_contract", "mou"}
        frozen = http.get("/v1/relationships/Tokyo/Beijing", params={"as_of": "2026-01-07"}).json()
        assert (frozen["current"]["status"], frozen["current"]["trend"]) == ("frozen", "deteriorating")
        ban = http.get(
            "/v1/events", params={"initiator": "China", "target": "Japan", "type": "export_control"}
        )
        assert [e["id"] for e in ban.json()["items"]] == [
            "ev-2026-01-06-cn-dual-use-export-ban-japan-military"
        ]
        for path in ["/v1/countries", "/v1/events", "/v1/deals", "/v1/relationships", "/v1/pairs",
                     "/v1/actors", "/v1/sources", "/openapi.json", "/openapi.yaml", "/docs"]:  # fmt: skip
            assert http.get(path).status_code == 200, path
        missing = http.get("/v1/events/nope")
        assert missing.status_code == 404
        assert missing.headers["content-type"] == "application/problem+json"


async def test_serve_migrates_seeds_and_answers(databases: Databases) -> None:
    name = await databases.create("smoke")
    url = with_database(databases.url, name)
    with serve({"DATABASE_URL": url}) as (base, process):
        _check_the_seed_world(base)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) in GRACEFUL


@pytest.fixture
def data_dir() -> Iterator[Path]:
    # Not pytest's tmp_path: the embedded server runs as another user, and pytest keeps its own
    # temporary root private (0700), re-tightening it whenever another session starts.
    root = Path(tempfile.mkdtemp(prefix="detente-smoke-"))
    yield root / "pgdata"
    shutil.rmtree(root, ignore_errors=True)


def test_serve_without_database_url_runs_an_embedded_postgres(data_dir: Path) -> None:
    env = {"DATABASE_URL": "", "EMBEDDED_DATA_DIR": str(data_dir)}
    with serve(env) as (base, process):
        _check_the_seed_world(base)
        assert (data_dir / "PG_VERSION").exists()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) in GRACEFUL
    assert not (data_dir / "postmaster.pid").exists(), "the embedded PostgreSQL was left running"
    # The data stays for the next run, which starts from it without seeding again.
    with serve(env) as (base, _):
        assert httpx.get(f"{base}/v1/sources", timeout=5).json()["items"]
