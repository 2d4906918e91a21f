"""Actors: GET /v1/actors and /v1/actors/{actor_id}."""

from __future__ import annotations

from functools import partial
from typing import Any

from litestar import Request, Response, Router, delete, get, patch, post
from litestar.params import JSONBody

from schemas.actors import ActorBody, ActorOut, ActorPage
from schemas.changes import RevisionPage
from service import items, writes
from service.collections import ACTORS
from service.context import Ctx
from service.db import DbConnection
from service.repos import actors as repo
from service.routes import params as p
from service.routes.responses import READ, WRITE, problems, with_allow


@get("/", operation_id="listActors", responses=problems())
async def list_actors(
    request: Request[Any, Any, Any],
    conn: DbConnection,
    ctx: Ctx,
    country: p.Country = None,
    kind: p.ActorKindFilter = None,
    q: p.Text = None,
    limit: p.Limit = 50,
    cursor: p.Cursor = None,
) -> Response[ActorPage]:
    """List actors by name; filter by country, kind or words of their name and aliases."""
    scope = {"country": ctx.resolver.optional(country, "country"), "kind": kind, "q": q}
    fetch = partial(repo.list_actors, country=scope["country"], kind=kind, q=q)
    page = await ctx.page(request, conn, "actors", scope, cursor, limit, fetch, repo.cursor_key)
    return page.response(ActorPage)


@get("/{actor_id:str}", operation_id="getActor", responses=problems(404))
async def get_actor(
    conn: DbConnection, actor_id: p.ActorId, known_on: p.KnownOn = None
) -> Response[ActorOut]:
    """One actor with its aliases, country, external ids and sources."""
    return await items.read(conn, ACTORS, actor_id, known_on)


@post("/", operation_id="createActor", opt=WRITE, responses=problems(401, 403, 409))
async def create_actor(
    request: Request[Any, Any, Any],
    conn: DbConnection,
    ctx: Ctx,
    data: JSONBody[ActorBody],
    idempotency_key: p.IdempotencyKey = None,
) -> Response[ActorOut]:
    """Create an actor; the service assigns its id and answers with it in `Location`."""
    return await writes.create(request, conn, ctx, ACTORS, data)


@patch("/{actor_id:str}", operation_id="updateActor", opt=WRITE, responses=problems(401, 403, 404, 412))
async def update_actor(
    request: Request[Any, Any, Any],
    conn: DbConnection,
    ctx: Ctx,
    actor_id: p.ActorId,
    data: p.MergePatch,
    if_match: p.IfMatch = None,
) -> Response[ActorOut]:
    """Change an actor with a JSON merge patch; send `If-Match` to refuse lost updates."""
    return await writes.update(request, conn, ctx, ACTORS, actor_id, data)


@delete("/{actor_id:str}", operation_id="deleteActor", opt=WRITE, responses=problems(401, 403, 404, 409, 412))
async def delete_actor(
    request: Request[Any, Any, Any], conn: DbConnection, actor_id: p.ActorId, if_match: p.IfMatch = None
) -> None:
    """Delete an actor; its history stays and the change feed shows the deletion."""
    await writes.remove(request, conn, ACTORS, actor_id)


@get("/{actor_id:str}/revisions", operation_id="listActorRevisions", responses=problems(404))
async def list_actor_revisions(
    request: Request[Any, Any, Any],
    conn: DbConnection,
    ctx: Ctx,
    actor_id: p.ActorId,
    after: p.AfterRevision = None,
    limit: p.Limit = 50,
    cursor: p.Cursor = None,
) -> Response[RevisionPage]:
    """Every change to an actor, oldest first: when, by which key, and what changed."""
    return await items.history(request, conn, ctx, ACTORS, actor_id, after, limit, cursor)


router = with_allow(
    Router(
        path="/v1/actors",
        opt=READ,
        route_handlers=[
            list_actors,
            get_actor,
            create_actor,
            update_actor,
            delete_actor,
            list_actor_revisions,
        ],
        tags=["actors"],
        guards=[p.strict_timestamps],
    )
)
