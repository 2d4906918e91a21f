"""The `detente` command: serve, migrate, seed, and write the OpenAPI document."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path

from service import db, setup
from service.settings import Settings


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    uvicorn.run(
        "service.app:create_app",
        factory=True,
        host=args.host or settings.host,
        port=args.port or settings.port,
        workers=args.workers,
        log_level=settings.log_level.lower(),
        timeout_graceful_shutdown=10,
    )
    return 0


async def _with_database(settings: Settings, seed: bool) -> None:
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
    serve.add_argument("--workers", type=int, default=None, help="worker processes (needs DATABASE_URL)")

    database = commands.add_parser("db", help="database maintenance")
    db_commands = database.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("migrate", help="apply pending migrations and refresh reference data")
    db_commands.add_parser("seed", help="migrate, then load the seed world (idempotent)")

    spec = commands.add_parser("openapi", help="write openapi.yaml from the app")
    spec.add_argument("--output", help="file to write (default openapi.yaml at the project root)")
    spec.add_argument("--check", action="store_true", help="exit 1 if the file differs from the app")
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    settings = Settings.from_env()
    if args.command == "serve":
        return _serve(args, settings)
    if args.command == "db":
        asyncio.run(_with_database(settings, seed=args.db_command == "seed"))
        return 0
    return _openapi(args, settings)


if __name__ == "__main__":
    sys.exit(main())
