"""Fault-injection tools: a private PostgreSQL to stop and start, a TCP proxy that can blackhole,
and a bounded load generator. Loopback only; every loop is bounded in count and in time."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import asyncpg
import httpx

from service import auth
from tests.databases import Databases, with_database
from tests.smoke.forwarder import _target
from tests.smoke.test_serve import _free_port


def run(coro: Any) -> Any:
    """Run one coroutine from a synchronous test (the service under test is another process)."""
    return asyncio.run(coro)


class PrivatePostgres:
    """A PostgreSQL 16 of our own (pgserver's binaries) in a temporary directory, on a Unix socket.

    The machine's shared server is never touched: this one can be stopped hard and started again.
    """

    def __init__(self) -> None:
        import pgserver
        from pgserver import _commands

        # Not pytest's tmp_path: when run as root, pgserver runs postgres as the user 'pgserver'.
        self.root = Path(tempfile.mkdtemp(prefix="detente-faults-"))
        self.pgdata = self.root / "pgdata"
        self._server = pgserver.get_server(self.pgdata, cleanup_mode="stop")  # type: ignore[attr-defined]
        self._pg_ctl = _commands.pg_ctl  # type: ignore[attr-defined]
        self.url: str = self._server.get_uri()
        self.socket_dir = parse_qs(urlsplit(self.url).query)["host"][0]

    def _ctl(self, *args: str, timeout: float = 30) -> None:
        self._pg_ctl(list(args), pgdata=self.pgdata, user=self._server.system_user, timeout=timeout)

    def stop(self, mode: str = "fast") -> None:
        self._ctl("-w", "-m", mode, "stop")

    def start(self) -> None:
        """Start again as pgserver did: no TCP listener, the same socket directory."""
        self._ctl("-w", "-o", '-h ""', "-o", f"-k {self.socket_dir}", "-l", str(self.pgdata / "log"), "start")

    def running(self) -> bool:
        return (self.pgdata / "postmaster.pid").exists()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            if self.running():
                self.stop("fast")
        # pgserver's own cleanup would stop the postmaster it started, which a restart replaced.
        atexit.unregister(self._server._cleanup)
        shutil.rmtree(self.root, ignore_errors=True)

    def database_url(self, name: str) -> str:
        return with_database(self.url, name)


def via(port: int, name: str) -> str:
    """The URL the service uses: TCP to the proxy on loopback."""
    return f"postgresql://postgres@127.0.0.1:{port}/{name}"


class Proxy:
    """A TCP proxy on 127.0.0.1 in front of a PostgreSQL server (TCP or Unix socket).

    `blackhole()` makes it keep accepting and reading, but never forward or answer anything, on
    open connections and on new ones: the network path that swallows packets. A refused upstream
    closes the client's connection at once, as a down server would.
    """

    def __init__(self, server_url: str) -> None:
        self.family, self.address = _target(server_url)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.listener.getsockname()[1]
        self.black = threading.Event()
        self.stopped = threading.Event()
        self.to_server = 0  # bytes forwarded client -> server, for tests that act mid-request
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def blackhole(self) -> None:
        self.black.set()

    def heal(self) -> None:
        self.black.clear()

    def _keep(self, s: socket.socket) -> None:
        with self._lock:
            self._sockets.append(s)

    def _accept(self) -> None:
        self.listener.settimeout(0.2)
        while not self.stopped.is_set():
            try:
                client, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._keep(client)
            if self.black.is_set():
                threading.Thread(target=self._swallow, args=(client,), daemon=True).start()
                continue
            upstream = socket.socket(self.family, socket.SOCK_STREAM)
            try:
                upstream.settimeout(2)
                upstream.connect(self.address)
                upstream.settimeout(None)
            except OSError:
                upstream.close()
                self._close(client)
                continue
            self._keep(upstream)
            threading.Thread(target=self._pipe, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, False), daemon=True).start()

    def _swallow(self, client: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while client.recv(65536):
                pass

    def _pipe(self, source: socket.socket, sink: socket.socket, outbound: bool) -> None:
        try:
            while chunk := source.recv(65536):
                if self.black.is_set():
                    continue  # read, never forwarded
                if outbound:
                    self.to_server += len(chunk)
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            self._close(source, sink)

    @staticmethod
    def _close(*sockets: socket.socket) -> None:
        for s in sockets:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                s.close()

    def close(self) -> None:
        self.stopped.set()
        self.listener.close()
        with self._lock:
            self._close(*self._sockets)


@dataclass
class Answer:
    kind: str
    started: float
    ended: float
    status: int  # 0 when the client itself gave up (a hang) or the connection failed
    content_type: str = ""
    location: str | None = None
    error: str | None = None


@dataclass
class Load:
    """Client threads sending requests until stopped; each bounded by count and by time."""

    base: str
    write_key: str | None = None
    readers: int = 4
    writers: int = 0
    max_requests: int = 3000  # per thread
    max_seconds: float = 60.0
    pause: float = 0.005
    timeout: float = 15.0
    answers: list[Answer] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self.run_id = uuid.uuid4().hex[:8]

    def _one(self, http: httpx.Client, kind: str, n: int) -> Answer:
        started = time.monotonic()
        try:
            if kind == "read":
                r = http.get("/v1/events", params={"pair": "CN,KR", "limit": 5})
            else:
                body = {
                    "title": f"fault {self.run_id} {n} {threading.get_ident()}",
                    "publisher": "Fault Daily",
                    "published_on": "2026-02-02",
                }
                r = http.post("/v1/sources", json=body, headers=auth_header(self.write_key))
        except httpx.HTTPError as exc:
            return Answer(kind, started, time.monotonic(), 0, error=type(exc).__name__)
        return Answer(
            kind,
            started,
            time.monotonic(),
            r.status_code,
            r.headers.get("content-type", ""),
            r.headers.get("location") if r.status_code == 201 else None,
        )

    def _loop(self, kind: str) -> None:
        deadline = time.monotonic() + self.max_seconds
        with httpx.Client(base_url=self.base, timeout=self.timeout) as http:
            for n in range(self.max_requests):
                if self._stop.is_set() or time.monotonic() > deadline:
                    return
                answer = self._one(http, kind, n)
                with self._lock:
                    self.answers.append(answer)
                time.sleep(self.pause)

    def __enter__(self) -> Load:
        for kind, count in (("read", self.readers), ("write", self.writers)):
            for _ in range(count):
                t = threading.Thread(target=self._loop, args=(kind,), daemon=True)
                t.start()
                self._threads.append(t)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(timeout=self.timeout + 5)
        assert not any(t.is_alive() for t in self._threads), "a client thread hung"

    def statuses(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for a in self.answers:
            counts[a.status] = counts.get(a.status, 0) + 1
        return dict(sorted(counts.items()))

    def first_success_after(self, moment: float) -> float | None:
        """Seconds from `moment` to the end of the first 2xx answer to a request sent after it."""
        ends = [a.ended for a in self.answers if a.started >= moment and 200 <= a.status < 300]
        return min(ends) - moment if ends else None


def auth_header(secret: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"} if secret else {}


async def create_key(url: str, name: str = "faults") -> str:
    conn = await asyncpg.connect(url)
    try:
        return await auth.create(conn, name, "write")
    finally:
        await conn.close()


async def fetchval(url: str, query: str, *args: Any) -> Any:
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetchval(query, *args)
    finally:
        await conn.close()


def new_database(pg: PrivatePostgres, template: str, suffix: str) -> str:
    name: str = run(Databases(pg.url).create(suffix, template=template))
    return name


def wait_until(check: Callable[[], bool], seconds: float, every: float = 0.02) -> float:
    """Poll `check` (transport errors count as not yet); the seconds it took."""
    start = time.monotonic()
    for _ in range(int(seconds / every) + 1):
        with contextlib.suppress(httpx.TransportError):
            if check():
                return time.monotonic() - start
        time.sleep(every)
    raise AssertionError(f"gave up after {seconds} s")


@contextlib.contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    pg = PrivatePostgres()
    try:
        yield pg
    finally:
        pg.close()


START_TIMEOUT = 60.0
# The load here is the test's own, from one address: the per-client rate limits stay out of it.
UNLIMITED = {"RATE_LIMIT_READS": "1000000", "RATE_LIMIT_WRITES": "1000000"}


@contextlib.contextmanager
def serve(env: dict[str, str]) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`detente serve` until the block ends, its log in a file (a fault logs a line per request,
    more than a pipe nobody reads can hold); entered once /ready answers 200."""
    port = _free_port()
    detente = Path(sys.executable).with_name("detente")
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [str(detente), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env={**os.environ, **UNLIMITED, "LOG_LEVEL": "WARNING", **env},
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until(lambda: httpx.get(f"{base}/ready", timeout=2).status_code == 200, START_TIMEOUT, 0.1)
            yield base, process
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            log.seek(0)
            errors = [
                line for line in log.read().decode(errors="replace").splitlines() if "unhandled" in line
            ]
            assert not errors, "the service logged unhandled errors:\n" + "\n".join(errors[:5])
