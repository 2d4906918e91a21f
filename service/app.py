"""The application factory: routers, lifespan, dependencies, error handling and OpenAPI."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from litestar import Litestar
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, YamlRenderPlugin
from litestar.openapi.spec import Components, Contact, License, Server, Tag

from service import caching, contract, db, edge, explorer, lifecycle, logs, metrics, resolve, throttle
from service.auth import authorize
from service.context import provide_context
from service.errors import EXCEPTION_HANDLERS
from service.limits import LimitedRequest
from service.routes import (
    actors,
    changes,
    countries,
    deals,
    event_types,
    events,
    health,
    imports,
    pairs,
    relationships,
    sources,
)
from service.settings import Settings
from service.streams import StreamingOpenAPIConfig

log = logging.getLogger(__name__)

DESCRIPTION = """\
Structured events between countries (summits, export bans, boycotts, deployments, postponed
visits), the deals they sign (with exact amounts, currencies and US-dollar values) and how each
pair of countries stands over time. Every fact cites its sources and dates.

Countries may be given as ISO codes, names, common variants or capitals (`KR`, `South Korea`,
`Seoul`), as UN M49 numbers (`410`), or with a scheme prefix: `iso:CH`, `m49:156`, `fips:CH`,
`cameo:CHN`. A bare code means ISO; a two-letter code ISO lacks is read as FIPS 10-4 (`JA`).
When a bare code names different countries in different schemes, or was read outside ISO, the
`Detente-Country-Read-As` header says how, e.g. `country=fips:JA->JP, pair=iso:CH->CH`.

Lists are newest first and paginated with opaque cursors: follow `next` (also sent
as a `Link` header). Errors are `application/problem+json` documents naming what is wrong.
"""

TAGS = [
    Tag(name="countries", description="ISO 3166-1 countries and the spellings accepted for them."),
    Tag(name="events", description="Things that happened, or are scheduled, between countries."),
    Tag(name="deals", description="Contracts, MOUs, investments and agreements with their values."),
    Tag(name="relationships", description="Each pair's status over time, asked for any day."),
    Tag(name="pairs", description="Everything about two countries on one page."),
    Tag(name="actors", description="People, companies, ministries and other organisations."),
    Tag(name="sources", description="Where the facts come from."),
    Tag(name="changes", description="Every change in commit order, for services that mirror the data."),
    Tag(name="import", description="Bulk upserts of NDJSON records."),
    Tag(name="service", description="Liveness and readiness."),
]


def openapi_config(settings: Settings | None = None) -> OpenAPIConfig:
    return StreamingOpenAPIConfig(
        title="Détente",
        version="1.0.0",
        summary="Events, deals and relationship status between countries, with sources.",
        description=DESCRIPTION,
        contact=Contact(name="Détente maintainers"),
        license=License(name="MIT", identifier="MIT"),
        servers=[Server(url="/", description="This server")],
        tags=TAGS,
        path="/",
        render_plugins=[
            JsonRenderPlugin(path="/openapi.json"),
            YamlRenderPlugin(path="/openapi.yaml"),
            explorer.swagger_plugin(),
        ],
        components=Components(),
        use_handler_docstrings=True,
        create_examples=False,
        # The problems the limits in front of the handlers give depend on settings: declared here.
        finish=contract.finisher(settings) if settings is not None else None,
    )


@asynccontextmanager
async def lifespan(app: Litestar) -> AsyncIterator[None]:
    """Connect (starting the embedded database if needed), prepare the schema, serve, clean up."""
    settings: Settings = app.state.settings
    url, embedded = await anyio.to_thread.run_sync(db.database_url, settings)
    # Serve at once; until the database answers, data routes give 503 and /ready says why.
    task, tried = lifecycle.start(app.state, url, settings)
    try:
        # Usually the database is there: let the first attempt finish before taking requests.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(tried.wait(), timeout=settings.connect_timeout * 2)
        yield
    finally:
        await lifecycle.stop(app.state, task)
        if embedded is not None:
            await anyio.to_thread.run_sync(embedded.stop)


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings.from_env()
    logs.configure_logging(settings)
    app = Litestar(
        route_handlers=[
            health.router,
            countries.router,
            events.router,
            event_types.router,
            deals.router,
            relationships.router,
            relationships.periods_router,
            pairs.router,
            actors.router,
            sources.router,
            changes.router,
            imports.router,
            metrics.metrics,
            explorer.assets_router(),
        ],
        dependencies={
            "conn": Provide(db.provide_connection),
            "ctx": Provide(provide_context, sync_to_thread=False),
        },
        guards=[authorize],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        # Host check and rate limits first: a refused request costs no more work. (Outside the
        # metrics middleware, which would count their exceptions as 200s.)
        middleware=[
            *edge.allowed_hosts(settings),
            *throttle.middleware(settings),
            metrics.middleware(),
            *caching.middleware(settings.cache_max_age),
            resolve.ReadingsHeader,
        ],
        stores=throttle.stores(settings),
        request_class=LimitedRequest,
        # Every body but the bulk import's (which sets its own) is refused beyond this, with 413.
        request_max_body_size=settings.max_body_bytes,
        cors_config=edge.cors_config(settings),
        logging_config=None,  # logs.configure_logging owns the root logger: JSON lines
        lifespan=[lifespan],
        openapi_config=openapi_config(settings),
        debug=False,
    )
    app.state.settings = settings
    # Litestar's middleware runs only once a route matched; the edge must also see 404s and 405s.
    app.asgi_handler = edge.behind_proxies(edge.Edge(app.asgi_handler), settings)
    return app
