"""Actors: GET /v1/actors and /v1/actors/{actor_id}."""

from __future__ import annotations

from functools import partial
from typing import Any

from litestar import Request, Response, Router, get

from schemas.actors import ActorOut, ActorPage
from service.context import Ctx
from service.db import DbConnection
from service.errors import NotFound
from service.repos import actors as repo
from service.routes import params as p
from service.routes.responses import problems


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
    fetch = partial(repo.list_actors, conn, scope["country"], kind, q)
    page = await ctx.page(request, "actors", scope, cursor, limit, fetch, repo.cursor_key)
    return page.response(ActorPage)


@get("/{actor_id:str}", operation_id="getActor", responses=problems(404))
async def get_actor(conn: DbConnection, actor_id: p.ActorId) -> ActorOut:
    """One actor with its aliases, country, external ids and sources."""
    actor = await repo.get_actor(conn, actor_id)
    if actor is None:
        raise NotFound("actor", actor_id)
    return actor


router = Router(path="/v1/actors", route_handlers=[list_actors, get_actor], tags=["actors"])
