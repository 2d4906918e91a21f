"""Reading one item: now or as known at a past moment, with its ETag, and its revision history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Request, Response

from schemas.changes import RevisionPage
from service import revisions
from service.collections import Collection
from service.context import Context
from service.db import Connection
from service.errors import NotFound
from service.writes import item_response


def _label(collection: Collection) -> str:
    return collection.name.rstrip("s").replace("-", " ")


async def read(
    conn: Connection, collection: Collection, item_id: str, known_on: dt.datetime | None
) -> Response[Any]:
    """The item with its ETag; with `known_on`, the item as it was served then."""
    if known_on is None:
        item = await collection.get(conn, item_id)
    else:
        item = await revisions.known_item(conn, collection.name, item_id, known_on)
    if item is None:
        raise NotFound(_label(collection), item_id)
    return item_response(collection, item)


async def history(
    request: Request[Any, Any, Any],
    conn: Connection,
    ctx: Context,
    collection: Collection,
    item_id: str,
    after: int | None,
    limit: int,
    cursor: str | None,
) -> Response[RevisionPage]:
    """Every revision of an item, deleted or not, oldest first."""
    scope = {"collection": collection.name, "id": item_id, "after": after}

    async def fetch(c: Connection, key: list[Any] | None, n: int) -> list[Any]:
        start = int(key[0]) if key else after
        return await revisions.history(c, collection.name, item_id, start, n)

    page = await ctx.page(request, conn, "revisions", scope, cursor, limit, fetch, lambda r: [r.revision])
    if not page.items and after is None:
        raise NotFound(_label(collection), item_id)
    return page.response(RevisionPage)
