"""Relationships: GET /v1/relationships and /v1/relationships/{a}/{b}."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from litestar import Request, Response, Router, delete, get, patch, post
from litestar.params import JSONBody

from schemas.changes import RevisionPage
from schemas.relationships import PeriodBody, PeriodOut, PeriodPage, RelationshipOut
from service import items, relationship_index, writes
from service.collections import PERIODS
from service.context import Ctx
from service.db import DbConnection
from service.repos import countries
from service.repos import relationships as repo
from service.routes import params as p
from service.routes.responses import READ, WRITE, problems, with_allow


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
    known_on: p.KnownOn = None,
    limit: p.Limit = 50,
    cursor: p.Cursor = None,
) -> Response[PeriodPage]:
    """Every pair's status on `as_of` (default today), by pair key; filter by country, status or trend.

    With `known_on` as well the answer is bitemporal: the status on `as_of` as recorded at `known_on`.
    """
    day = as_of or today()
    code = ctx.resolver.optional(country, "country")
    scope = {"as_of": day.isoformat(), "country": code, "status": status, "trend": trend,
             "known_on": known_on and known_on.isoformat()}  # fmt: skip
    if known_on is None:
        fetch = partial(repo.on_day, day=day, country=code, status=status, trend=trend)
    else:
        fetch = partial(
            repo.on_day_known, known_on=known_on, day=day, country=code, status=status, trend=trend
        )
    page = await ctx.page(request, conn, "relationships", scope, cursor, limit, fetch, repo.cursor_key)
    return page.response(PeriodPage, as_of=day)


@get("/{a:str}/{b:str}", operation_id="getRelationship", responses=problems())
async def get_relationship(
    conn: DbConnection,
    ctx: Ctx,
    a: p.PathCountryA,
    b: p.PathCountryB,
    as_of: p.AsOf = None,
    known_on: p.KnownOn = None,
) -> RelationshipOut:
    """A pair's status on `as_of` (default today), its whole history and the event-derived index.

    `known_on` answers as recorded then: "CN-JP on 2025-12-01, as we knew it on 2025-12-15".
    The `index` is computed from the events on file now, up to `as_of`.
    """
    pair = ctx.resolver.pair_of(a, b, location="path")
    day = as_of or today()
    if known_on is None:
        history = await repo.history(conn, pair)
    else:
        history = await repo.known_periods(conn, known_on, pair)
    members = await countries.get_many(conn, [pair.a, pair.b])
    return RelationshipOut(
        pair=pair.key, countries=members, as_of=day, current=repo.holding_on(history, day), history=history,
        index=await relationship_index.on_day(conn, pair, day),
    )  # fmt: skip


router = with_allow(
    Router(
        path="/v1/relationships",
        opt=READ,
        route_handlers=[list_relationships, get_relationship],
        tags=["relationships"],
        guards=[p.strict_timestamps],
    )
)


@get("/{period_id:str}", operation_id="getRelationshipPeriod", responses=problems(404))
async def get_period(
    conn: DbConnection, period_id: p.PeriodId, known_on: p.KnownOn = None
) -> Response[PeriodOut]:
    """One relationship-status period with its drivers and sources."""
    return await items.read(conn, PERIODS, period_id, known_on)


@post("/", operation_id="createRelationshipPeriod", opt=WRITE, responses=problems(401, 403, 409))
async def create_period(
    request: Request[Any, Any, Any],
    conn: DbConnection,
    ctx: Ctx,
    data: JSONBody[PeriodBody],
    idempotency_key: p.IdempotencyKey = None,
) -> Response[PeriodOut]:
    """Add a status period for a pair; an open period it follows is closed on its first day."""
    return await writes.create(request, conn, ctx, PERIODS, data)


@patch(
    "/{period_id:str}",
    operation_id="updateRelationshipPeriod",
    opt=WRITE,
    responses=problems(401, 403, 404, 412),
)
async def update_period(
    request: Request[Any, Any, Any],
    conn: DbConnection,
    ctx: Ctx,
    period_id: p.PeriodId,
    data: p.MergePatch,
    if_match: p.IfMatch = None,
) -> Response[PeriodOut]:
    """Change a period with a JSON merge patch; send `If-Match` to refuse lost updates."""
    return await writes.update(request, conn, ctx, PERIODS, period_id, data)


@delete(
    "/{period_id:str}",
    operation_id="deleteRelationshipPeriod",
    opt=WRITE,
    responses=problems(401, 403, 404, 412),
)
async def delete_period(
    request: Request[Any, Any, Any], conn: DbConnection, period_id: p.PeriodId, if_match: p.IfMatch = None
) -> None:
    """Delete a period; its history stays and the change feed shows the deletion."""
    await writes.remove(request, conn, PERIODS, period_id)


@get("/{period_id:str}/revisions", operation_id="listRelationshipPeriodRevisions", responses=problems(404))
async def list_period_revisions(
    request: Request[Any, Any, Any],
    conn: DbConnection,
    ctx: Ctx,
    period_id: p.PeriodId,
    after: p.AfterRevision = None,
    limit: p.Limit = 50,
    cursor: p.Cursor = None,
) -> Response[RevisionPage]:
    """Every change to a period, oldest first: when, by which key, and what changed."""
    return await items.history(request, conn, ctx, PERIODS, period_id, after, limit, cursor)


periods_router = with_allow(
    Router(
        path="/v1/relationship-periods",
        opt=READ,
        route_handlers=[get_period, create_period, update_period, delete_period, list_period_revisions],
        tags=["relationships"],
        guards=[p.strict_timestamps],
    )
)
