"""Load runner: the service against the floor (bench/floor.py), alternately, over the same database.

    python -m bench.load [--duration 10] [--rounds 3] [--connections 32] [--profile DIR]

Builds or reuses the 10k and 1m bench databases (bench/world.py), starts the service (`detente
serve`, rate limits off, access log off) and the floor on the 1m database and a second service on
the 10k one, then runs wrk against them in rounds: for each endpoint the service, then the floor
(A B A B ...). Prints req/s, p50 and p99 (median over rounds), the ratio service/floor, and the
resident memory of the service process after the run. `make bench` runs it.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import platform
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import asyncpg
import msgspec
import uvicorn

from bench import floor, world
from service.settings import PROJECT_ROOT

LUA = Path(__file__).with_name("paths.lua")
PAIRS = 20  # first pages are spread over the busiest pairs
DEEP_PAIRS = 3  # deep pages: the busiest pairs, 90% of the way down
IDS = 2_000
_BENCH_LINE = re.compile(r"BENCH (.*)")


@dataclass
class Endpoint:
    name: str
    service: list[str]
    floor: list[str] | None = None
    small: list[str] | None = None  # the same request on the 10k database


@dataclass
class Run:
    rps: float
    p50_ms: float
    p99_ms: float


@dataclass
class Results:
    runs: dict[tuple[str, str], list[Run]] = field(default_factory=dict)

    def add(self, endpoint: str, app: str, run: Run) -> None:
        self.runs.setdefault((endpoint, app), []).append(run)

    def median(self, endpoint: str, app: str) -> Run | None:
        runs = self.runs.get((endpoint, app))
        if not runs:
            return None
        return Run(*(statistics.median(getattr(r, f) for r in runs) for f in ("rps", "p50_ms", "p99_ms")))


# --- what to ask for ---------------------------------------------------------------------------


async def _busiest(conn: asyncpg.Connection, column: str, n: int) -> list[tuple[str, str, int]]:
    sql = (
        f"SELECT country_a, country_b, {column} AS n FROM pair_activity ORDER BY {column} DESC, pair LIMIT $1"
    )
    rows = await conn.fetch(sql, n)
    return [(r["country_a"], r["country_b"], r["n"]) for r in rows]


def _get_json(url: str) -> dict[str, object]:
    with urllib.request.urlopen(url, timeout=60) as response:
        return msgspec.json.decode(response.read(), type=dict[str, object])


def _deep_cursors(base: str, collection: str, date_field: str, pair: tuple[str, str, int]) -> tuple[str, str]:
    """Walk the service's next links 90% of the way into a pair; the cursor for there in both apps."""
    a, b, n = pair
    step = 200 if n >= 2_000 else max(1, n // 10)
    url = f"{base}/v1/{collection}?pair={a},{b}&limit={step}"
    walked = 0
    last: dict[str, object] = {}
    while walked < n * 0.9:
        page = _get_json(url)
        items = page["items"]
        if not isinstance(items, list) or not isinstance(page["next"], str):
            break
        walked += len(items)
        last = items[-1]
        url = page["next"]
    if not last:
        raise RuntimeError(f"{a}-{b} has too few {collection} for a deep page")
    service_cursor = url.split("cursor=")[1].split("&")[0]
    floor_cursor = floor.encode_cursor((str(last[date_field]), str(last["id"])))
    return service_cursor, floor_cursor


async def endpoints(url_1m: str, url_10k: str, service: str, seed: int) -> list[Endpoint]:
    conn = await asyncpg.connect(url_1m)
    small = await asyncpg.connect(url_10k)
    try:
        deal_pairs = await _busiest(conn, "deal_count", PAIRS)
        event_pairs = await _busiest(conn, "event_count", PAIRS)
        small_deals = await _busiest(small, "deal_count", PAIRS)
        small_events = await _busiest(small, "event_count", PAIRS)
        count = await conn.fetchval("SELECT count(*) FROM events")
    finally:
        await conn.close()
        await small.close()
    rng = random.Random(seed)
    event_ids = [f"ev-gen-{rng.randrange(count):08d}" for _ in range(IDS)]
    found: list[Endpoint] = []
    for collection, date_field, pairs, small_pairs in (
        ("deals", "signed_on", deal_pairs, small_deals),
        ("events", "start_date", event_pairs, small_events),
    ):
        found.append(
            Endpoint(
                f"{collection}?pair= first page",
                [f"/v1/{collection}?pair={a},{b}" for a, b, _ in pairs],
                [f"/v1/{collection}?pair={a}-{b}" for a, b, _ in pairs],
                [f"/v1/{collection}?pair={a},{b}" for a, b, _ in small_pairs],
            )
        )
        deep_service, deep_floor = [], []
        for a, b, n in pairs[:DEEP_PAIRS]:
            s, f = _deep_cursors(service, collection, date_field, (a, b, n))
            deep_service.append(f"/v1/{collection}?pair={a},{b}&cursor={s}")
            deep_floor.append(f"/v1/{collection}?pair={a}-{b}&cursor={quote(f)}")
        sizes = ", ".join(f"{a}-{b} {n}" for a, b, n in pairs[:DEEP_PAIRS])
        print(f"deep {collection} pages at 90% of: {sizes} rows", file=sys.stderr)
        busiest = [f"/v1/{collection}?pair={a},{b}" for a, b, _ in pairs[:DEEP_PAIRS]]
        found.append(Endpoint(f"{collection}?pair= first page, busiest", busiest))
        found.append(Endpoint(f"{collection}?pair= deep page", deep_service, deep_floor))
    by_id = [f"/v1/events/{i}" for i in event_ids]
    found.append(Endpoint("events/{id}", by_id, by_id))
    found.append(Endpoint("pairs/{a}/{b}", [f"/v1/pairs/{a}/{b}" for a, b, _ in event_pairs]))
    return found


# --- processes ---------------------------------------------------------------------------------


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(
    command: list[str], env: dict[str, str], port: int, probe: str
) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(command, env={**os.environ, **env})
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{probe}", timeout=5):
                    break
            except urllib.error.HTTPError as exc:
                if exc.code != 503:  # an answer, only "not ready yet" means wait
                    break
                time.sleep(0.3)
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{command[0]} did not start") from None
                time.sleep(0.3)
        yield process
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def service_command(port: int) -> list[str]:
    return [sys.executable, "-m", "service.cli", "serve", "--port", str(port)]


def service_env(url: str) -> dict[str, str]:
    return {
        "DATABASE_URL": url,
        "RATE_LIMIT_READS": "0",
        "RATE_LIMIT_WRITES": "0",
        "LOG_LEVEL": "WARNING",  # no access log: the floor writes none either
        "SEED_ON_START": "false",
        "MIGRATE_ON_START": "false",  # world.ensure has migrated it
    }


def floor_command(port: int) -> list[str]:
    return [sys.executable, "-m", "uvicorn", "bench.floor:create_app", "--factory", "--port", str(port),
            "--log-level", "warning", "--no-access-log"]  # fmt: skip


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


# --- wrk ---------------------------------------------------------------------------------------


def wrk(port: int, paths: list[str], duration: int, connections: int, tmp: Path) -> Run:
    listing = tmp / "paths.txt"
    listing.write_text("\n".join(paths) + "\n")
    command = ["wrk", "-t1", f"-c{connections}", f"-d{duration:g}s", "--timeout", "10s",
               "-s", str(LUA), f"http://127.0.0.1:{port}"]  # fmt: skip
    out = subprocess.run(command, env={**os.environ, "BENCH_PATHS": str(listing)},
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    found = _BENCH_LINE.search(out)
    if found is None:
        raise RuntimeError(f"wrk printed no summary:\n{out}")
    f = {k: int(v) for k, v in (item.split("=") for item in found[1].split())}
    if f["non2xx"] or f["errors"]:
        raise RuntimeError(f"{f['non2xx']} non-2xx answers and {f['errors']} socket errors on {paths[0]}")
    return Run(f["requests"] / (f["duration_us"] / 1e6), f["p50_us"] / 1000, f["p99_us"] / 1000)


def check_same(service: int, floor_port: int, endpoint: Endpoint) -> None:
    """The floor must answer with the same items as the service, or the comparison means nothing."""
    assert endpoint.floor is not None
    for s_path, f_path in list(zip(endpoint.service, endpoint.floor, strict=True))[:3]:
        s = _get_json(f"http://127.0.0.1:{service}{s_path}")
        f = _get_json(f"http://127.0.0.1:{floor_port}{f_path}")
        if "items" in s:
            s_ids = [i["id"] for i in s["items"]]  # type: ignore[attr-defined]
            f_ids = [i["id"] for i in f["items"]]  # type: ignore[attr-defined]
            assert s_ids, (endpoint.name, s_path)
            assert s_ids == f_ids, (endpoint.name, s_path)
        else:
            assert s == f or s["id"] == f["id"], (endpoint.name, s_path)


async def _server_version(url: str) -> str:
    conn = await asyncpg.connect(url)
    try:
        return str(await conn.fetchval("SHOW server_version"))
    finally:
        await conn.close()


def machine(url: str) -> str:
    """CPUs, CPU model, kernel, PostgreSQL and the ASGI server's parts, for the record."""
    version = asyncio.run(_server_version(url))
    model = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        "unknown CPU",
    )  # fmt: skip
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    return (
        f"machine: {os.cpu_count()} CPUs ({model}), {platform.system()} {platform.release()}; "
        f"PostgreSQL {version} on the same host; uvicorn {uvicorn.__version__} with {loop} and {http}"
    )


# --- report ------------------------------------------------------------------------------------


def report(results: Results, eps: list[Endpoint], rss: float, args: argparse.Namespace) -> None:
    print(f"\n{args.connections} connections, {args.duration:g} s per run, median of {args.rounds} rounds\n")
    print("| endpoint | service req/s | p50 ms | p99 ms | floor req/s | p50 ms | p99 ms | service/floor |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for ep in eps:
        s = results.median(ep.name, "service")
        f = results.median(ep.name, "floor")
        assert s is not None
        floor_cells = "- | - | - | -"
        if f is not None:
            floor_cells = f"{f.rps:,.0f} | {f.p50_ms:.1f} | {f.p99_ms:.1f} | {s.rps / f.rps:.2f}"
        print(f"| {ep.name} | {s.rps:,.0f} | {s.p50_ms:.1f} | {s.p99_ms:.1f} | {floor_cells} |")
    print("\nsame pair lists on the 10k-event database (service):\n")
    print("| endpoint | 10k req/s | 10k p50 ms | 1m p50 ms | 1m/10k p50 |")
    print("|---|---:|---:|---:|---:|")
    for ep in eps:
        small = results.median(ep.name, "service-10k")
        if small is None:
            continue
        big = results.median(ep.name, "service")
        assert big is not None
        ratio = big.p50_ms / small.p50_ms
        print(f"| {ep.name} | {small.rps:,.0f} | {small.p50_ms:.1f} | {big.p50_ms:.1f} | {ratio:.2f} |")
    for collection in ("deals", "events"):
        first = results.median(f"{collection}?pair= first page, busiest", "service")
        deep = results.median(f"{collection}?pair= deep page", "service")
        if first and deep:
            ratio = deep.p50_ms / first.p50_ms
            print(
                f"\n{collection}, {DEEP_PAIRS} busiest pairs: deep page p50 / first page p50 = {ratio:.2f}",
                end="",
            )
    print(f"\n\nservice resident memory after the run: {rss:.0f} MB")


def measure(
    eps: list[Endpoint], ports: dict[str, int], service_pid: int, args: argparse.Namespace, tmp: Path
) -> Results:
    """Warm every app up on every endpoint, then run the rounds: service, floor, service on 10k."""
    plan: list[tuple[Endpoint, str, list[str]]] = []
    for ep in eps:
        plan.append((ep, "service", ep.service))
        if ep.floor:
            check_same(ports["service"], ports["floor"], ep)
            plan.append((ep, "floor", ep.floor))
        if ep.small:
            plan.append((ep, "service-10k", ep.small))
    for _, app, paths in plan:
        wrk(ports[app], paths, args.warmup, args.connections, tmp)
    results = Results()
    for round_ in range(args.rounds):
        for ep, app, paths in plan:
            profiler = None
            if args.profile and round_ == 0 and app == "service":
                profiler = py_spy(
                    service_pid, args.profile / (re.sub(r"\W+", "_", ep.name).strip("_") + ".txt"), args
                )
            run = wrk(ports[app], paths, args.duration, args.connections, tmp)
            if profiler is not None:
                profiler.wait()
            results.add(ep.name, app, run)
            print(
                f"round {round_ + 1} {ep.name:<34} {app:<12} {run.rps:8,.0f} req/s  "
                f"p50 {run.p50_ms:6.1f} ms  p99 {run.p99_ms:6.1f} ms",
                file=sys.stderr,
            )
    return results


def py_spy(pid: int, out: Path, args: argparse.Namespace) -> subprocess.Popen[bytes]:
    """Sample the service for one run, as collapsed stacks (one line per stack with its count)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    command = ["py-spy", "record", "--format", "raw", "--nonblocking", "-d", f"{args.duration:g}",
               "-o", str(out), "-p", str(pid)]  # fmt: skip
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# --- main --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--duration", type=int, default=10, help="seconds per wrk run (wrk takes whole seconds)"
    )
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up per endpoint and app")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seed", type=int, default=7, help="which event ids are asked for")
    parser.add_argument("--size", default="1m", choices=sorted(world.SIZES), help="the large database")
    parser.add_argument("--only", help="run only endpoints whose name contains this")
    parser.add_argument("--profile", type=Path, help="py-spy a service run of each endpoint into this folder")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk not found: apt-get install wrk (make bench does)", file=sys.stderr)
        return 1
    os.chdir(PROJECT_ROOT)
    with world.server_url() as server, tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        url_1m = asyncio.run(world.ensure(server, args.size))
        url_10k = asyncio.run(world.ensure(server, "10k"))
        about = machine(url_1m)
        start_load = os.getloadavg()[0]
        print(about, file=sys.stderr)
        ports = {"service": _free_port(), "floor": _free_port(), "service-10k": _free_port()}
        with (
            serving(
                service_command(ports["service"]), service_env(url_1m), ports["service"], "/v1/countries/KR"
            ) as svc,
            serving(floor_command(ports["floor"]), {"DATABASE_URL": url_1m}, ports["floor"], "/v1/events/-"),
            serving(
                service_command(ports["service-10k"]),
                service_env(url_10k),
                ports["service-10k"],
                "/v1/countries/KR",
            ),
        ):
            eps = asyncio.run(endpoints(url_1m, url_10k, f"http://127.0.0.1:{ports['service']}", args.seed))
            if args.only:
                eps = [ep for ep in eps if args.only in ep.name]
            results = measure(eps, ports, svc.pid, args, tmp)
            rss = rss_mb(svc.pid)
    print(about)
    print(f"load average (1 min) at the start: {start_load:.1f}, at the end: {os.getloadavg()[0]:.1f}")
    report(results, eps, rss, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
