"""Pairs: GET /v1/pairs, /v1/pairs/{a}/{b} and the pair's events and deals."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Any, cast

from litestar import Request, Response, Router, get
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, Operation, Schema
from litestar.openapi.spec.enums import OpenAPIType
from litestar.params import QueryParameter

from schemas.deals import DealPage
from schemas.events import EventPage
from schemas.facets import DealFacet, EventFacet
from schemas.pairs import PairOut, PairPage
from schemas.timeline import Interval, TimelineFormat, TimelineOut
from service import facets as fc
from service import streams, timeline
from service.context import Ctx
from service.db import DbConnection
from service.pagination import check_range
from service.repos import countries, deals, events, relationships
from service.repos import pairs as repo
from service.routes import params as p
from service.routes.deals import deals_page
from service.routes.events import events_page
from service.routes.relationships import today
from service.routes.responses import READ, problems, with_allow

LATEST = 5


@get("/", operation_id="listPairs", responses=problems())
async def list_pairs(
    request: Request[Any, Any, Any],
    conn: DbConnection,
    ctx: Ctx,
    country: p.Country = None,
    limit: p.Limit = 50,
    cursor: p.Cursor = None,
) -> Response[PairPage]:
    """Every pair with events, deals or a status, most recent activity first, with today's status."""
    code = ctx.resolver.optional(country, "country")
    day = today()
    scope = {"country": code, "day": day.isoformat()}
    fetch = partial(repo.list_pairs, country=code, day=day)
    page = await ctx.page(request, conn, "pairs", scope, cursor, limit, fetch, repo.cursor_key)
    return page.response(PairPage)


@get("/{a:str}/{b:str}", operation_id="getPair", responses=problems())
async def get_pair(
    conn: DbConnection, ctx: Ctx, a: p.PathCountryA, b: p.PathCountryB, as_of: p.AsOf = None
) -> PairOut:
    """One page about a pair: status and trend on `as_of`, USD deal totals by kind and year, latest items."""
    pair = ctx.resolver.pair_of(a, b, location="path")
    day = as_of or today()
    members = await countries.get_many(conn, [pair.a, pair.b])
    history = await relationships.history(conn, pair)
    return PairOut(
        pair=pair.key,
        name=" – ".join(c.common_name or c.name for c in members),
        countries=members,
        as_of=day,
        relationship=relationships.holding_on(history, day),
        counts=await repo.counts(conn, pair),
        deal_totals=await repo.deal_totals(conn, pair),
        latest_events=await events.list_events(conn, None, LATEST, events.EventFilters(pair=pair.key)),
        latest_deals=await deals.list_deals(conn, None, LATEST, deals.DealFilters(pair=pair.key)),
    )


@get(
    "/{a:str}/{b:str}/events",
    operation_id="listPairEvents",
    responses=problems(),
    guards=[fc.only(EventFacet)],
)
async def list_pair_events(
    request: Request[Any, Any, Any],
    conn: DbConnection,
    ctx: Ctx,
    a: p.PathCountryA,
    b: p.PathCountryB,
    initiator: p.Initiator = None,
    target: p.Target = None,
    type: p.EventTypeFilter = None,
    status: p.EventStatusFilter = None,
    sector: p.SectorFilter = None,
    date_from: p.DateFrom = None,
    date_to: p.DateTo = None,
    limit: p.Limit = 50,
    cursor: p.Cursor = None,
    facet: fc.EventFacets = None,
) -> Response[EventPage]:
    """The pair's events, newest first; `initiator`/`target` pick one direction."""
    check_range(date_from, date_to)
    facets = fc.wanted(request, facet, None)
    r = ctx.resolver
    filters = events.EventFilters(
        pair=r.pair_of(a, b, location="path").key, initiator=r.optional(initiator, "initiator"),
        target=r.optional(target, "target"), type=type, status=status, sector=sector,
        date_from=date_from, date_to=date_to,
    )  # fmt: skip
    return await events_page(request, conn, ctx, filters, limit, cursor, facets=facets)


@get(
    "/{a:str}/{b:str}/deals",
    operation_id="listPairDeals",
    responses=problems(),
    guards=[fc.only(DealFacet)],
)
async def list_pair_deals(
    request: Request[Any, Any, Any],
    conn: DbConnection,
    ctx: Ctx,
    a: p.PathCountryA,
    b: p.PathCountryB,
    kind: p.DealKindFilter = None,
    status: p.DealStatusFilter = None,
    sector: p.SectorFilter = None,
    date_from: p.DateFrom = None,
    date_to: p.DateTo = None,
    limit: p.Limit = 50,
    cursor: p.Cursor = None,
    facet: fc.DealFacets = None,
) -> Response[DealPage]:
    """The pair's deals, newest first."""
    check_range(date_from, date_to)
    facets = fc.wanted(request, facet, None)
    pair = ctx.resolver.pair_of(a, b, location="path")
    filters = deals.DealFilters(
        pair=pair.key, kind=kind, status=status, sector=sector, date_from=date_from, date_to=date_to
    )
    return await deals_page(request, conn, ctx, filters, limit, cursor, facets=facets)


IntervalParam = Annotated[
    Interval,
    QueryParameter(
        description="Bucket size, default `month`; weeks are ISO weeks from Monday.",
        examples=p.example("year"),
    ),
]
TimelineFrom = Annotated[
    dt.date | None,
    QueryParameter(
        name="from",
        description="A day in the first bucket; default the pair's first event, deal or status.",
        examples=p.example("2017-01-01"),
    ),
]
TimelineTo = Annotated[
    dt.date | None,
    QueryParameter(
        name="to",
        description="A day in the last bucket; default today (UTC).",
        examples=p.example("2026-12-31"),
    ),
]
FormatParam = Annotated[
    TimelineFormat | None,
    QueryParameter(
        description="`csv` for one line per bucket (as does `Accept: text/csv`); default JSON.",
        examples=p.example("csv"),
    ),
]


@dataclass
class _TimelineOperation(Operation):
    """The timeline's operation, whose 200 also lists the CSV rendering."""

    def __post_init__(self) -> None:
        ok = (self.responses or {}).get("200")
        if isinstance(ok, OpenAPIResponse) and ok.content is not None:
            ok.content[streams.CSV] = OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING))
            ok.description = (
                "The timeline as JSON, or with `format=csv` or `Accept: text/csv` one CSV line per bucket."
            )


@get(
    "/{a:str}/{b:str}/timeline",
    operation_id="getPairTimeline",
    responses=problems(),
    operation_class=_TimelineOperation,
)
async def get_pair_timeline(
    request: Request[Any, Any, Any],
    conn: DbConnection,
    ctx: Ctx,
    a: p.PathCountryA,
    b: p.PathCountryB,
    interval: IntervalParam = Interval.MONTH,
    date_from: TimelineFrom = None,
    date_to: TimelineTo = None,
    format: FormatParam = None,
) -> Response[TimelineOut]:
    """The pair bucket by bucket: events by class and direction, Goldstein, deals, status, index.

    Directions use the canonical order (`a` < `b`, as in the pair key) whatever the path's order.
    At most 5000 buckets.
    """
    check_range(date_from, date_to)
    pair = ctx.resolver.pair_of(a, b, location="path")
    found = await timeline.build(conn, pair, interval, date_from, date_to, today())
    headers = {"Vary": "Accept"}
    if format is TimelineFormat.CSV or (format is None and streams.wanted(request) == streams.CSV):
        csv = Response(timeline.to_csv(found), media_type=streams.CSV_TYPE, headers=headers)
        # The JSON shape stays the annotation, for OpenAPI; Litestar sends any Response as it is.
        return cast("Response[TimelineOut]", csv)
    return Response(found, headers=headers)


router = with_allow(
    Router(
        path="/v1/pairs",
        opt=READ,
        route_handlers=[list_pairs, get_pair, list_pair_events, list_pair_deals, get_pair_timeline],
        tags=["pairs"],
    )
)
