"""Benchmark databases: a generated world imported once, then reused while it is complete.

    python -m bench.world 1m        # build (or find) detente_bench_1m and print its URL

Each size lives in its own database on DATABASE_URL's server (or on an embedded server kept in
.detente/bench-pgdata). The database comment records what was asked for and how many lines of
the world are in; an interrupted build resumes there, a finished one is reused as it is.
Records go through the service's own bulk-import path (`importer.apply`), CHUNK lines per
transaction, in the generator's dependency order.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path

import asyncpg
import msgspec

from bench.generate import write
from bench.import_bench import build_deferred
from service import db, importer, migrate, setup, staging
from service.settings import PROJECT_ROOT, Settings
from tests.databases import with_database

CHUNK = 100_000
EMBEDDED_DIR = PROJECT_ROOT / ".detente" / "bench-pgdata"


class Spec(msgspec.Struct, frozen=True):
    """What a bench database holds; stored as its comment together with the progress."""

    seed: int
    events: int
    deals: int
    periods: int
    countries: int


SIZES = {
    "10k": Spec(seed=1, events=10_000, deals=2_000, periods=50, countries=200),
    "1m": Spec(seed=1, events=1_000_000, deals=200_000, periods=300, countries=200),
}


class State(msgspec.Struct):
    spec: Spec
    lines_done: int = 0
    complete: bool = False


@contextmanager
def server_url() -> Iterator[str]:
    """DATABASE_URL, or an embedded server whose data outlives the run (the cache is the point)."""
    url = os.environ.get("DATABASE_URL")
    if url:
        yield url
        return
    embedded = db.EmbeddedPostgres(str(EMBEDDED_DIR))
    try:
        yield embedded.url
    finally:
        embedded.stop()


async def _state(admin: asyncpg.Connection, name: str) -> State | None:
    comment = await admin.fetchval(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1", name
    )
    if comment is None:
        return None
    try:
        return msgspec.json.decode(comment, type=State)
    except msgspec.DecodeError:
        return None


async def _save(conn: asyncpg.Connection, name: str, state: State) -> None:
    # COMMENT takes no parameters; the text is our own JSON, quoted by the server's quote_literal.
    literal = await conn.fetchval("SELECT quote_literal($1)", msgspec.json.encode(state).decode())
    await conn.execute(f'COMMENT ON DATABASE "{name}" IS {literal}')


async def ensure(server: str, size: str, log: bool = True) -> str:
    """The URL of a complete bench database of this size, building or finishing it if needed."""
    spec = SIZES[size]
    name = f"detente_bench_{size}"
    admin = await asyncpg.connect(server)
    try:
        state = await _state(admin, name)
        exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if exists and (state is None or state.spec != spec):
            await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            await admin.execute(f'CREATE DATABASE "{name}"')
            state = State(spec=spec)
            await _save(admin, name, state)
    finally:
        await admin.close()
    assert state is not None
    url = with_database(server, name)
    if not state.complete:
        await _build(url, name, state, log)
    else:
        # The tree may carry migrations newer than the database: apply them before anyone serves it.
        conn = await db.connect(url, Settings(database_url=url, statement_timeout_ms=0))
        try:
            applied = await setup.migrate_database(conn)
        except migrate.MigrationError as exc:
            # Only a working tree that edits a migration it has applied gets here. Reads do not
            # depend on the edit, and rebuilding the 1m world costs half an hour: warn and go on.
            applied = []
            print(f"{name}: {exc}; serving it as it is (drop the database to rebuild)", file=sys.stderr)
        finally:
            await conn.close()
        if log:
            print(f"world {size}: reusing {name}; migrations applied: {applied or 'none'}", file=sys.stderr)
    return url


async def _build(url: str, name: str, state: State, log: bool) -> None:
    spec = state.spec
    settings = Settings(database_url=url, statement_timeout_ms=0)
    conn = await db.connect(url, settings)
    try:
        await setup.migrate_database(conn)
        resolver = await setup.load_resolver(conn)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "world.ndjson"
            started = time.perf_counter()
            with path.open("wb") as out:
                total = write(out, spec.seed, spec.events, spec.deals, spec.periods, spec.countries)
            if log:
                print(f"{name}: generated {total} records in {time.perf_counter() - started:.0f} s; "
                      f"importing from line {state.lines_done + 1}", file=sys.stderr)  # fmt: skip
            with path.open("rb") as source:
                lines = islice(source, state.lines_done, None)
                while chunk := list(islice(lines, CHUNK)):
                    started = time.perf_counter()
                    async with conn.transaction():
                        report = await importer.apply(
                            conn, resolver, staging.parse_lines(chunk), "bench", statement_timeout_ms=0
                        )
                        if report.errors:
                            first = report.errors[0]
                            raise RuntimeError(f"{len(report.errors)} refused, first: {first.reason}")
                        state.lines_done += len(chunk)
                        await _save(conn, name, state)
                    if log:
                        rate = len(chunk) / (time.perf_counter() - started)
                        print(f"{name}: {state.lines_done}/{total} records ({rate:,.0f}/s)", file=sys.stderr)
        await build_deferred(conn, url, settings)
        # Fresh statistics and a set visibility map, as a long-running database would have.
        await conn.execute("VACUUM (ANALYZE)")
        state.complete = True
        await _save(conn, name, state)
    finally:
        await conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="+", choices=sorted(SIZES))
    args = parser.parse_args(argv)
    with server_url() as server:
        for size in args.sizes:
            print(asyncio.run(ensure(server, size)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
