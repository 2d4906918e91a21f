"""Deals: GET /v1/deals and /v1/deals/{deal_id}."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import partial
from typing import Annotated, Any

import msgspec
from litestar import Request, Response, Router, delete, get, patch, post
from litestar.params import JSONBody, Parameter

from schemas.changes import RevisionPage
from schemas.deals import DealBody, DealOut, DealPage
from schemas.facets import DealFacet
from service import facets as fc
from service import items, writes
from service.collections import DEALS
from service.context import Ctx
from service.db import DbConnection
from service.errors import InvalidParameter
from service.pagination import check_range
from service.repos import deals as repo
from service.routes import params as p
from service.routes.responses import READ, WRITE, problems, with_allow

Usd = Annotated[
    Decimal | None,
    Parameter(
        description="Bound on the deal's US-dollar value, a non-negative decimal.",
        examples=p.example("1000000"),
    ),
]


def check_usd_bounds(min_usd: Decimal | None, max_usd: Decimal | None) -> None:
    for name, bound in (("min_usd", min_usd), ("max_usd", max_usd)):
        if bound is not None and (not bound.is_finite() or bound < 0):
            raise InvalidParameter(name, "must be a non-negative decimal number")
    if min_usd is not None and max_usd is not None and min_usd > max_usd:
        raise InvalidParameter("max_usd", "must not be less than `min_usd`")


@get("/", operation_id="listDeals", responses=problems(), guards=[fc.only(DealFacet)])
async def list_deals(
    request: Request[Any, Any, Any],
    conn: DbConnection,
    ctx: Ctx,
    country: p.Country = None,
    pair: p.PairParam = None,
    kind: p.DealKindFilter = None,
    sector: p.SectorFilter = None,
    status: p.DealStatusFilter = None,
    actor: p.ActorParam = None,
    min_usd: Usd = None,
    max_usd: Usd = None,
    date_from: p.DateFrom = None,
    date_to: p.DateTo = None,
    q: p.Text = None,
    known_on: p.KnownOn = None,
    limit: p.Limit = 50,
    cursor: p.Cursor = None,
    facet: fc.DealFacets = None,
) -> Response[DealPage]:
    """List deals, newest first; filter by countries, kind, sector, status, party, USD value, date or text."""
    check_range(date_from, date_to)
    check_usd_bounds(min_usd, max_usd)
    facets = fc.wanted(request, facet, known_on)
    r = ctx.resolver
    pair_key = r.optional_pair(pair)
    filters = repo.DealFilters(
        country=r.optional(country, "country"), pair=pair_key.key if pair_key else None, kind=kind,
        sector=sector, status=status, actor=actor, min_usd=min_usd, max_usd=max_usd,
        date_from=date_from, date_to=date_to, q=q,
    )  # fmt: skip
    return await deals_page(request, conn, ctx, filters, limit, cursor, known_on, facets)


async def deals_page(
    request: Request[Any, Any, Any],
    conn: DbConnection,
    ctx: Ctx,
    filters: repo.DealFilters,
    limit: int,
    cursor: str | None,
    known_on: dt.datetime | None = None,
    facets: list[str] | None = None,
) -> Response[DealPage]:
    """One page of deals for resolved filters, now or as known then; shared with the pair routes."""
    scope = {**msgspec.to_builtins(filters), "known_on": known_on and known_on.isoformat()}
    if known_on is None:
        fetch = partial(repo.list_deals, f=filters)
    else:
        fetch = partial(repo.list_deals_known, f=filters, known_on=known_on)
    page = await ctx.page(request, conn, "deals", scope, cursor, limit, fetch, repo.cursor_key)
    count = partial(repo.deal_facets, f=filters)
    counts = await fc.page_facets(conn, facets or [], count, ctx.settings.facet_budget_ms)
    return page.response(DealPage, **counts)


@get("/{deal_id:str}", operation_id="getDeal", responses=problems(404))
async def get_deal(conn: DbConnection, deal_id: p.DealId, known_on: p.KnownOn = None) -> Response[DealOut]:
    """One deal with its value, parties, the event it was signed at and its sources."""
    return await items.read(conn, DEALS, deal_id, known_on)


@post("/", operation_id="createDeal", opt=WRITE, responses=problems(401, 403, 409))
async def create_deal(
    request: Request[Any, Any, Any],
    conn: DbConnection,
    ctx: Ctx,
    data: JSONBody[DealBody],
    idempotency_key: p.IdempotencyKey = None,
) -> Response[DealOut]:
    """Create a deal; the service assigns its id and answers with it in `Location`."""
    return await writes.create(request, conn, ctx, DEALS, data)


@patch("/{deal_id:str}", operation_id="updateDeal", opt=WRITE, responses=problems(401, 403, 404, 412))
async def update_deal(
    request: Request[Any, Any, Any],
    conn: DbConnection,
    ctx: Ctx,
    deal_id: p.DealId,
    data: p.MergePatch,
    if_match: p.IfMatch = None,
) -> Response[DealOut]:
    """Change a deal with a JSON merge patch; send `If-Match` to refuse lost updates."""
    return await writes.update(request, conn, ctx, DEALS, deal_id, data)


@delete("/{deal_id:str}", operation_id="deleteDeal", opt=WRITE, responses=problems(401, 403, 404, 409, 412))
async def delete_deal(
    request: Request[Any, Any, Any], conn: DbConnection, deal_id: p.DealId, if_match: p.IfMatch = None
) -> None:
    """Delete a deal; its history stays and the change feed shows the deletion."""
    await writes.remove(request, conn, DEALS, deal_id)


@get("/{deal_id:str}/revisions", operation_id="listDealRevisions", responses=problems(404))
async def list_deal_revisions(
    request: Request[Any, Any, Any],
    conn: DbConnection,
    ctx: Ctx,
    deal_id: p.DealId,
    after: p.AfterRevision = None,
    limit: p.Limit = 50,
    cursor: p.Cursor = None,
) -> Response[RevisionPage]:
    """Every change to a deal, oldest first: when, by which key, and what changed."""
    return await items.history(request, conn, ctx, DEALS, deal_id, after, limit, cursor)


router = with_allow(
    Router(
        path="/v1/deals",
        opt=READ,
        route_handlers=[list_deals, get_deal, create_deal, update_deal, delete_deal, list_deal_revisions],
        tags=["deals"],
        guards=[p.strict_timestamps],
    )
)
