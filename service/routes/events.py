"""Events: GET /v1/events and /v1/events/{event_id}."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

import msgspec
from litestar import Request, Response, Router, delete, get, patch, post
from litestar.params import JSONBody

from schemas.changes import RevisionPage
from schemas.events import EventBody, EventOut, EventPage
from schemas.facets import EventFacet
from service import facets as fc
from service import items, writes
from service.collections import EVENTS
from service.context import Ctx
from service.db import DbConnection
from service.pagination import check_range
from service.repos import events as repo
from service.routes import params as p
from service.routes.responses import READ, WRITE, problems, with_allow


@get("/", operation_id="listEvents", responses=problems(), guards=[fc.only(EventFacet)])
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
    known_on: p.KnownOn = None,
    limit: p.Limit = 50,
    cursor: p.Cursor = None,
    facet: fc.EventFacets = None,
) -> Response[EventPage]:
    """List events, newest first; filter by countries, direction, type, actor, sector, status, dates, text.

    `initiator` and `target` make the query directed: `initiator=China&target=Japan` finds
    what China did to Japan and not the reverse.
    """
    check_range(date_from, date_to)
    facets = fc.wanted(request, facet, known_on)
    r = ctx.resolver
    pair_key = r.optional_pair(pair)
    filters = repo.EventFilters(
        country=r.optional(country, "country"), pair=pair_key.key if pair_key else None,
        initiator=r.optional(initiator, "initiator"), target=r.optional(target, "target"),
        type=type, actor=actor, sector=sector, status=status, date_from=date_from, date_to=date_to, q=q,
    )  # fmt: skip
    return await events_page(request, conn, ctx, filters, limit, cursor, known_on, facets)


async def events_page(
    request: Request[Any, Any, Any],
    conn: DbConnection,
    ctx: Ctx,
    filters: repo.EventFilters,
    limit: int,
    cursor: str | None,
    known_on: dt.datetime | None = None,
    facets: list[str] | None = None,
) -> Response[EventPage]:
    """One page of events for resolved filters, now or as known then; shared with the pair routes."""
    scope = {**msgspec.to_builtins(filters), "known_on": known_on and known_on.isoformat()}
    if known_on is None:
        fetch = partial(repo.list_events, f=filters)
    else:
        fetch = partial(repo.list_events_known, f=filters, known_on=known_on)
    page = await ctx.page(request, conn, "events", scope, cursor, limit, fetch, repo.cursor_key)
    count = partial(repo.event_facets, f=filters)
    counts = await fc.page_facets(conn, facets or [], count, ctx.settings.facet_budget_ms)
    return page.response(EventPage, **counts)


@get("/{event_id:str}", operation_id="getEvent", responses=problems(404))
async def get_event(
    conn: DbConnection, event_id: p.EventId, known_on: p.KnownOn = None
) -> Response[EventOut]:
    """One event with its participants, coding, sources and the deals signed at it."""
    return await items.read(conn, EVENTS, event_id, known_on)


@post("/", operation_id="createEvent", opt=WRITE, responses=problems(401, 403, 409))
async def create_event(
    request: Request[Any, Any, Any],
    conn: DbConnection,
    ctx: Ctx,
    data: JSONBody[EventBody],
    idempotency_key: p.IdempotencyKey = None,
) -> Response[EventOut]:
    """Create an event; the service assigns its id and answers with it in `Location`."""
    return await writes.create(request, conn, ctx, EVENTS, data)


@patch("/{event_id:str}", operation_id="updateEvent", opt=WRITE, responses=problems(401, 403, 404, 412))
async def update_event(
    request: Request[Any, Any, Any],
    conn: DbConnection,
    ctx: Ctx,
    event_id: p.EventId,
    data: p.MergePatch,
    if_match: p.IfMatch = None,
) -> Response[EventOut]:
    """Change an event with a JSON merge patch; send `If-Match` to refuse lost updates."""
    return await writes.update(request, conn, ctx, EVENTS, event_id, data)


@delete("/{event_id:str}", operation_id="deleteEvent", opt=WRITE, responses=problems(401, 403, 404, 409, 412))
async def delete_event(
    request: Request[Any, Any, Any], conn: DbConnection, event_id: p.EventId, if_match: p.IfMatch = None
) -> None:
    """Delete an event; its history stays and the change feed shows the deletion."""
    await writes.remove(request, conn, EVENTS, event_id)


@get("/{event_id:str}/revisions", operation_id="listEventRevisions", responses=problems(404))
async def list_event_revisions(
    request: Request[Any, Any, Any],
    conn: DbConnection,
    ctx: Ctx,
    event_id: p.EventId,
    after: p.AfterRevision = None,
    limit: p.Limit = 50,
    cursor: p.Cursor = None,
) -> Response[RevisionPage]:
    """Every change to an event, oldest first: when, by which key, and what changed."""
    return await items.history(request, conn, ctx, EVENTS, event_id, after, limit, cursor)


router = with_allow(
    Router(
        path="/v1/events",
        opt=READ,
        route_handlers=[
            list_events,
            get_event,
            create_event,
            update_event,
            delete_event,
            list_event_revisions,
        ],
        tags=["events"],
        guards=[p.strict_timestamps],
    )
)
