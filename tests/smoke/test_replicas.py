"""Read replicas: `detente serve` with DATABASE_REPLICA_URLS pointing at real streaming standbys.

A primary and two standbys (pg_basebackup -R) run on loopback from pgserver's PostgreSQL
binaries. With replay paused on a standby, a write made through the API is on the primary but
not on that standby, so whether a read sees the write tells which server answered it.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from service import auth
from tests.smoke.test_serve import _free_port, serve, wait_for

pytestmark = pytest.mark.smoke

SEED_SOURCE = "src-2026-01-07-thestar-scmp-china-south-korea-trade-deals"
RETRY_SECONDS = 1.0
READS = ["/v1/sources", "/v1/events", "/v1/deals", "/v1/pairs/KR/CN", "/v1/changes"]


def _binaries() -> Path:
    pgserver = pytest.importorskip("pgserver")
    bin_dir = Path(pgserver.__file__).parent / "pginstall" / "bin"
    if not all((bin_dir / name).exists() for name in ("initdb", "pg_ctl", "pg_basebackup")):
        pytest.skip(f"no PostgreSQL server binaries in {bin_dir}")
    return bin_dir


def _sql(url: str, statement: str, *args: Any) -> Any:
    async def run() -> Any:
        conn = await asyncpg.connect(url)
        try:
            return await conn.fetchval(statement, *args)
        finally:
            await conn.close()

    return asyncio.run(run())


def _has_source(server: Server, source_id: str) -> bool:
    try:
        found = _sql(server.url, "SELECT count(*) FROM sources WHERE id = $1", source_id)
    except asyncpg.UndefinedTableError:  # the migrations are not replayed yet
        return False
    return bool(found == 1)


@dataclass
class Server:
    data: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def pause_replay(self) -> None:
        _sql(self.url, "SELECT pg_wal_replay_pause()")
        wait_for(lambda: _sql(self.url, "SELECT pg_get_wal_replay_pause_state()") == "paused", 10)

    def resume_replay(self) -> None:
        _sql(self.url, "SELECT pg_wal_replay_resume()")


class Cluster:
    """A primary and two streaming standbys, each in its own data directory on a loopback port."""

    def __init__(self) -> None:
        self.bin = _binaries()
        # PostgreSQL refuses to run as root; pgserver runs it as its own user then, and so do we.
        self.user: str | None = None
        if os.geteuid() == 0:
            from pgserver.utils import (
                ensure_folder_permissions,
                ensure_prefix_permissions,
                ensure_user_exists,
            )

            ensure_user_exists("pgserver")
            self.user = "pgserver"
            # What pgserver does before its own first start: let that user reach and run the binaries.
            readable = stat.S_IRGRP | stat.S_IROTH
            ensure_prefix_permissions(self.bin)
            ensure_folder_permissions(self.bin, readable | stat.S_IXGRP | stat.S_IXOTH)
            ensure_folder_permissions(self.bin.parent / "lib", readable)
        # Not pytest's tmp_path, which is private to the user running the tests.
        self.root = Path(tempfile.mkdtemp(prefix="detente-replicas-"))
        self.root.chmod(0o755)
        if self.user is not None:
            shutil.chown(self.root, self.user)
        self.primary = Server(self.root / "primary", _free_port())
        self.standbys = [Server(self.root / f"standby{n}", _free_port()) for n in (1, 2)]

    def _run(self, program: str, *args: str) -> None:
        subprocess.run(
            [str(self.bin / program), *args], check=True, user=self.user, cwd=self.root, capture_output=True,
            timeout=60,
        )  # fmt: skip

    def start(self, server: Server) -> None:
        self._run("pg_ctl", "-D", str(server.data), "-l", str(server.data / "log"), "-o", f"-p {server.port}",
                  "-w", "start")  # fmt: skip

    def stop(self, server: Server, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(server.data), "-m", mode, "-w", "stop")

    def create(self) -> None:
        self._run("initdb", "-D", str(self.primary.data), "-U", "postgres", "--auth=trust", "--no-sync",
                  "--encoding=UTF8", "--no-locale")  # fmt: skip
        settings = [
            "listen_addresses = '127.0.0.1'",
            "unix_socket_directories = ''",
            "wal_level = replica",
            "max_wal_senders = 4",
            "hot_standby = on",
            # A throwaway cluster: durability only slows the test down.
            "fsync = off",
        ]
        with (self.primary.data / "postgresql.conf").open("a") as conf:
            conf.write("\n".join(settings) + "\n")
        self.start(self.primary)
        for standby in self.standbys:
            # -R writes standby.signal and primary_conninfo: the copy starts as a streaming standby.
            self._run("pg_basebackup", "-h", "127.0.0.1", "-p", str(self.primary.port), "-U", "postgres",
                      "-D", str(standby.data), "-R", "-X", "stream", "-c", "fast", "--no-sync")  # fmt: skip
            self.start(standby)

    def close(self) -> None:
        for server in [*self.standbys, self.primary]:
            if (server.data / "postmaster.pid").exists():
                with contextlib.suppress(subprocess.SubprocessError):
                    self.stop(server, "immediate")
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    c = Cluster()
    try:
        c.create()
        yield c
    finally:
        c.close()


@pytest.fixture(scope="module")
def service(cluster: Cluster) -> Iterator[str]:
    env = {
        "DATABASE_URL": cluster.primary.url,
        "DATABASE_REPLICA_URLS": ",".join(s.url for s in cluster.standbys),
        "REPLICA_RETRY_SECONDS": str(RETRY_SECONDS),
    }
    with serve(env) as (base, _):
        # The standbys have replayed the migrations and the seed world the service wrote on start.
        for standby in cluster.standbys:
            wait_for(partial(_has_source, standby, SEED_SOURCE), 20)
        yield base


@pytest.fixture(scope="module")
def write_key(cluster: Cluster, service: str) -> str:
    async def create() -> str:
        conn = await asyncpg.connect(cluster.primary.url)
        try:
            return await auth.create(conn, "replica-test", "write")
        finally:
            await conn.close()

    return asyncio.run(create())


@contextlib.contextmanager
def _paused(*standbys: Server) -> Iterator[None]:
    for standby in standbys:
        standby.pause_replay()
    try:
        yield
    finally:
        for standby in standbys:
            standby.resume_replay()


def _create_source(base: str, key: str, title: str) -> str:
    created = httpx.post(
        f"{base}/v1/sources",
        json={"title": title, "publisher": "Replica Gazette", "published_on": "2026-02-02"},
        headers={"Authorization": f"Bearer {key}"},
        timeout=10,
    )
    # A standby refuses every write: a 201 means the write went to the primary.
    assert created.status_code == 201, created.text
    source_id: str = created.json()["id"]
    return source_id


def _status(base: str, path: str) -> int:
    return httpx.get(f"{base}{path}", timeout=5).status_code


def _feed_end(base: str) -> str:
    """The cursor after the last change the serving database shows."""
    since = ""
    while True:
        page = httpx.get(f"{base}/v1/changes", params={"since": since, "limit": 200}, timeout=10).json()
        since = str(page["cursor"])
        if not page["more"]:
            return since


def test_the_standbys_stream_from_the_primary(cluster: Cluster) -> None:
    for standby in cluster.standbys:
        assert _sql(standby.url, "SELECT pg_is_in_recovery()") is True
    assert _sql(cluster.primary.url, "SELECT count(*) FROM pg_stat_replication") == len(cluster.standbys)


def test_writes_go_to_the_primary_and_reads_to_the_replicas(
    cluster: Cluster, service: str, write_key: str
) -> None:
    since = _feed_end(service)
    with _paused(*cluster.standbys):
        source_id = _create_source(service, write_key, "Written while the standbys wait")
        assert _has_source(cluster.primary, source_id)
        # Every read is answered by a standby, and neither has replayed the write yet.
        for _ in range(4):
            assert _status(service, f"/v1/sources/{source_id}") == 404
            assert httpx.head(f"{service}/v1/sources/{source_id}", timeout=5).status_code == 404
        listed = httpx.get(f"{service}/v1/sources", params={"limit": 200}, timeout=5).json()["items"]
        assert source_id not in {s["id"] for s in listed}
        assert httpx.get(f"{service}/v1/changes", params={"since": since}, timeout=5).json()["items"] == []
    wait_for(lambda: _status(service, f"/v1/sources/{source_id}") == 200, 10)
    # The change feed, read from a standby, has the write once replayed.
    changes = httpx.get(f"{service}/v1/changes", params={"since": since}, timeout=5).json()["items"]
    assert [(c["collection"], c["id"]) for c in changes] == [("sources", source_id)]


def test_reads_take_the_replicas_in_turn(cluster: Cluster, service: str, write_key: str) -> None:
    with _paused(cluster.standbys[0]):
        source_id = _create_source(service, write_key, "Written while one standby waits")
        # The other standby replays it at once.
        wait_for(lambda: _has_source(cluster.standbys[1], source_id), 10)
        seen = [_status(service, f"/v1/sources/{source_id}") for _ in range(6)]
    # Round robin: one read from the paused standby (404), the next from the other (200), and so on.
    assert sorted(seen) == [200, 200, 200, 404, 404, 404], seen
    assert all(a != b for a, b in itertools.pairwise(seen)), seen


def test_reads_fall_back_to_the_primary_while_the_replicas_are_down(
    cluster: Cluster, service: str, write_key: str
) -> None:
    for standby in cluster.standbys:
        cluster.stop(standby)
    try:
        source_id = _create_source(service, write_key, "Written while the standbys are down")
        # The primary answers every read, the first ones included: no 500, no 503.
        for path in [f"/v1/sources/{source_id}", *READS]:
            response = httpx.get(f"{service}{path}", timeout=10)
            assert response.status_code == 200, (path, response.text)
        streamed = httpx.get(f"{service}/v1/events", headers={"Accept": "application/x-ndjson"}, timeout=10)
        assert streamed.status_code == 200, streamed.text
    finally:
        for standby in cluster.standbys:
            cluster.start(standby)
    # Back up, they catch up, and once left out long enough they are read from again: paused, they
    # lack a new write, and reads say so.
    wait_for(lambda: _status(service, f"/v1/sources/{source_id}") == 200, 20)
    for standby in cluster.standbys:
        wait_for(partial(_has_source, standby, source_id), 20)
    with _paused(*cluster.standbys):
        later = _create_source(service, write_key, "Written after the standbys came back")
        wait_for(lambda: _status(service, f"/v1/sources/{later}") == 404, RETRY_SECONDS + 5)
