"""Countries: GET /v1/countries and /v1/countries/{country}."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, Router, get
from litestar.params import Parameter

from schemas.countries import CountryDetail, CountryPage
from service.context import Context
from service.db import Connection
from service.errors import NotFound
from service.repos import countries as repo
from service.routes import params as p


@get("/", operation_id="listCountries")
async def list_countries(
    request: Request[Any, Any, Any], conn: Connection, ctx: Context, limit: p.Limit = 50, cursor: p.Cursor = None
) -> Response[CountryPage]:
    """List every ISO 3166-1 country, by alpha-2 code."""
    rows = await repo.list_countries(conn, ctx.after(cursor, "countries", {}), limit + 1)
    page = ctx.page(request, rows, limit, "countries", {}, repo.cursor_key)
    return Response(CountryPage(items=page.items, next=page.next), headers=page.headers)


@get("/{country:str}", operation_id="getCountry")
async def get_country(
    conn: Connection,
    ctx: Context,
    country: Annotated[
        str, Parameter(description="An ISO code, name, common variant or capital.", examples=p.example("Seoul"))
    ],
) -> CountryDetail:
    """One country with its codes, capital and every spelling the API accepts for it."""
    code = ctx.resolver.country(country, "country", location="path")
    found = await repo.get_country(conn, code)
    if found is None:
        raise NotFound("country", country)
    return found


router = Router(path="/v1/countries", route_handlers=[list_countries, get_country], tags=["countries"])
