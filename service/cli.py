"""The `detente` command: serve, migrate, seed, API keys, import, export, and the OpenAPI document."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO, NamedTuple

import asyncpg
import msgspec

from schemas.imports import ImportReport
from service import auth, db, deferred_indexes, export, gdelt, importer, migrate, progress, setup, staging
from service.settings import Settings
from service.sql import queries

STDIO = "-"
# Changed records from which an import refreshes planner statistics itself (sql/queries/maintenance.sql).
ANALYZE_AFTER = 10_000


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    embedded = None
    if (args.workers or 1) > 1 and not settings.database_url:
        # Each worker would start the embedded server on its own: start it once, here, and give
        # its URL to the workers, which take their settings from the environment they inherit.
        embedded = db.EmbeddedPostgres(settings.embedded_data_dir)
        os.environ["DATABASE_URL"] = embedded.url
    try:
        uvicorn.run(
            "service.app:create_app",
            factory=True,
            host=args.host or settings.host,
            port=args.port or settings.port,
            # Each worker is a process with its own pool, sharing nothing but the database (and
            # Redis for rate limits, when REDIS_URL is set); uvicorn restarts one that dies.
            workers=args.workers,
            log_level=settings.log_level.lower(),
            timeout_graceful_shutdown=10,
            # uvicorn would believe X-Forwarded-For from 127.0.0.1 by default; the app decides, from
            # TRUSTED_PROXIES, whose forwarded address is the client (rate limits key on it).
            proxy_headers=False,
        )
    finally:
        if embedded is not None:
            embedded.stop()
    return 0


def _count(text: str) -> int:
    """A whole number of at least 1, for argparse."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return value


def _fail(message: str, status: int = 1) -> int:
    print(f"detente: {message}", file=sys.stderr)
    return status


class Database(NamedTuple):
    """A connection to a migrated database, and what opens more like it (db.opened)."""

    conn: db.Connection
    url: str
    settings: Settings


@contextlib.asynccontextmanager
async def _database(settings: Settings) -> AsyncIterator[Database]:
    """A connection to a migrated database: DATABASE_URL, or the embedded server when it is unset."""
    url, embedded = db.database_url(settings)
    # The statement timeout guards HTTP requests; a bulk import or export runs as long as it needs.
    unlimited = msgspec.structs.replace(settings, statement_timeout_ms=0)
    try:
        conn = await db.connect(url, unlimited)
        try:
            await setup.migrate_database(conn)
            yield Database(conn, url, unlimited)
        finally:
            await conn.close()
    finally:
        if embedded is not None:
            embedded.stop()


async def _with_database(settings: Settings, seed: bool) -> int:
    url, embedded = db.database_url(settings)
    try:
        conn = await db.connect(url, settings)
        try:
            applied = await setup.migrate_database(conn)
            print(f"migrations applied: {', '.join(applied) or 'none pending'}")
            if seed:
                await setup.seed_database(conn)
                print("seed world loaded")
        finally:
            await conn.close()
    finally:
        if embedded is not None:
            embedded.stop()
    return 0


NAME_RULE = "1 to 64 letters, digits, '.', '_' or '-', the first a letter or digit"


async def _create_key(conn: db.Connection, name: str, scope: str) -> int:
    try:
        secret = await auth.create(conn, name, scope)
    except asyncpg.UniqueViolationError:
        return _fail(f"a key named {name!r} exists already (a revoked key keeps its name)")
    except asyncpg.CheckViolationError:
        return _fail(f"a key name is {NAME_RULE}")
    print(f"created {scope} key {name!r}; keep it now, it is not shown again", file=sys.stderr)
    print(secret)
    return 0


async def _revoke_key(conn: db.Connection, name: str) -> int:
    if not await auth.revoke(conn, name):
        return _fail(f"no active key named {name!r}")
    print(f"revoked {name!r}")
    return 0


async def _list_keys(conn: db.Connection) -> int:
    rows = await conn.fetch(queries()["keys.list"])
    table = [("name", "scope", "created", "revoked")]
    table += [(r["name"], r["scope"], _moment(r["created_at"]), _moment(r["revoked_at"])) for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(3)]
    for row in table:
        print("  ".join([*(cell.ljust(w) for cell, w in zip(row, widths, strict=False)), row[3]]))
    return 0


async def _keys(args: argparse.Namespace, settings: Settings) -> int:
    async with _database(settings) as database:
        conn = database.conn
        if args.keys_command == "create":
            return await _create_key(conn, args.name, args.scope)
        if args.keys_command == "revoke":
            return await _revoke_key(conn, args.name)
        return await _list_keys(conn)


def _moment(value: object) -> str:
    return "-" if value is None else f"{value:%Y-%m-%dT%H:%M:%SZ}"


def _open_input(name: str) -> contextlib.AbstractContextManager[BinaryIO]:
    # stdin is not ours to close.
    return contextlib.nullcontext(sys.stdin.buffer) if name == STDIO else Path(name).open("rb")


async def _import(args: argparse.Namespace, settings: Settings, source: BinaryIO) -> int:
    async with _database(settings) as database:
        resolver = await setup.load_resolver(database.conn)

        def write(c: db.Connection, lines: Iterator[bytes]) -> Awaitable[ImportReport]:
            return importer.apply(c, resolver, staging.parse_lines(lines), args.key_name)

        report = await _load(database, args, source, write)
    _print_report(report, as_json=args.json)
    return 1 if report.errors else 0


async def _load(
    database: Database,
    args: argparse.Namespace,
    source: BinaryIO | Iterable[bytes],
    write: Callable[[db.Connection, Iterator[bytes]], Awaitable[ImportReport]],
) -> ImportReport:
    """One input in one transaction behind a progress bar, then the indexes a bulk load left for
    after its commit; a large load refreshes planner statistics."""
    conn = database.conn
    with progress.reading(args.quiet) as bar:
        lines = progress.lines(bar, source, "reading", "writing")
        # One transaction: valid records are written together, refused lines leave no trace.
        async with conn.transaction():
            report = await write(conn, lines)
        if await deferred_indexes.pending(conn):
            bar.add_task("indexing", total=None, lines=report.lines)
            await deferred_indexes.build_alongside(conn, lambda: db.opened(database.url, database.settings))
        if report.changed >= ANALYZE_AFTER:
            bar.add_task("analyzing", total=None, lines=report.lines)
            await conn.execute(queries()["maintenance.analyze"])
    return report


def _print_report(report: ImportReport, *, as_json: bool) -> None:
    if as_json:
        print(msgspec.json.encode(report).decode())
        return
    for error in report.errors:
        label = f"line {error.line}" + (f" ({error.id})" if error.id else "")
        print(f"{label}: {error.reason}")
    counts = f"{report.valid} valid ({report.changed} changed, {report.unchanged} unchanged)"
    skipped = f", {report.skipped} skipped (not between two countries)" if report.skipped else ""
    print(f"{report.lines} lines: {counts}, {len(report.errors)} refused{skipped}")


async def _export(args: argparse.Namespace, settings: Settings, out: BinaryIO) -> dict[str, int]:
    async with _database(settings) as database:
        conn = database.conn
        with progress.counting(args.quiet) as bar:
            task = bar.add_task("exporting", total=None)
            counter = progress.Counter(bar, task)

            def start(counts: dict[str, int]) -> None:
                bar.update(task, total=sum(counts.values()))

            written = await export.write(conn, out, on_start=start, on_row=lambda _: counter.add())
            counter.flush()
    out.flush()
    return written


def _export_to(args: argparse.Namespace, settings: Settings) -> int:
    if args.file == STDIO:
        try:
            written = asyncio.run(_export(args, settings, sys.stdout.buffer))
        except BrokenPipeError:
            # The reader went away (`detente export | head`); stop quietly, like other filters.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 1
    elif Path(args.file).exists() and not Path(args.file).is_file():
        # A device or a pipe (/dev/null, a FIFO) is written in place: renaming onto it would replace it.
        try:
            with Path(args.file).open("wb") as device:
                written = asyncio.run(_export(args, settings, device))
        except OSError as exc:
            return _fail(f"cannot write {args.file}: {exc.strerror}", status=2)
    else:
        # Written aside and renamed when complete: a failed export never looks like a finished one.
        target = Path(args.file)
        partial = target.with_name(f"{target.name}.partial")
        try:
            out = partial.open("wb")
        except OSError as exc:
            return _fail(f"cannot write {args.file}: {exc.strerror}", status=2)
        try:
            with out:
                written = asyncio.run(_export(args, settings, out))
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)
    summary = ", ".join(f"{count} {name}" for name, count in written.items())
    print(f"exported {summary}", file=sys.stderr)
    return 0


def _openapi(args: argparse.Namespace, settings: Settings) -> int:
    from service.app import create_app
    from service.openapi import SPEC_FILE, render

    text = render(create_app(settings))
    target = Path(args.output) if args.output else SPEC_FILE
    if args.check:
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            print(f"{target} is out of date; run `detente openapi`", file=sys.stderr)
            return 1
        return 0
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}")
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="detente", description="Détente API service.")
    commands = root.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--host", help="address to bind (default HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to bind (default PORT or 8000)")
    serve.add_argument(
        "--workers", type=_count, default=None, help="worker processes sharing the port (default 1)"
    )

    database = commands.add_parser("db", help="database maintenance")
    db_commands = database.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("migrate", help="apply pending migrations and refresh reference data")
    db_commands.add_parser("seed", help="migrate, then load the seed world (idempotent)")

    keys = commands.add_parser("keys", help="API keys: only their SHA-256 is stored")
    key_commands = keys.add_subparsers(dest="keys_command", required=True)
    create = key_commands.add_parser("create", help="create a key and print its secret, this once")
    create.add_argument("--name", required=True, help="unique name, recorded on every change made with it")
    create.add_argument("--scope", required=True, choices=auth.SCOPES, help="each includes those before it")
    revoke = key_commands.add_parser("revoke", help="revoke the active key of this name")
    revoke.add_argument("name")
    key_commands.add_parser("list", help="every key: name, scope, created, revoked (never a secret)")

    load = commands.add_parser(
        "import",
        help="upsert NDJSON records by id in one transaction; `import gdelt FILE...` reads GDELT files",
    )
    load.add_argument("files", nargs="+", metavar="FILE", help="NDJSON file or - for stdin; or gdelt FILE...")
    load.add_argument("--key-name", default="cli", help="author recorded on each revision (default: cli)")
    load.add_argument("--json", action="store_true", help="print the report as JSON")
    load.add_argument("-q", "--quiet", action="store_true", help="no progress bar")

    dump = commands.add_parser("export", help="write every record as NDJSON that `detente import` takes")
    dump.add_argument("file", nargs="?", default=STDIO, help="file to write (default: stdout)")
    dump.add_argument("-q", "--quiet", action="store_true", help="no progress bar")

    spec = commands.add_parser("openapi", help="write openapi.yaml from the app")
    spec.add_argument("--output", help="file to write (default openapi.yaml at the project root)")
    spec.add_argument("--check", action="store_true", help="exit 1 if the file differs from the app")
    return root


def _data_command(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "keys":
        return asyncio.run(_keys(args, settings))
    if args.command == "export":
        return _export_to(args, settings)
    if args.files[0] == "gdelt" and len(args.files) > 1:
        return _import_gdelt(args, settings, args.files[1:])
    if len(args.files) > 1:
        return _fail("give one NDJSON file (or `gdelt FILE...` for GDELT events files)", status=2)
    try:
        source = _open_input(args.files[0])
    except OSError as exc:
        return _fail(f"cannot read {args.files[0]}: {exc.strerror}", status=2)
    with source as lines:
        return asyncio.run(_import(args, settings, lines))


def _import_gdelt(args: argparse.Namespace, settings: Settings, names: list[str]) -> int:
    """Each file in a transaction of its own; a file that cannot be read stops before any is written."""
    with contextlib.ExitStack() as stack:
        try:
            files = [(name, stack.enter_context(Path(name).open("rb"))) for name in names]
        except OSError as exc:
            return _fail(f"cannot read {exc.filename}: {exc.strerror}", status=2)
        return asyncio.run(_gdelt_files(args, settings, files))


async def _gdelt_files(
    args: argparse.Namespace, settings: Settings, files: Sequence[tuple[str, BinaryIO]]
) -> int:
    refused = 0
    async with _database(settings) as database:
        for name, source in files:
            rows = gdelt.lines_of(source, name)
            report = await _load(database, args, rows, lambda c, lines: gdelt.apply(c, lines, args.key_name))
            if not args.json:
                print(f"{name}:")
            _print_report(report, as_json=args.json)
            refused += len(report.errors)
    return 1 if refused else 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    settings = Settings.from_env()
    if args.command == "serve":
        return _serve(args, settings)
    if args.command == "db":
        return asyncio.run(_with_database(settings, seed=args.db_command == "seed"))
    if args.command == "openapi":
        return _openapi(args, settings)
    try:
        return _data_command(args, settings)
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, migrate.MigrationError) as exc:
        # An unreachable or failing database is the operator's to fix: say what, without a traceback.
        return _fail(f"database: {exc}")


if __name__ == "__main__":
    sys.exit(main())
