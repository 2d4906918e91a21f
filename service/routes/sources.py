"""Sources: GET /v1/sources and /v1/sources/{source_id}."""

from __future__ import annotations

from functools import partial
from typing import Any

from litestar import Request, Response, Router, get

from schemas.sources import SourceOut, SourcePage
from service.context import Ctx
from service.db import DbConnection
from service.errors import NotFound
from service.repos import sources as repo
from service.routes import params as p
from service.routes.responses import problems


@get("/", operation_id="listSources", responses=problems())
async def list_sources(
    request: Request[Any, Any, Any],
    conn: DbConnection,
    ctx: Ctx,
    limit: p.Limit = 50,
    cursor: p.Cursor = None,
) -> Response[SourcePage]:
    """List sources, most recently published first."""
    fetch = partial(repo.list_sources, conn)
    page = await ctx.page(request, "sources", {}, cursor, limit, fetch, repo.cursor_key)
    return page.response(SourcePage)


@get("/{source_id:str}", operation_id="getSource", responses=problems(404))
async def get_source(conn: DbConnection, source_id: p.SourceId) -> SourceOut:
    """One source: publisher, original publisher, publication date and disclosures."""
    source = await repo.get_source(conn, source_id)
    if source is None:
        raise NotFound("source", source_id)
    return source


router = Router(path="/v1/sources", route_handlers=[list_sources, get_source], tags=["sources"])
