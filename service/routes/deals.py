"""Deals: GET /v1/deals and /v1/deals/{deal_id}."""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from typing import Annotated, Any

import msgspec
from litestar import Request, Response, Router, get
from litestar.params import Parameter

from schemas.deals import DealOut, DealPage
from service.context import Ctx
from service.db import DbConnection
from service.errors import InvalidParameter, NotFound
from service.pagination import check_range
from service.repos import deals as repo
from service.routes import params as p
from service.routes.responses import problems

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


@get("/", operation_id="listDeals", responses=problems())
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
    limit: p.Limit = 50,
    cursor: p.Cursor = None,
) -> Response[DealPage]:
    """List deals, newest first; filter by countries, kind, sector, status, party, USD value, date or text."""
    check_range(date_from, date_to)
    check_usd_bounds(min_usd, max_usd)
    r = ctx.resolver
    pair_key = r.optional_pair(pair)
    filters = repo.DealFilters(
        country=r.optional(country, "country"), pair=pair_key.key if pair_key else None, kind=kind,
        sector=sector, status=status, actor=actor, min_usd=min_usd, max_usd=max_usd,
        date_from=date_from, date_to=date_to, q=q,
    )  # fmt: skip
    return await deals_page(request, conn, ctx, filters, limit, cursor)


async def deals_page(
    request: Request[Any, Any, Any],
    conn: DbConnection,
    ctx: Ctx,
    filters: repo.DealFilters,
    limit: int,
    cursor: str | None,
) -> Response[DealPage]:
    """One page of deals for resolved filters; shared with the pair routes."""
    scope = msgspec.to_builtins(filters)
    fetch = partial(repo.list_deals, conn, filters)
    page = await ctx.page(request, "deals", scope, cursor, limit, fetch, repo.cursor_key)
    return page.response(DealPage)


@get("/{deal_id:str}", operation_id="getDeal", responses=problems(404))
async def get_deal(conn: DbConnection, deal_id: p.DealId) -> DealOut:
    """One deal with its value, parties, the event it was signed at and its sources."""
    deal = await repo.get_deal(conn, deal_id)
    if deal is None:
        raise NotFound("deal", deal_id)
    return deal


router = Router(path="/v1/deals", route_handlers=[list_deals, get_deal], tags=["deals"])
