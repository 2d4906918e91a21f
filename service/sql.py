"""Named SQL statements, loaded once from sql/queries/*.sql."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from service.settings import PROJECT_ROOT

QUERY_DIR = PROJECT_ROOT / "sql" / "queries"
_NAME = re.compile(r"^--\s*name:\s*([a-z_]+\.[a-z_]+)\s*$", re.MULTILINE)


class QueryError(RuntimeError):
    """A statement is missing, or two files define the same name."""


class Queries:
    """Statements by name (`events.list`); a missing name fails at lookup, never silently."""

    def __init__(self, statements: dict[str, str]) -> None:
        self._statements = statements

    def __getitem__(self, name: str) -> str:
        try:
            return self._statements[name]
        except KeyError:
            raise QueryError(f"no SQL statement named {name!r} in {QUERY_DIR}") from None

    def names(self) -> list[str]:
        return sorted(self._statements)


def parse(text: str, origin: str) -> dict[str, str]:
    """Split a file into its `-- name:` blocks."""
    parts = _NAME.split(text)
    statements: dict[str, str] = {}
    for name, body in zip(parts[1::2], parts[2::2], strict=True):
        sql = body.strip()
        if not sql:
            raise QueryError(f"{origin}: statement {name} is empty")
        if name in statements:
            raise QueryError(f"{origin}: statement {name} is defined twice")
        statements[name] = sql
    return statements


def load(directory: Path = QUERY_DIR) -> Queries:
    statements: dict[str, str] = {}
    for path in sorted(directory.glob("*.sql")):
        for name, sql in parse(path.read_text(encoding="utf-8"), path.name).items():
            if name in statements:
                raise QueryError(f"{path.name}: statement {name} is already defined in another file")
            statements[name] = sql
    return Queries(statements)


@cache
def queries() -> Queries:
    return load()
