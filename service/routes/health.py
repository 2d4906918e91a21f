"""GET /health (the process answers) and GET /ready (the database answers and is migrated)."""

from __future__ import annotations

import asyncio

from litestar import Response, Router, get
from litestar.datastructures import State
from litestar.openapi.datastructures import ResponseSpec
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE

from schemas.health import Health, Readiness
from service import migrate
from service.db import as_connection, pool_of
from service.routes.responses import with_allow

READY_TIMEOUT_SECONDS = 1.0


@get("/health", operation_id="health", cache_control=None)
async def health() -> Health:
    """The process is up; never touches the database."""
    return Health(status="ok")


async def _migration_state(state: State) -> migrate.MigrationState:
    async with pool_of(state).acquire(timeout=READY_TIMEOUT_SECONDS) as conn:
        return await migrate.state(as_connection(conn))


@get(
    "/ready",
    operation_id="ready",
    responses={503: ResponseSpec(data_container=Readiness, description="Not ready: database or migrations.")},
)
async def ready(state: State) -> Response[Readiness]:
    """The database answers within a second and every migration is applied; 503 otherwise."""
    try:
        found = await asyncio.wait_for(_migration_state(state), READY_TIMEOUT_SECONDS)
    except migrate.MigrationError:
        report = Readiness(
            status="migrations edited", database=True, migrations_applied=[], migrations_pending=[]
        )
        return Response(report, status_code=HTTP_503_SERVICE_UNAVAILABLE)
    except Exception:  # whatever the cause, a database we cannot query means not ready
        report = Readiness(status="unavailable", database=False, migrations_applied=[], migrations_pending=[])
        return Response(report, status_code=HTTP_503_SERVICE_UNAVAILABLE, headers={"Retry-After": "2"})
    ok = found.current
    report = Readiness(
        status="ok" if ok else "migrations pending",
        database=True,
        migrations_applied=found.applied,
        migrations_pending=found.pending,
    )
    return Response(report, status_code=HTTP_200_OK if ok else HTTP_503_SERVICE_UNAVAILABLE)


router = with_allow(Router(path="/", route_handlers=[health, ready], tags=["service"]))
