"""Countries: GET /v1/countries and /v1/countries/{country}."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, get

from schemas.countries import CountryDetail, CountryPage
from service.context import Ctx
from service.db import DbConnection
from service.errors import NotFound
from service.repos import countries as repo
from service.routes import params as p
from service.routes.responses import READ, problems, with_allow


@get("/", operation_id="listCountries", responses=problems())
async def list_countries(
    request: Request[Any, Any, Any],
    conn: DbConnection,
    ctx: Ctx,
    limit: p.Limit = 50,
    cursor: p.Cursor = None,
) -> Response[CountryPage]:
    """List every ISO 3166-1 country, by alpha-2 code."""
    fetch = repo.list_countries
    page = await ctx.page(request, conn, "countries", {}, cursor, limit, fetch, repo.cursor_key)
    return page.response(CountryPage)


@get("/{country:str}", operation_id="getCountry", responses=problems(404))
async def get_country(
    conn: DbConnection,
    ctx: Ctx,
    country: p.PathCountry,
) -> CountryDetail:
    """One country with its codes, capital and every spelling the API accepts for it."""
    code = ctx.resolver.country(country, "country", location="path")
    found = await repo.get_country(conn, code)
    if found is None:
        raise NotFound("country", country)
    return found


router = with_allow(
    Router(path="/v1/countries", opt=READ, route_handlers=[list_countries, get_country], tags=["countries"])
)
