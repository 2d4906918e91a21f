"""Bulk import: POST /v1/import takes NDJSON records of any collection, upserted by id."""

from __future__ import annotations

import hashlib
import logging
from typing import Annotated, Any, Literal

from litestar import Request, Response, Router, post
from litestar.params import Parameter, RawBody

from schemas.imports import ImportReport
from service import db, deferred_indexes, gdelt, importer, staging, writes
from service.auth import current_key
from service.context import Ctx
from service.db import Connection, DbConnection
from service.routes import params as p
from service.routes.responses import WRITE, problems, with_allow

log = logging.getLogger(__name__)

NDJSON = "application/x-ndjson"
ImportFormat = Annotated[
    Literal["ndjson", "gdelt"], Parameter(description="What the body holds: NDJSON records or a GDELT file")
]
MAX_IMPORT_BYTES = 256 * 1024 * 1024


@post(
    "/",
    operation_id="importRecords",
    opt=WRITE,
    status_code=200,
    request_max_body_size=MAX_IMPORT_BYTES,
    responses=problems(401, 403, 409),
)
async def import_records(
    request: Request[Any, Any, Any],
    conn: DbConnection,
    ctx: Ctx,
    body: RawBody,
    idempotency_key: p.IdempotencyKey = None,
    format: ImportFormat = "ndjson",
) -> Response[ImportReport]:
    """Upsert records by id in one transaction; refused lines are listed with their number and reason.

    The body is NDJSON (`application/x-ndjson`): one record per line, such as
    `{"collection": "sources", "id": "src-x", "title": ..., ...}`, from the collections sources,
    actors, events, deals and relationship-periods, in the shape each one's create takes plus its id.
    With `format=gdelt` it is a GDELT events file instead (2.0 export or 1.0 daily file, tab-separated,
    plain or zipped): rows between two countries become events `gdelt-<GLOBALEVENTID>`, others are
    counted as `skipped`.
    """
    key = current_key(request)
    fingerprint = hashlib.sha256(request.url.path.encode() + b"\n" + body).digest()
    async with conn.transaction():
        if idempotency_key is not None:
            replay = await writes.claim(conn, key.name, idempotency_key, fingerprint)
            if replay is not None:
                return replay
        # A bulk load outlasts the per-statement limit requests have; it is bounded by its size.
        if format == "gdelt":
            report = await gdelt.apply(conn, gdelt.lines_of_bytes(body), key.name, statement_timeout_ms=0)
        else:
            lines = staging.parse_lines(body.splitlines())
            report = await importer.apply(conn, ctx.resolver, lines, key.name, statement_timeout_ms=0)
        response = Response(report)
        if idempotency_key is not None:
            await writes.remember(conn, key.name, idempotency_key, response)
    await _build_deferred_indexes(request, conn)
    return response


async def _build_deferred_indexes(request: Request[Any, Any, Any], conn: Connection) -> None:
    """The indexes a bulk load left for after its commit, built before the report is sent, so that
    reads are as fast as before once it has arrived. The records are committed whatever happens
    here: a build that fails is logged and left to the next load or the next start."""
    pool = db.pool_of(request.app.state)
    timeout = request.app.state.settings.acquire_timeout
    try:
        if await deferred_indexes.pending(conn):
            await deferred_indexes.build_alongside(conn, lambda: db.borrowed(pool, timeout))
    except db.UNREACHABLE as exc:
        log.warning("deferred indexes left for later: %s", exc)


router = with_allow(Router(path="/v1/import", route_handlers=[import_records], tags=["import"]))
