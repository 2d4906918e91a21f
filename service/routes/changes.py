"""The change feed: GET /v1/changes, every change in commit order, resumable from a cursor."""

from __future__ import annotations

import asyncio
import time
from typing import Annotated, Any

from litestar import Request, Router, get
from litestar.datastructures import State
from litestar.params import QueryParameter

from schemas.changes import ChangePage
from service import revisions
from service.context import Ctx
from service.db import reading
from service.routes import params as p
from service.routes.responses import READ, problems, with_allow

MAX_WAIT = 30.0
POLL_EVERY = 0.25

Since = Annotated[
    str | None,
    QueryParameter(
        max_length=512,
        description="The `cursor` of the last page read; absent to start from the first change ever.",
        examples=p.example("", "from the start"),
    ),
]
Wait = Annotated[
    float,
    QueryParameter(
        ge=0,
        le=MAX_WAIT,
        description="Seconds to hold the request open while there is nothing new (long polling).",
        examples=p.example(0),
    ),
]


async def _read(state: State, after: tuple[str, int] | None, limit: int) -> list[revisions.FeedRow]:
    # A connection per poll, not per request: a long poll must not hold one while it waits. The
    # feed only reads, so a replica may serve it.
    async with reading(state, state.settings.acquire_timeout) as conn:
        return await revisions.feed(conn, after, limit)


@get("/", operation_id="listChanges", responses=problems())
async def list_changes(
    request: Request[Any, Any, Any],
    state: State,
    ctx: Ctx,
    since: Since = None,
    limit: p.Limit = 50,
    wait: Wait = 0,
) -> ChangePage:
    """Changes to every item in commit order; apply them in order to mirror the service exactly."""
    key = ctx.cursors.decode(since, "changes", {}, param="since")
    after = (str(key[0]), int(key[1])) if key else None
    deadline = time.monotonic() + wait
    rows = await _read(state, after, limit + 1)
    while not rows and time.monotonic() < deadline:
        await asyncio.sleep(POLL_EVERY)
        rows = await _read(state, after, limit + 1)
    page = rows[:limit]
    last = page[-1].position if page else after
    cursor = ctx.cursors.encode("changes", {}, list(last) if last else [])
    return ChangePage(items=[r.change for r in page], cursor=cursor, more=len(rows) > limit)


router = with_allow(Router(path="/v1/changes", opt=READ, route_handlers=[list_changes], tags=["changes"]))
