"""NDJSON and CSV renderings of any list: every row, streamed page by page from the pool."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, fields
from typing import Any, Generic, TypeVar

import msgspec
from litestar import Request
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import OpenAPI
from litestar.response import Stream

from service.db import Connection, Pool, as_connection
from service.pagination import Key

JSON = "application/json"
NDJSON = "application/x-ndjson"
CSV = "text/csv"
# Litestar appends `; charset=utf-8` to text types.
CSV_TYPE = "text/csv; header=present"
# Rows per query: enough to amortise a round trip, few enough to keep memory flat.
PAGE_ROWS = 500
STREAM_HEADERS = {
    # The same URL answers JSON, NDJSON or CSV: caches must key on Accept.
    "Vary": "Accept",
    # A walk of live data that can run to millions of rows: not worth storing, nothing to revalidate.
    "Cache-Control": "no-store",
}
DESCRIPTION = (
    "A page of items as JSON. With `Accept: application/x-ndjson` (one item per line) or `text/csv`"
    " (a header row, nested fields as dotted columns, lists as JSON), every matching item instead,"
    " streamed: `limit` and `cursor` do not apply."
)

T = TypeVar("T")
# Reads up to `limit` rows after a keyset position (None: from the start) on the connection given.
Fetch = Callable[[Connection, Key | None, int], Awaitable[Sequence[T]]]
Path = tuple[str, ...]

_LINES = msgspec.json.Encoder()


def wanted(request: Request[Any, Any, Any]) -> str | None:
    """NDJSON or CSV when the Accept header prefers one of them to JSON, else None."""
    if "accept" not in request.headers:
        return None
    best = request.accept.best_match([JSON, NDJSON, CSV], default=JSON)
    return best if best in (NDJSON, CSV) else None


def _struct_of(t: msgspec.inspect.Type) -> msgspec.inspect.StructType | None:
    """The Struct behind a field's type, also when it is optional; None for anything else."""
    if isinstance(t, msgspec.inspect.StructType):
        return t
    if isinstance(t, msgspec.inspect.UnionType):
        rest = [m for m in t.types if not isinstance(m, msgspec.inspect.NoneType)]
        if len(rest) == 1 and isinstance(rest[0], msgspec.inspect.StructType):
            return rest[0]
    return None


def _paths(t: msgspec.inspect.Type, prefix: Path = ()) -> Iterator[Path]:
    struct = _struct_of(t)
    if struct is None:
        yield prefix
        return
    for field in struct.fields:
        yield from _paths(field.type, (*prefix, field.encode_name))


def columns(shape: type) -> list[Path]:
    """CSV columns of a page Struct's items, from the schema so that null objects keep theirs."""
    page = msgspec.inspect.type_info(shape)
    assert isinstance(page, msgspec.inspect.StructType), shape
    items = next(f.type for f in page.fields if f.name == "items")
    assert isinstance(items, msgspec.inspect.ListType), shape
    return list(_paths(items.item_type))


def _cell(row: Any, path: Path) -> str:
    value = row
    for part in path:
        if value is None:
            return ""
        value = value.get(part)
    if value is None:
        return ""
    # Strings as they are; numbers, booleans, lists and free-form objects as their JSON text.
    return value if isinstance(value, str) else _LINES.encode(value).decode()


class Csv:
    """Rows as RFC 4180 CSV: a header of dotted column names, then one line per item."""

    def __init__(self, shape: type) -> None:
        self.columns = columns(shape)

    def header(self) -> bytes:
        return self._lines([[".".join(path) for path in self.columns]])

    def rows(self, items: Sequence[Any]) -> bytes:
        return self._lines([_cell(row, path) for path in self.columns] for row in msgspec.to_builtins(items))

    @staticmethod
    def _lines(rows: Any) -> bytes:
        buffer = io.StringIO()
        csv.writer(buffer).writerows(rows)
        return buffer.getvalue().encode()


class Feed(Generic[T]):
    """A whole list, walked with its keyset query `PAGE_ROWS` rows at a time after the first page."""

    def __init__(
        self,
        media_type: str,
        pool: Pool,
        timeout: float,
        fetch: Fetch[T],
        key: Callable[[T], Key],
        first: list[T],
    ) -> None:
        self.media_type = media_type
        self.pool = pool
        self.timeout = timeout
        self.fetch = fetch
        self.key = key
        self.first = first

    async def pages(self) -> AsyncIterator[Sequence[T]]:
        """The first page, then each next one read on a connection held only for its query."""
        rows: Sequence[T] = self.first
        yield rows
        while len(rows) == PAGE_ROWS:
            # The request's connection went back to the pool when the handler returned; a slow
            # client must not pin one for the whole download, so each page borrows one briefly.
            async with self.pool.acquire(timeout=self.timeout) as proxy:
                rows = await self.fetch(as_connection(proxy), self.key(rows[-1]), PAGE_ROWS)
            yield rows

    async def body(self, shape: type) -> AsyncIterator[bytes]:
        if self.media_type == CSV:
            table = Csv(shape)
            yield table.header()
            async for rows in self.pages():
                if rows:
                    yield table.rows(rows)
            return
        async for rows in self.pages():
            if rows:
                yield _LINES.encode_lines(rows)

    def response(self, shape: type) -> Stream:
        media_type = CSV_TYPE if self.media_type == CSV else NDJSON
        return Stream(self.body(shape), media_type=media_type, headers=STREAM_HEADERS)


def paged_operations(schema: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], str]]:
    """(path, operation, item schema reference) of every GET answering a page: `items` and `next`."""
    components = schema.get("components", {}).get("schemas", {})
    for path, path_item in schema.get("paths", {}).items():
        operation = path_item.get("get") or {}
        ok = operation.get("responses", {}).get("200", {})
        ref = ok.get("content", {}).get(JSON, {}).get("schema", {}).get("$ref", "")
        props = components.get(ref.rpartition("/")[2], {}).get("properties", {})
        items = props.get("items", {})
        if "next" in props and items.get("type") == "array" and "$ref" in items.get("items", {}):
            yield path, operation, items["items"]["$ref"]


def document(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the NDJSON and CSV renderings to the 200 response of every paged GET operation."""
    for _, operation, item in list(paged_operations(schema)):
        ok = operation["responses"]["200"]
        ok["content"][NDJSON] = {"schema": {"$ref": item}}
        ok["content"][CSV] = {"schema": {"type": "string"}}
        ok["description"] = DESCRIPTION
    return schema


def summarise(schema: dict[str, Any]) -> dict[str, Any]:
    """Each operation's summary is the first line of its docstring, not a name made from the function."""
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            if isinstance(operation, dict) and operation.get("description"):
                operation["summary"] = operation["description"].split("\n", 1)[0].rstrip(".")
    return schema


Finish = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass
class _DocumentedOpenAPI(OpenAPI):
    finish: Finish | None = None

    @property
    def _exclude_fields(self) -> set[str]:
        return {"finish"}  # a step of rendering, not part of the document

    def to_schema(self) -> dict[str, Any]:
        schema = summarise(document(super().to_schema()))
        return self.finish(schema) if self.finish is not None else schema


@dataclass
class StreamingOpenAPIConfig(OpenAPIConfig):
    """OpenAPIConfig whose document also shows the NDJSON and CSV renderings of every list.

    `finish` post-processes the rendered document further (service/contract.py).
    """

    finish: Finish | None = None

    def to_openapi_schema(self) -> OpenAPI:
        # Paths are filled in after this returns, so the renderings are added when it is rendered.
        base = super().to_openapi_schema()
        return _DocumentedOpenAPI(**{f.name: getattr(base, f.name) for f in fields(base)}, finish=self.finish)
