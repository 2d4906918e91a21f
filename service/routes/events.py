"""Events: GET /v1/events and /v1/events/{event_id}."""

from __future__ import annotations

from functools import partial
from typing import Any

import msgspec
from litestar import Request, Response, Router, get

from schemas.events import EventOut, EventPage
from service.context import Ctx
from service.db import DbConnection
from service.errors import NotFound
from service.pagination import check_range
from service.repos import events as repo
from service.routes import params as p
from service.routes.responses import problems


@get("/", operation_id="listEvents", responses=problems())
async def list_events(
    request: Request[Any, Any, Any],
    conn: DbConnection,
    ctx: Ctx,
    country: p.Country = None,
    pair: p.PairParam = None,
    initiator: p.Initiator = None,
    target: p.Target = None,
    type: p.EventTypeFilter = None,
    actor: p.ActorParam = None,
    sector: p.SectorFilter = None,
    status: p.EventStatusFilter = None,
    date_from: p.DateFrom = None,
    date_to: p.DateTo = None,
    q: p.Text = None,
    limit: p.Limit = 50,
    cursor: p.Cursor = None,
) -> Response[EventPage]:
    """List events, newest first; filter by countries, direction, type, actor, sector, status, dates, text.

    `initiator` and `target` make the query directed: `initiator=China&target=Japan` finds
    what China did to Japan and not the reverse.
    """
    check_range(date_from, date_to)
    r = ctx.resolver
    pair_key = r.optional_pair(pair)
    filters = repo.EventFilters(
        country=r.optional(country, "country"), pair=pair_key.key if pair_key else None,
        initiator=r.optional(initiator, "initiator"), target=r.optional(target, "target"),
        type=type, actor=actor, sector=sector, status=status, date_from=date_from, date_to=date_to, q=q,
    )  # fmt: skip
    return await events_page(request, conn, ctx, filters, limit, cursor)


async def events_page(
    request: Request[Any, Any, Any],
    conn: DbConnection,
    ctx: Ctx,
    filters: repo.EventFilters,
    limit: int,
    cursor: str | None,
) -> Response[EventPage]:
    """One page of events for resolved filters; shared with the pair routes."""
    scope = msgspec.to_builtins(filters)
    fetch = partial(repo.list_events, conn, filters)
    page = await ctx.page(request, "events", scope, cursor, limit, fetch, repo.cursor_key)
    return page.response(EventPage)


@get("/{event_id:str}", operation_id="getEvent", responses=problems(404))
async def get_event(conn: DbConnection, event_id: p.EventId) -> EventOut:
    """One event with its participants, coding, sources and the deals signed at it."""
    event = await repo.get_event(conn, event_id)
    if event is None:
        raise NotFound("event", event_id)
    return event


router = Router(path="/v1/events", route_handlers=[list_events, get_event], tags=["events"])
