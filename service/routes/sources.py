"""Sources: GET /v1/sources and /v1/sources/{source_id}."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, delete, get, patch, post
from litestar.params import JSONBody

from schemas.changes import RevisionPage
from schemas.sources import SourceBody, SourceOut, SourcePage
from service import items, writes
from service.collections import SOURCES
from service.context import Ctx
from service.db import DbConnection
from service.repos import sources as repo
from service.routes import params as p
from service.routes.responses import READ, WRITE, problems, with_allow


@get("/", operation_id="listSources", responses=problems())
async def list_sources(
    request: Request[Any, Any, Any],
    conn: DbConnection,
    ctx: Ctx,
    limit: p.Limit = 50,
    cursor: p.Cursor = None,
) -> Response[SourcePage]:
    """List sources, most recently published first."""
    fetch = repo.list_sources
    page = await ctx.page(request, conn, "sources", {}, cursor, limit, fetch, repo.cursor_key)
    return page.response(SourcePage)


@get("/{source_id:str}", operation_id="getSource", responses=problems(404))
async def get_source(
    conn: DbConnection, source_id: p.SourceId, known_on: p.KnownOn = None
) -> Response[SourceOut]:
    """One source: publisher, original publisher, publication date and disclosures."""
    return await items.read(conn, SOURCES, source_id, known_on)


@post("/", operation_id="createSource", opt=WRITE, responses=problems(401, 403, 409))
async def create_source(
    request: Request[Any, Any, Any],
    conn: DbConnection,
    ctx: Ctx,
    data: JSONBody[SourceBody],
    idempotency_key: p.IdempotencyKey = None,
) -> Response[SourceOut]:
    """Create a source; the service assigns its id and answers with it in `Location`."""
    return await writes.create(request, conn, ctx, SOURCES, data)


@patch("/{source_id:str}", operation_id="updateSource", opt=WRITE, responses=problems(401, 403, 404, 412))
async def update_source(
    request: Request[Any, Any, Any],
    conn: DbConnection,
    ctx: Ctx,
    source_id: p.SourceId,
    data: p.MergePatch,
    if_match: p.IfMatch = None,
) -> Response[SourceOut]:
    """Change a source with a JSON merge patch; send `If-Match` to refuse lost updates."""
    return await writes.update(request, conn, ctx, SOURCES, source_id, data)


@delete(
    "/{source_id:str}", operation_id="deleteSource", opt=WRITE, responses=problems(401, 403, 404, 409, 412)
)
async def delete_source(
    request: Request[Any, Any, Any], conn: DbConnection, source_id: p.SourceId, if_match: p.IfMatch = None
) -> None:
    """Delete a source; its history stays and the change feed shows the deletion."""
    await writes.remove(request, conn, SOURCES, source_id)


@get("/{source_id:str}/revisions", operation_id="listSourceRevisions", responses=problems(404))
async def list_source_revisions(
    request: Request[Any, Any, Any],
    conn: DbConnection,
    ctx: Ctx,
    source_id: p.SourceId,
    after: p.AfterRevision = None,
    limit: p.Limit = 50,
    cursor: p.Cursor = None,
) -> Response[RevisionPage]:
    """Every change to a source, oldest first: when, by which key, and what changed."""
    return await items.history(request, conn, ctx, SOURCES, source_id, after, limit, cursor)


router = with_allow(
    Router(
        path="/v1/sources",
        opt=READ,
        route_handlers=[
            list_sources,
            get_source,
            create_source,
            update_source,
            delete_source,
            list_source_revisions,
        ],
        tags=["sources"],
        guards=[p.strict_timestamps],
    )
)
