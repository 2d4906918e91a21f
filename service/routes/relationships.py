"""Relationships: GET /v1/relationships and /v1/relationships/{a}/{b}."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from litestar import Request, Response, Router, get

from schemas.relationships import PeriodPage, RelationshipOut
from service.context import Ctx
from service.db import DbConnection
from service.repos import countries
from service.repos import relationships as repo
from service.routes import params as p
from service.routes.responses import problems


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


@get("/", operation_id="listRelationships", responses=problems())
async def list_relationships(
    request: Request[Any, Any, Any],
    conn: DbConnection,
    ctx: Ctx,
    as_of: p.AsOf = None,
    country: p.Country = None,
    status: p.StatusFilter = None,
    trend: p.TrendFilter = None,
    limit: p.Limit = 50,
    cursor: p.Cursor = None,
) -> Response[PeriodPage]:
    """Every pair's status on `as_of` (default today), by pair key; filter by country, status or trend."""
    day = as_of or today()
    scope = {"as_of": day.isoformat(), "country": ctx.resolver.optional(country, "country"),
             "status": status, "trend": trend}  # fmt: skip
    fetch = partial(repo.on_day, conn, day, scope["country"], status, trend)
    page = await ctx.page(request, "relationships", scope, cursor, limit, fetch, repo.cursor_key)
    return page.response(PeriodPage, as_of=day)


@get("/{a:str}/{b:str}", operation_id="getRelationship", responses=problems())
async def get_relationship(
    conn: DbConnection, ctx: Ctx, a: p.PathCountryA, b: p.PathCountryB, as_of: p.AsOf = None
) -> RelationshipOut:
    """A pair's status on `as_of` (default today) and its whole history, oldest period first."""
    pair = ctx.resolver.pair_of(a, b, location="path")
    day = as_of or today()
    history = await repo.history(conn, pair)
    members = await countries.get_many(conn, [pair.a, pair.b])
    return RelationshipOut(
        pair=pair.key, countries=members, as_of=day, current=repo.holding_on(history, day), history=history
    )


router = Router(
    path="/v1/relationships", route_handlers=[list_relationships, get_relationship], tags=["relationships"]
)
